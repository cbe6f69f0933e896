//! `cellsweep audit verify` and `audit log`, and the hook the other commands call to record
//! what they did (collection, consultation, disclosure, combination).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_store::{Action, AuditEntry, Workspace};

use crate::cli::{AuditLogArgs, AuditVerifyArgs};
use crate::commands::refdata::open;
use crate::{EXIT_TAMPERED, output, settings};

/// Records one audit entry for a command of this binary. The actor comes from
/// `CELLSWEEP_USER`/`$USER`, the justification from `why` (a request reference) or
/// `CELLSWEEP_REASON`.
pub(crate) fn record(
    ws: &Workspace,
    action: Action,
    object: &str,
    why: Option<&str>,
    recipients: Vec<String>,
    detail: String,
) -> anyhow::Result<()> {
    let justification = settings::justification(None, why);
    ws.audit(&AuditEntry {
        actor: settings::actor(None),
        action,
        object: object.into(),
        justification: if justification.is_empty() {
            "not given".into()
        } else {
            justification
        },
        recipients,
        detail,
    })
    .context("cannot write the audit log")?;
    Ok(())
}

/// Signs a checkpoint over what the command logged; every command that logs ends with it.
pub(crate) fn done(ws: &Workspace) -> anyhow::Result<()> {
    ws.audit_checkpoint()
        .context("cannot sign the audit checkpoint")?;
    Ok(())
}

pub(crate) fn verify(args: &AuditVerifyArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let key = args
        .public_key
        .as_deref()
        .map(cellsweep_store::audit::read_public_key)
        .transpose()?;
    let v = ws.audit_verify(key)?;
    writeln!(out, "entries        {}", v.entries)?;
    writeln!(out, "checkpoints    {} valid", v.checkpoints)?;
    writeln!(out, "signed through entry {}", v.signed_through)?;
    if !v.triggers {
        output::warn("the audit log's append-only triggers were removed from the catalog");
    }
    if v.is_intact() && v.signed_through < v.entries {
        output::warn(&format!(
            "entries {} to {} are chained but not yet covered by a signed checkpoint (a command was interrupted, or they were appended outside cellsweep)",
            v.signed_through + 1,
            v.entries
        ));
    }
    match v.first() {
        None => {
            writeln!(out, "intact: the chain and every checkpoint verify")?;
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            writeln!(out, "tampered: first broken entry {} ({})", b.seq, b.kind)?;
            writeln!(out, "  {}", b.detail)?;
            for p in v
                .checkpoint_problems
                .iter()
                .filter(|p| Some(*p) != v.first())
            {
                writeln!(out, "  also: entry {} ({}): {}", p.seq, p.kind, p.detail)?;
            }
            output::hint(
                "restore the catalog from a backup and compare its audit log with this one; the checkpoints' signatures show what cellsweep wrote",
            );
            Ok(ExitCode::from(EXIT_TAMPERED))
        }
    }
}

pub(crate) fn log(args: &AuditLogArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "seq",
        "at",
        "actor",
        "action",
        "object",
        "justification",
        "recipients",
        "detail",
        "hash",
    ])?;
    for e in ws.audit_entries(args.from, args.limit)? {
        w.write_record([
            e.seq.to_string().as_str(),
            &e.at,
            &e.actor,
            &e.action,
            &e.object,
            &e.justification,
            &e.recipients,
            &e.detail,
            &e.hash,
        ])?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
