//! `cellsweep ref import` and `cellsweep ref stats`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_ref::{ImportOutcome, ImportRequest};
use cellsweep_store::Workspace;

use cellsweep_store::Action;

use crate::cli::{RefImportArgs, WorkspaceArg};
use crate::commands::{audit, quarantine};
use crate::{output, settings};

pub(crate) fn open(dir: &Path) -> anyhow::Result<Workspace> {
    Workspace::open(dir).with_context(|| format!("cannot open workspace `{}`", dir.display()))
}

pub(crate) fn import(args: &RefImportArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.workspace)?;
    let region = settings::region(&args.region, Some(ws.config()))?;
    for file in &args.files {
        let req = ImportRequest {
            kind: args.kind,
            path: file.clone(),
            format: args.format,
            request_ref: args.request_ref.clone(),
            replace: args.replace,
            region,
        };
        import_one(&mut ws, &req, out)?;
    }
    audit::done(&ws)?;
    Ok(ExitCode::SUCCESS)
}

/// Imports one file and reports it; shared with the demo.
pub(crate) fn import_one(
    ws: &mut Workspace,
    req: &ImportRequest,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let outcome = cellsweep_ref::import(ws, req)
        .with_context(|| format!("cannot import `{}` as {}", req.path.display(), req.kind))?;
    report(ws, req, outcome, out)
}

/// Prints what an import did; shared with `outcomes record`.
pub(crate) fn report(
    ws: &Workspace,
    req: &ImportRequest,
    outcome: ImportOutcome,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match outcome {
        ImportOutcome::AlreadyImported(s) => {
            writeln!(
                out,
                "source {}: `{}` already imported as {} on {} (same SHA-256); nothing changed",
                s.id,
                req.path.display(),
                s.kind,
                s.imported_at
            )?;
        }
        ImportOutcome::Imported {
            source: s,
            summary,
            legacy_encoding,
        } => {
            writeln!(
                out,
                "source {}: {} from `{}` ({})",
                s.id, s.kind, s.path, s.format
            )?;
            writeln!(
                out,
                "  rows {} = {} accepted + {} quarantined",
                s.rows_in, s.rows_accepted, s.rows_quarantined
            )?;
            writeln!(out, "  {summary}")?;
            audit::record(
                ws,
                Action::Collection,
                &format!("source:{}", s.id),
                req.request_ref.as_deref(),
                vec![],
                format!(
                    "ref import: {} {} rows from `{}` ({} quarantined)",
                    s.rows_accepted, s.kind, s.path, s.rows_quarantined
                ),
            )?;
            if let Some(enc) = legacy_encoding {
                output::warn(&format!(
                    "`{}` is not UTF-8; read as {enc}",
                    req.path.display()
                ));
            }
            quarantine::examples(ws, s.id, s.rows_quarantined, out)?;
        }
    }
    Ok(())
}

pub(crate) fn stats(args: &WorkspaceArg, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    print_stats(&ws, out)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn print_stats(ws: &Workspace, out: &mut dyn Write) -> anyhow::Result<()> {
    let stats = cellsweep_ref::stats(ws.conn()).context("cannot count reference data")?;
    for s in stats {
        writeln!(
            out,
            "{:<16} {}, {}",
            s.kind.as_str(),
            plural(s.files, "file", "files"),
            plural(s.quarantined, "row quarantined", "rows quarantined")
        )?;
        for (label, n) in s.counts {
            writeln!(out, "  {label:<26} {n:>8}")?;
        }
    }
    Ok(())
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
