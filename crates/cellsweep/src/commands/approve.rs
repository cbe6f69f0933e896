//! `cellsweep approve`: a human decision over a candidates file, with who and why.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_interdict::ApproveRequest;

use crate::cli::ApproveArgs;
use crate::commands::{audit, refdata::open};
use crate::{output, settings};

pub(crate) fn run(args: &ApproveArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let req = ApproveRequest {
        candidates: args.candidates.clone(),
        min_probability: args.min_probability,
        conditions: args.conditions.clone(),
        grace_days: args.grace_days,
        by: settings::actor(args.actor.by.as_deref()),
        reason: settings::justification(args.actor.reason.as_deref(), None),
        day: cellsweep_interdict::today(),
    };
    let a = cellsweep_interdict::approve(&ws, &req).context("approval refused")?;
    audit::done(&ws)?;
    writeln!(
        out,
        "approval {}: {} of {} rows approved ({} devices, detection run {}) by {}",
        a.id, a.approved, a.rows, a.devices, a.detect_run, req.by
    )?;
    writeln!(out, "{} rows below the policy were not approved", a.held)?;
    if a.allow_listed > 0 {
        output::warn(&format!(
            "{} approved rows share an identifier with the allow list: they will never be listed",
            a.allow_listed
        ));
    }
    output::hint(&format!(
        "generate the block lists with `cellsweep lists generate {} --out DIR`",
        args.workspace.display()
    ));
    Ok(ExitCode::SUCCESS)
}
