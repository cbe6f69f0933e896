//! `cellsweep simulate` end to end: the files a user gets, and memory bounded by one
//! facility-day rather than by the length of the period (peak RSS read from /proc while the
//! child runs: the workspace forbids the `unsafe` a `getrusage` call would need).

use std::path::Path;
use std::process::Command;

mod common;

fn simulate(scenario: &Path, out: &Path) -> String {
    let r = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .args(["simulate", "--scenario"])
        .arg(scenario)
        .args(["--seed", "3", "--out"])
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    String::from_utf8(r.stdout).unwrap()
}

#[test]
fn memory_does_not_grow_with_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[facilities]\ncount = 1\ncapacity = [300, 300]\n[outside]\nneighbours = [600, 600]\npassers_by_per_day = 50\n[delivery]\nformats = [\"parquet-canonical\", \"en-comma\", \"fr-semicolon\", \"parquet-canonical\"]\n";
    let mut peaks = Vec::new();
    for days in [4u32, 16] {
        let scenario = dir.path().join(format!("s{days}.toml"));
        std::fs::write(
            &scenario,
            format!("name = \"mem\"\nstart = 2026-03-02\ndays = {days}\n{base}"),
        )
        .unwrap();
        let out = dir.path().join(format!("out{days}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
            .args(["simulate", "--scenario"])
            .arg(&scenario)
            .args(["--seed", "3", "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status_path = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0u64;
        loop {
            if let Ok(text) = std::fs::read_to_string(&status_path)
                && let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:"))
            {
                peak_kib = peak_kib.max(line.split_whitespace().nth(1).unwrap().parse().unwrap());
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(child.wait().unwrap().success());
        let report = std::io::read_to_string(child.stdout.take().unwrap()).unwrap();
        let events: u64 = report
            .lines()
            .find(|l| l.starts_with("events"))
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        peaks.push((days, events, peak_kib));
    }
    let (d1, e1, m1) = peaks[0];
    let (d2, e2, m2) = peaks[1];
    assert!(e2 > e1 * 3, "{d2} days made {e2} events, {d1} days {e1}");
    // Four times the events, about the same memory: bounded by a facility-day, not the period.
    assert!(
        m2 < m1 + m1 / 3 + 20_000,
        "peak {m1} KiB for {d1} days but {m2} KiB for {d2} days"
    );
}

#[test]
fn writes_every_promised_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let report = simulate(Path::new("demo"), &out);
    assert!(report.contains("delivery files"), "{report}");
    for f in [
        "reference/facilities.geojson",
        "reference/cells.csv",
        "reference/tac.csv",
        "reference/tac-overlay.csv",
        "reference/ledger.csv",
        "reference/allowlist.csv",
        "reference/operators.csv",
        "requests.csv",
        "prison/inmates.csv",
        "prison/phone_authorised.csv",
        "prison/phone_calls.csv",
        "prison/visits.csv",
        "prison/searches.csv",
        "sensors/rf_detections.csv",
        "truth/devices.csv",
        "truth/README",
    ] {
        assert!(out.join(f).exists(), "missing {f}");
    }
    let manifest = std::fs::read_to_string(out.join("requests.csv")).unwrap();
    for layout in [
        "fr-semicolon",
        "en-comma",
        "etsi-102657",
        "parquet-canonical",
    ] {
        assert!(manifest.contains(layout), "no {layout} delivery");
    }
    let truth = std::fs::read_to_string(out.join("truth/devices.csv")).unwrap();
    assert_eq!(
        truth.lines().next().unwrap(),
        "imei,imsi,msisdn,category,contraband,facility_id,zone_id,cell_no,owner_id,handset_id"
    );
    // The reference files, the prison records and the RF logs import cleanly.
    let ws = dir.path().join("ws");
    let init = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .arg("init")
        .arg(&ws)
        .output()
        .unwrap();
    assert!(init.status.success());
    import_all(&ws, &out);
}

/// Imports every reference, prison and sensor file of a simulation with `ref import`, asserting
/// that none has a quarantined row; returns the `ref stats` output.
fn import_all(ws: &Path, out: &Path) -> String {
    let files = common::REFERENCE
        .iter()
        .chain(&common::PRISON)
        .chain(&[("rf-detections", "sensors/rf_detections.csv")]);
    for &(kind, file) in files {
        let r = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
            .args(["ref", "import"])
            .arg(ws)
            .args(["--kind", kind])
            .arg(out.join(file))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&r.stdout);
        assert!(
            r.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        assert!(stdout.contains(" + 0 quarantined"), "{kind}: {stdout}");
    }
    let r = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .args(["ref", "stats"])
        .arg(ws)
        .output()
        .unwrap();
    assert!(r.status.success());
    String::from_utf8(r.stdout).unwrap()
}

/// The `demo` world with RF detectors in every facility: the detector logs (identical bursts in
/// the same second included) import without a quarantined row, like the rest.
#[test]
fn rf_detector_logs_import_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/demo.toml"
    ))
    .unwrap();
    assert!(demo.contains("rf_detectors_share = 0.5"));
    let scenario = dir.path().join("rf.toml");
    std::fs::write(
        &scenario,
        demo.replace("rf_detectors_share = 0.5", "rf_detectors_share = 1.0"),
    )
    .unwrap();
    let out = dir.path().join("out");
    simulate(&scenario, &out);
    let rows = std::fs::read_to_string(out.join("sensors/rf_detections.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(rows > 1000, "{rows} RF rows");
    let ws = dir.path().join("ws");
    assert!(
        Command::new(env!("CARGO_BIN_EXE_cellsweep"))
            .arg("init")
            .arg(&ws)
            .output()
            .unwrap()
            .status
            .success()
    );
    let stats = import_all(&ws, &out);
    let line = stats
        .lines()
        .find(|l| l.trim_start().starts_with("RF detections"))
        .unwrap();
    assert_eq!(
        line.split_whitespace()
            .last()
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        rows,
        "{stats}"
    );
}
