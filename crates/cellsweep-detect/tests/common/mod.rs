//! A small simulated nation, imported and ingested into a workspace, shared by the tests.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::path::{Path, PathBuf};

use cellsweep_ids::Region;
use cellsweep_ref::{ImportOutcome, ImportRequest, Kind};
use cellsweep_store::Workspace;

pub const SCENARIO: &str = r#"
name = "detect-test"
start = 2026-03-02
days = 21
[facilities]
count = 2
capacity = [220, 300]
staff_housing_by_wall = 0.5
jammer_share = 0.0
dense_city = 0.0
[outside]
neighbours = [300, 400]
passers_by_per_day = 40
[operations]
past_searches = 4
[delivery]
traffic_min_nights = 2
malformed_share = 0.001
"#;

/// Simulates, then imports reference data and ingests every delivery. Returns the temporary
/// directory (keep it alive), the simulation and the workspace paths.
pub fn prepared(seed: u64) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sim = dir.path().join("sim");
    let s = cellsweep_sim::Scenario::parse(SCENARIO, "detect-test").unwrap();
    cellsweep_sim::simulate(&s, seed, &sim).unwrap();
    let ws_dir = dir.path().join("ws");
    let mut ws = Workspace::init(&ws_dir).unwrap();
    for (kind, file) in [
        (Kind::Operators, "operators.csv"),
        (Kind::Tac, "tac.csv"),
        (Kind::TacOverlay, "tac-overlay.csv"),
        (Kind::Facilities, "facilities.geojson"),
        (Kind::Cells, "cells.csv"),
        (Kind::Ledger, "ledger.csv"),
        (Kind::Allowlist, "allowlist.csv"),
    ] {
        let req = ImportRequest {
            kind,
            path: sim.join("reference").join(file),
            format: None,
            request_ref: None,
            replace: false,
            region: Region::FR,
        };
        assert!(matches!(
            cellsweep_ref::import(&mut ws, &req).unwrap(),
            ImportOutcome::Imported { .. }
        ));
    }
    for f in cellsweep_ingest::collect_files(&[sim.join("operator")]).unwrap() {
        let req = cellsweep_ingest::IngestRequest {
            path: f,
            profile: None,
            request_ref: None,
            operator: None,
            region: Region::FR,
            threads: Some(1),
        };
        cellsweep_ingest::ingest(&mut ws, &req, &cellsweep_ingest::NoProgress).unwrap();
    }
    (dir, sim, ws_dir)
}

/// Writes candidates in the CLI's format, for the evaluator.
pub fn write_candidates(path: &Path, d: &cellsweep_detect::Detection) {
    let mut out =
        String::from("device_id,imei,imsi,msisdn,facility_id,probability,conditions,explanation\n");
    for c in &d.all {
        for (imei, imsi, _) in &c.pairings {
            let imei = if *imei == 0 {
                String::new()
            } else {
                format!("{imei:014}")
            };
            let imsi = if *imsi == 0 {
                String::new()
            } else {
                format!("{imsi:015}")
            };
            out += &format!(
                "{},{imei},{imsi},,{},{:.4},,\n",
                c.device, c.facility, c.probability
            );
        }
    }
    std::fs::write(path, out).unwrap();
}
