//! `cellsweep retention show|set|apply`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_interdict::retention::{self, Dataset};

use crate::cli::{RetentionApplyArgs, RetentionSetArgs, RetentionShowArgs};
use crate::commands::{audit, refdata::open};
use crate::{output, settings};

pub(crate) fn show(args: &RetentionShowArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let day = settings::day(args.as_of.as_deref(), "`--as-of`")?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "dataset",
        "source",
        "path",
        "size",
        "retain_until",
        "own_date",
        "expired",
    ])?;
    for r in retention::plan(&ws, day)? {
        let (kind, source, path, size) = match &r.dataset {
            Dataset::Events {
                source,
                path,
                parts,
            } => (
                "events",
                source.to_string(),
                path.clone(),
                format!("{parts} parts"),
            ),
            Dataset::Quarantine { source, path, rows } => (
                "quarantine",
                source.to_string(),
                path.clone(),
                format!("{rows} rows"),
            ),
            Dataset::Lists { generation } => (
                "lists",
                String::new(),
                format!("generation {generation}"),
                String::new(),
            ),
        };
        w.write_record([
            kind,
            &source,
            &path,
            &size,
            &r.until.to_string(),
            if r.own_date { "yes" } else { "no" },
            if r.expired { "yes" } else { "no" },
        ])?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn set(args: &RetentionSetArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let until = cellsweep_interdict::parse_date("`--until`", &args.until)?;
    retention::set(
        &ws,
        args.source,
        until,
        &settings::actor(args.actor.by.as_deref()),
        &settings::justification(args.actor.reason.as_deref(), None),
    )
    .context("cannot set the retention date")?;
    audit::done(&ws)?;
    writeln!(out, "source {}: kept until {until}", args.source)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn apply(args: &RetentionApplyArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.workspace)?;
    let day = settings::day(args.as_of.as_deref(), "`--as-of`")?;
    let e = retention::apply(
        &mut ws,
        day,
        &settings::actor(args.actor.by.as_deref()),
        &settings::justification(args.actor.reason.as_deref(), None),
    )
    .context("retention failed")?;
    audit::done(&ws)?;
    for d in &e.datasets {
        writeln!(out, "erased {}", d.object())?;
    }
    writeln!(
        out,
        "{} datasets erased: {} event parts ({} rows), {} quarantined rows; {} files removed",
        e.datasets.len(),
        e.parts,
        e.event_rows,
        e.quarantine_rows,
        e.files
    )?;
    if e.datasets.is_empty() {
        output::note(&format!("nothing had expired on {day}"));
    }
    Ok(ExitCode::SUCCESS)
}
