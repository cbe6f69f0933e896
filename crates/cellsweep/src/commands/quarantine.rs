//! `cellsweep quarantine WS`: every rejected row, with file, line, field, reason and raw text.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::QuarantineArgs;
use crate::commands::{audit, refdata::open};

pub(crate) fn run(args: &QuarantineArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let rows = ws.quarantined(args.source, args.limit)?;
    audit::record(
        &ws,
        cellsweep_store::Action::Consultation,
        &args
            .source
            .map_or("quarantine".into(), |s| format!("source:{s}:quarantine")),
        None,
        vec![],
        format!("quarantine: {} rows shown", rows.len()),
    )?;
    audit::done(&ws)?;
    if args.csv {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "source_id",
            "path",
            "kind",
            "line",
            "field",
            "reason",
            "raw",
        ])?;
        for q in &rows {
            w.write_record([
                q.source_id.to_string().as_str(),
                &q.path,
                &q.kind,
                &q.line.to_string(),
                q.field.as_deref().unwrap_or(""),
                &q.reason,
                &q.raw,
            ])?;
        }
        w.flush()?;
    } else {
        for q in &rows {
            writeln!(
                out,
                "source {} ({}, `{}`) line {}{}: {}",
                q.source_id,
                q.kind,
                q.path,
                q.line,
                field_suffix(q),
                q.reason
            )?;
            writeln!(out, "    raw: {}", q.raw)?;
        }
        if rows.is_empty() {
            crate::output::note("no quarantined rows");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How many quarantined rows an import prints as examples.
const EXAMPLES: usize = 5;

/// After an import: the first quarantined rows of `source`, how many more there are, and how to
/// see them all.
pub(crate) fn examples(
    ws: &cellsweep_store::Workspace,
    source: i64,
    quarantined: u64,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if quarantined == 0 {
        return Ok(());
    }
    let rows = ws.quarantined(Some(source), EXAMPLES)?;
    for q in &rows {
        writeln!(
            out,
            "  quarantined: line {}{}: {}",
            q.line,
            field_suffix(q),
            q.reason
        )?;
    }
    if quarantined > rows.len() as u64 {
        writeln!(out, "  ... and {} more", quarantined - rows.len() as u64)?;
    }
    crate::output::hint(&format!(
        "`cellsweep quarantine {} --source {}` lists every quarantined row with its raw text",
        ws.root().display(),
        source
    ));
    Ok(())
}

/// `, field `NAME`` when the row names a field, else nothing.
fn field_suffix(q: &cellsweep_store::QuarantinedRow) -> String {
    q.field
        .as_deref()
        .map(|f| format!(", field `{f}`"))
        .unwrap_or_default()
}
