//! `cellsweep coverage`, `detect` and `evaluate detect` driven as a user would: simulate,
//! import, ingest, then the real binary's outputs checked for shape, content and errors.

mod common;

use common::{cmd, run};

#[test]
fn coverage_detect_and_evaluate_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::simulate_demo(d, 5);
    // Before any data: a clear error, not a crash.
    let early = cmd(d, &["detect", "ws", "--out", "c.csv"]);
    assert_eq!(early.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("no facilities"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );
    common::import(d, &common::REFERENCE);
    run(d, &["ingest", "ws", "sim/operator"]);

    // Coverage of the first facility: cells with shares in (0, 1].
    let ws = cellsweep_store::Workspace::open(&d.join("ws")).unwrap();
    let facility: String = ws
        .conn()
        .query_row("SELECT id FROM facilities ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(ws);
    let cov = run(d, &["coverage", "ws", &facility]);
    let mut lines = cov.lines();
    assert_eq!(
        lines.next(),
        Some("cell,share,inside_probability,consistent_timing_advance")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "no covering cell:\n{cov}");
    for r in &rows {
        let share: f64 = r.split(',').nth(1).unwrap().parse().unwrap();
        assert!(share > 0.0 && share <= 1.0, "{r}");
    }
    let missing = cmd(d, &["coverage", "ws", "no-such-facility"]);
    assert_eq!(missing.status.code(), Some(1));

    // Detect: the documented columns, one row per pairing, explanations in words.
    let summary = run(
        d,
        &[
            "detect",
            "ws",
            "--out",
            "candidates.csv",
            "--scores",
            "scores.csv",
        ],
    );
    assert!(summary.contains("candidates"), "{summary}");
    let mut r = csv::Reader::from_path(d.join("candidates.csv")).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "device_id",
            "imei",
            "imsi",
            "msisdn",
            "facility_id",
            "probability",
            "conditions",
            "explanation"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty(), "{summary}");
    for row in &rows {
        let p: f64 = row[5].parse().unwrap();
        assert!((0.5..=1.0).contains(&p), "{row:?}");
        assert!(row[7].contains("nights on cells covering"), "{row:?}");
        assert!(row[0].starts_with('D'), "{row:?}");
    }

    // Evaluate against the truth: the report's sections are all there.
    let report = run(
        d,
        &[
            "evaluate",
            "detect",
            "--truth",
            "sim/truth/devices.csv",
            "--candidates",
            "scores.csv",
        ],
    );
    for needle in [
        "precision",
        "recall",
        "false positives by true category",
        "precision-recall curve",
    ] {
        assert!(report.contains(needle), "{needle}:\n{report}");
    }
    let precision: f64 = report
        .lines()
        .find(|l| l.starts_with("precision "))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap();
    assert!(precision > 0.8, "{report}");

    // A broken conditions file is refused with its name and the reason.
    std::fs::write(
        d.join("bad.toml"),
        "[[condition]]\nname = \"x\"\nreason = \"r\"\nall = [\"mini_phon\"]\n",
    )
    .unwrap();
    let bad = cmd(
        d,
        &[
            "detect",
            "ws",
            "--out",
            "c2.csv",
            "--conditions",
            "bad.toml",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("mini_phon"),
        "{err}"
    );
}
