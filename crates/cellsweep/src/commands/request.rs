//! `cellsweep request tower-dump` and `cellsweep request traffic`: ETSI TS 103 120 XML.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_ids::{Imei, Plmn};
use cellsweep_ingest::request::{self, Parties, RequestMessage, Window};

use crate::cli::{RequestCommon, TowerDumpArgs, TrafficArgs};
use crate::commands::{audit, refdata::open};

pub(crate) fn tower_dump(args: &TowerDumpArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let c = &args.common;
    let ws = open(&c.workspace)?;
    let operator = args
        .operator
        .as_deref()
        .map(|o| Plmn::parse(o).with_context(|| format!("invalid `--operator` `{o}`")))
        .transpose()?;
    let (name, cells) = request::covering_cells(&ws, &args.facility, operator)?;
    if cells.is_empty() {
        anyhow::bail!(
            "no cell of the workspace covers facility `{}` ({name}); import cells with `cellsweep ref import WS --kind cells`",
            args.facility
        );
    }
    let msgs = request::tower_dump(
        &parties(c),
        &c.request_ref,
        &window(c)?,
        &cells,
        jiff::Timestamp::now(),
    );
    write_all(c, &ws, &msgs, out)
}

pub(crate) fn traffic(args: &TrafficArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let c = &args.common;
    // Opened to check it is a workspace and to write into it.
    let ws = open(&c.workspace)?;
    let text = std::fs::read_to_string(&args.imei_file)
        .with_context(|| format!("cannot read `{}`", args.imei_file.display()))?;
    let mut imeis = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let v = line.split('#').next().unwrap_or("").trim();
        if v.is_empty() {
            continue;
        }
        match Imei::parse(v) {
            Ok(imei) if !imeis.contains(&imei) => imeis.push(imei),
            Ok(_) => {}
            Err(e) => bad.push(format!("line {}: {e}", i + 1)),
        }
    }
    if !bad.is_empty() {
        anyhow::bail!(
            "invalid IMEIs in `{}`:\n  {}",
            args.imei_file.display(),
            bad.join("\n  ")
        );
    }
    if imeis.is_empty() {
        anyhow::bail!("`{}` holds no IMEI", args.imei_file.display());
    }
    let ops = args
        .operator
        .iter()
        .map(|o| Plmn::parse(o).with_context(|| format!("invalid `--operator` `{o}`")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let msgs = request::imei_requests(
        &parties(c),
        &c.request_ref,
        &window(c)?,
        &imeis,
        &ops,
        jiff::Timestamp::now(),
    );
    write_all(c, &ws, &msgs, out)
}

fn parties(c: &RequestCommon) -> Parties {
    Parties {
        country: c.country.to_ascii_uppercase(),
        sender: c.sender.clone(),
    }
}

fn window(c: &RequestCommon) -> anyhow::Result<Window> {
    let start =
        instant(&c.from, false).with_context(|| format!("invalid `--from` `{}`", c.from))?;
    let end = instant(&c.to, true).with_context(|| format!("invalid `--to` `{}`", c.to))?;
    if end <= start {
        anyhow::bail!("`--to` must be after `--from`");
    }
    Ok(Window { start, end })
}

/// RFC 3339, or a date (its midnight UTC; the next midnight for an inclusive end).
fn instant(s: &str, end_of_day: bool) -> anyhow::Result<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let d: jiff::civil::Date = s.parse().context("expected RFC 3339 or YYYY-MM-DD")?;
    let d = if end_of_day { d.tomorrow()? } else { d };
    Ok(d.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

fn write_all(
    c: &RequestCommon,
    ws: &cellsweep_store::Workspace,
    msgs: &[RequestMessage],
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let dir: PathBuf = c
        .out
        .clone()
        .unwrap_or_else(|| c.workspace.join("requests"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    for m in msgs {
        let path = dir.join(&m.file_name);
        std::fs::write(&path, &m.xml)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        writeln!(
            out,
            "{}\t{}\t{} values",
            path.display(),
            m.operator,
            m.values
        )?;
    }
    let operators: Vec<String> = msgs
        .iter()
        .map(|m| m.operator.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    audit::record(
        ws,
        cellsweep_store::Action::Disclosure,
        &format!("requests:{}", c.request_ref),
        Some(&c.request_ref),
        operators,
        format!(
            "request: {} ETSI TS 103 120 requests written to `{}`",
            msgs.len(),
            dir.display()
        ),
    )?;
    audit::done(ws)?;
    Ok(ExitCode::SUCCESS)
}
