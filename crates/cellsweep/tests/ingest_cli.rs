//! End to end: `cellsweep ingest`, `quarantine` and `request` through the real binary, in a
//! temporary directory; the transcript is a snapshot with paths and times filtered out.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cellsweep-ingest/tests/fixtures")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn cellsweep(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CELLSWEEP_REGION")
        .env_remove("CELLSWEEP_CRASH_AT")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Replaces temporary paths, times of day, durations and rates.
fn filter(dir: &Path, text: &str) -> String {
    let text = text
        .replace(&dir.display().to_string(), "[TMP]")
        .replace(&fixtures().display().to_string(), "[FIXTURES]");
    text.lines()
        .map(|l| {
            if l.ends_with(" rows/s") {
                "[TIME], [RATE] rows/s".to_owned()
            } else if let Some(i) = l.find(" on 20") {
                // `already ingested ... on 2026-...Z (same SHA-256)`
                let end = l[i..].find(" (").map_or(l.len(), |j| i + j);
                format!("{} on [TIME]{}", &l[..i], &l[end..])
            } else if l.contains("<Timestamp>")
                || l.contains("<TransactionIdentifier>")
                || l.contains("<ObjectIdentifier>")
                || l.contains("<AssociatedObject>")
            {
                String::new()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ingest_quarantine_and_requests_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let f = fixtures();
    let fr = f.join("20801_towerdump_R2026-0042_001.csv");
    let en = f.join("20810_traffic_R2026-0042_001.csv");
    let xml = f.join("20815_traffic_R2026-0042_001.xml");
    let mut transcript = String::new();
    let mut step = |args: &[&str]| -> i32 {
        let r = cellsweep(d, args);
        transcript += &format!(
            "$ cellsweep {}\nexit: {}\n--- stdout\n{}\n--- stderr\n{}\n",
            filter(d, &args.join(" ")),
            r.code,
            filter(d, &r.stdout),
            filter(d, &r.stderr)
        );
        r.code
    };
    assert_eq!(step(&["init", "ws"]), 0);
    let (fr, en, xml) = (
        fr.to_str().unwrap(),
        en.to_str().unwrap(),
        xml.to_str().unwrap(),
    );
    assert_eq!(
        step(&["ingest", "ws", fr, en, "--request-ref", "R2026-0042"]),
        0
    );
    assert_eq!(step(&["ingest", "ws", xml, "--profile", "etsi-102657"]), 0);
    // Re-ingesting is a no-op, a directory is walked.
    assert_eq!(step(&["ingest", "ws", f.to_str().unwrap()]), 0);
    assert_eq!(step(&["quarantine", "ws", "--source", "2", "--csv"]), 0);
    assert_eq!(step(&["ingest", "--suggest-profile", en]), 0);
    assert_eq!(step(&["ingest", "ws", "nothing.csv"]), 1);
    assert_eq!(step(&["ingest", "ws", fr, "--profile", "en-comma"]), 0);

    // Requests: a facility and cells around it.
    std::fs::write(
        d.join("fac.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"FR-REAU","name":"CP Réau","capacity":800},"geometry":{"type":"Point","coordinates":[2.5958,48.5975]}}]}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("cells.csv"),
        "operator,radio,cell_id,lat,lon,range_m\n208-01,2g,208-01-1a2b-3c4d,48.5975,2.5958,4000\n208-01,4g,208-01-0045a01,48.60,2.60,2500\n208-10,4g,208-10-0045a01,48.59,2.59,2500\n208-10,4g,208-10-0045a02,48.90,2.35,2500\n",
    )
    .unwrap();
    assert_eq!(
        step(&["ref", "import", "ws", "-k", "facilities", "fac.geojson"]),
        0
    );
    assert_eq!(
        step(&["ref", "import", "ws", "-k", "cells", "cells.csv"]),
        0
    );
    assert_eq!(
        step(&[
            "request",
            "tower-dump",
            "ws",
            "--facility",
            "FR-REAU",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-07",
            "--request-ref",
            "R2026-0042",
            "--out",
            "req"
        ]),
        0
    );
    std::fs::write(
        d.join("imeis.txt"),
        "# seized\n490154203237518\n35209900176148\n",
    )
    .unwrap();
    assert_eq!(
        step(&[
            "request",
            "traffic",
            "ws",
            "--imei-file",
            "imeis.txt",
            "--operator",
            "208-01",
            "--operator",
            "208-10",
            "--from",
            "2026-03-01T00:00:00Z",
            "--to",
            "2026-04-01T00:00:00Z",
            "--request-ref",
            "R2026-0043",
            "--out",
            "req"
        ]),
        0
    );
    let mut files: Vec<String> = std::fs::read_dir(d.join("req"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    transcript += &format!("requests written: {files:?}\n");
    insta::assert_snapshot!("ingest_end_to_end", transcript);
}

#[test]
fn ingest_and_request_help() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        vec!["ingest", "--help"],
        vec!["request", "--help"],
        vec!["request", "tower-dump", "--help"],
        vec!["request", "traffic", "--help"],
    ] {
        let r = cellsweep(tmp.path(), &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.contains("Usage: cellsweep"), "{args:?}");
    }
    let r = cellsweep(tmp.path(), &["ingest", "--show-profile", "fr-semicolon"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("ambiguous = \"file-order\""));
    // Usage errors: no workspace and no mode.
    assert_eq!(cellsweep(tmp.path(), &["ingest"]).code, 2);
}
