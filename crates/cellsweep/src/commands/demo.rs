//! `cellsweep demo`: the pipeline on built-in demo data, in a temporary workspace.
//!
//! The demo data is made up (fictional facilities, suppliers and devices; real operator codes
//! and a few real TACs) and includes deliberate mistakes, as real deliveries do, so that the
//! quarantine has something to show. It grows with every capability.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_ids::{DetectContext, Region};
use cellsweep_ref::{ImportRequest, Kind};
use cellsweep_store::Workspace;

use crate::cli::DemoArgs;
use crate::commands::{ids, refdata};

/// The built-in files, in import order: operator codes first, since they teach the IMSI
/// parser MNC lengths used by the allow list.
const FILES: &[(Kind, &str, &str)] = &[
    (
        Kind::Operators,
        "operators.csv",
        include_str!("../../demo/operators.csv"),
    ),
    (Kind::Tac, "tac.csv", include_str!("../../demo/tac.csv")),
    (
        Kind::TacOverlay,
        "tac-overlay.csv",
        include_str!("../../demo/tac-overlay.csv"),
    ),
    (
        Kind::Facilities,
        "facilities.geojson",
        include_str!("../../demo/facilities.geojson"),
    ),
    (
        Kind::Cells,
        "cells.csv",
        include_str!("../../demo/cells.csv"),
    ),
    (
        Kind::Ledger,
        "ledger.csv",
        include_str!("../../demo/ledger.csv"),
    ),
    (
        Kind::Allowlist,
        "allowlist.csv",
        include_str!("../../demo/allowlist.csv"),
    ),
];

/// Values `ids check` decodes in the demo: a supplier's IMEI in three delivery forms, an IMSI,
/// national and international phone numbers, cell ids in hex and decimal, and a typo.
const SAMPLE_IDS: &[&str] = &[
    "86-000001-000001-5",
    "8600000100000107",
    "208150123456789",
    "06 12 34 56 78",
    "0033612345678",
    "208-01-00c3501",
    "208-20-1000-10001",
    "860000010000016",
];

pub(crate) fn run(args: &DemoArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let temp;
    let root: &Path = match &args.keep {
        Some(dir) => dir,
        None => {
            temp = tempfile::tempdir().context("cannot create a temporary directory")?;
            temp.path()
        }
    };
    let input = root.join("input");
    let ws_dir = root.join("workspace");
    std::fs::create_dir_all(&input)
        .with_context(|| format!("cannot create `{}`", input.display()))?;
    for (_, name, content) in FILES {
        let p = input.join(name);
        std::fs::write(&p, content).with_context(|| format!("cannot write `{}`", p.display()))?;
    }
    let mut ws = Workspace::init(&ws_dir)
        .with_context(|| format!("cannot create the demo workspace in `{}`", ws_dir.display()))?;

    writeln!(out, "== cellsweep demo: reference data ==")?;
    writeln!(out, "workspace: {}", ws_dir.display())?;
    writeln!(out)?;
    for (kind, name, _) in FILES {
        let req = request(*kind, &input.join(name));
        refdata::import_one(&mut ws, &req, out)?;
    }
    writeln!(out)?;
    writeln!(out, "== importing the same ledger again is a no-op ==")?;
    refdata::import_one(
        &mut ws,
        &request(Kind::Ledger, &input.join("ledger.csv")),
        out,
    )?;

    writeln!(out)?;
    writeln!(out, "== what the workspace holds ==")?;
    refdata::print_stats(&ws, out)?;

    writeln!(out)?;
    writeln!(
        out,
        "== identifiers, decoded with the workspace's reference data =="
    )?;
    let ctx = DetectContext {
        mnc_table: cellsweep_ref::mnc_table(ws.conn())?,
        region: Region::FR,
    };
    for v in SAMPLE_IDS {
        ids::check_one(v, &ctx, Some(ws.conn()), out)?;
    }

    writeln!(out)?;
    writeln!(out, "== next steps ==")?;
    match &args.keep {
        Some(dir) => writeln!(
            out,
            "the workspace is kept in {}; try `cellsweep quarantine {}`",
            dir.display(),
            ws_dir.display()
        )?,
        None => writeln!(
            out,
            "run `cellsweep demo --keep DIR` to keep the workspace and explore it"
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

fn request(kind: Kind, path: &Path) -> ImportRequest {
    ImportRequest {
        kind,
        path: path.to_path_buf(),
        format: None,
        request_ref: Some("DEMO-2026-001".into()),
        replace: false,
        region: Region::FR,
    }
}
