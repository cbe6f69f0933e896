//! `cellsweep evidence`: a device's evidence package, HTML and JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_interdict::evidence::{self, EvidenceRequest};

use crate::cli::EvidenceArgs;
use crate::commands::{audit, refdata::open};
use crate::settings;

pub(crate) fn run(args: &EvidenceArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let req = EvidenceRequest {
        device: args.device.clone(),
        out: args.out.clone(),
        by: settings::actor(args.actor.by.as_deref()),
        reason: settings::justification(args.actor.reason.as_deref(), None),
        recipients: args.recipients.clone(),
    };
    let (p, json, html) = evidence::write(&ws, &req)
        .with_context(|| format!("cannot build the evidence package of `{}`", args.device))?;
    audit::done(&ws)?;
    print_package(&p, &json, &html, out)?;
    Ok(ExitCode::SUCCESS)
}

/// A package in a few lines; shared with the demo.
pub(crate) fn print_package(
    p: &evidence::Package,
    json: &std::path::Path,
    html: &std::path::Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    writeln!(out, "evidence package of {}", p.device)?;
    for i in &p.identifiers {
        writeln!(
            out,
            "  IMEI {} IMSI {} MSISDN {}: {} ({})",
            i.imei.as_deref().unwrap_or("-"),
            i.imsi.as_deref().unwrap_or("-"),
            i.msisdn.as_deref().unwrap_or("-"),
            i.model.as_deref().unwrap_or("unknown model"),
            i.home_operator.as_deref().unwrap_or("unknown operator")
        )?;
    }
    writeln!(
        out,
        "  {} days of presence, {} events from {} source files; {} conditions; {} ledger records; {} seizures; {} requests",
        p.timeline.len(),
        p.timeline.iter().map(|d| d.events).sum::<u64>(),
        p.provenance.len(),
        p.conditions.len(),
        p.ledger.len(),
        p.seizures.len(),
        p.requests.len()
    )?;
    writeln!(out, "  written {}", html.display())?;
    writeln!(out, "  written {}", json.display())?;
    Ok(())
}
