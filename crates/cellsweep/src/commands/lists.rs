//! `cellsweep lists generate`: the next generation of block lists, zipped with its manifest.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_interdict::{GenerateRequest, Generation};

use crate::cli::ListsGenerateArgs;
use crate::commands::{audit, refdata::open};
use crate::settings;

pub(crate) fn generate(args: &ListsGenerateArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let req = GenerateRequest {
        out: args.out.clone(),
        day: settings::day(args.as_of.as_deref(), "`--as-of`")?,
        by: settings::actor(args.actor.by.as_deref()),
        reason: settings::justification(args.actor.reason.as_deref(), None),
    };
    let g = cellsweep_interdict::generate(&ws, &req).context("cannot generate the block lists")?;
    audit::done(&ws)?;
    print_generation(&g, out)?;
    Ok(ExitCode::SUCCESS)
}

/// The generation in a few lines; shared with the demo.
pub(crate) fn print_generation(g: &Generation, out: &mut dyn Write) -> anyhow::Result<()> {
    let m = &g.manifest;
    writeln!(
        out,
        "generation {} as of {} (previous: {})",
        m.generation,
        m.as_of,
        m.previous_generation
            .map_or("none".into(), |p| p.to_string())
    )?;
    writeln!(out, "written {}", g.zip.display())?;
    writeln!(out, "  file                                   rows  sha256")?;
    for f in &m.files {
        writeln!(out, "  {:<36} {:>6}  {}", f.name, f.rows, &f.sha256[..16])?;
    }
    let deltas: Vec<String> = m
        .counts
        .iter()
        .filter(|(k, _)| k.contains("_delta_"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    writeln!(
        out,
        "changes: {}",
        if deltas.is_empty() {
            "none".into()
        } else {
            deltas.join(", ")
        }
    )?;
    writeln!(
        out,
        "{} IMEIs held off the blacklist (notified per pairing instead; reasons in manifest.json)",
        m.held_imeis.len()
    )?;
    for (why, n) in &m.dropped_pairings {
        writeln!(out, "{n} approved pairings on no list: {why}")?;
    }
    Ok(())
}
