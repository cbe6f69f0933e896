//! `cellsweep plan`, `locate`, `play-searches`, `outcomes record` and `evaluate plan` driven
//! as a user would: simulate, import references and prison records, ingest, detect, then two
//! rounds of plan → searches → outcomes, with the outputs checked for shape and content.

mod common;

use common::{cmd, run};

fn field(report: &str, label: &str) -> f64 {
    report
        .lines()
        .find(|l| l.starts_with(label))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no `{label}` in\n{report}"))
}

#[test]
fn plan_search_record_and_plan_again() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::simulate_demo(d, 7);
    // Planning before detection: a clear error.
    let early = cmd(d, &["plan", "ws", "--out", "p.csv"]);
    assert_eq!(early.status.code(), Some(1));
    common::import(d, &common::REFERENCE);
    common::import(d, &common::PRISON);
    run(d, &["ingest", "ws", "sim/operator"]);
    run(d, &["detect", "ws", "--out", "candidates.csv"]);

    let report = run(
        d,
        &[
            "plan",
            "ws",
            "--budget",
            "30",
            "--out",
            "plan1.csv",
            "--locations",
            "loc.csv",
        ],
    );
    assert!(report.contains("30 searches"), "{report}");
    let plan = std::fs::read_to_string(d.join("plan1.csv")).unwrap();
    let mut lines = plan.lines();
    assert_eq!(
        lines.next(),
        Some("facility_id,zone_id,cell_no,searches,expected_finds,target_devices")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(!rows.is_empty());
    let total: u32 = rows.iter().map(|r| r[3].parse::<u32>().unwrap()).sum();
    assert_eq!(total, 30);
    assert!(rows.iter().all(|r| r[4].parse::<f64>().unwrap() >= 0.0));

    // Against the truth: better than searching at random, no better than perfect knowledge.
    let eval = run(
        d,
        &[
            "evaluate",
            "plan",
            "--truth",
            "sim/truth/devices.csv",
            "--plan",
            "plan1.csv",
            "--budget",
            "30",
        ],
    );
    let (plan_e, random, oracle) = (
        field(&eval, "plan expected"),
        field(&eval, "random expected"),
        field(&eval, "oracle expected"),
    );
    assert!(plan_e > random, "{eval}");
    assert!(plan_e <= oracle + 1e-9, "{eval}");

    // Locate the first located device: probabilities and reasons.
    let loc = std::fs::read_to_string(d.join("loc.csv")).unwrap();
    let device = loc
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let located = run(d, &["locate", "ws", &device]);
    assert!(
        located.contains("zones:") && located.contains("why:"),
        "{located}"
    );
    assert!(located.contains("prison records"), "{located}");

    // Round 1 carried out by the simulated teams, recorded, then a second plan.
    let played = run(
        d,
        &[
            "play-searches",
            "--sim",
            "sim",
            "--plan",
            "plan1.csv",
            "--date",
            "2026-03-09",
            "--out",
            "out1.csv",
        ],
    );
    assert!(played.contains("30 searches"), "{played}");
    let recorded = run(
        d,
        &[
            "outcomes",
            "record",
            "ws",
            "out1.csv",
            "--plan-ref",
            "plan1",
        ],
    );
    assert!(
        recorded.contains("outcomes            30 searches"),
        "{recorded}"
    );
    // The same report again changes nothing.
    let again = run(d, &["outcomes", "record", "ws", "out1.csv"]);
    assert!(again.contains("nothing changed"), "{again}");
    run(d, &["plan", "ws", "--budget", "30", "--out", "plan2.csv"]);
    let found: Vec<String> = std::fs::read_to_string(d.join("out1.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(",found,"))
        .map(|l| l.split(',').nth(6).unwrap().to_owned())
        .collect();
    // A seized phone is not targeted again.
    let plan2 = std::fs::read_to_string(d.join("plan2.csv")).unwrap();
    let candidates = std::fs::read_to_string(d.join("candidates.csv")).unwrap();
    for imei in &found {
        for c in candidates.lines().filter(|l| l.contains(imei.as_str())) {
            let dev = c.split(',').next().unwrap();
            assert!(!plan2.contains(dev), "seized device {dev} planned again");
        }
    }
    let played2 = run(
        d,
        &[
            "play-searches",
            "--sim",
            "sim",
            "--plan",
            "plan2.csv",
            "--date",
            "2026-03-10",
            "--round",
            "2",
            "--after",
            "out1.csv",
            "--out",
            "out2.csv",
        ],
    );
    assert!(played2.starts_with("round 2"), "{played2}");
    let out2 = std::fs::read_to_string(d.join("out2.csv")).unwrap();
    for imei in &found {
        assert!(!out2.contains(imei.as_str()), "{imei} seized twice");
    }

    // A damaged plan file is refused with file, line and field.
    std::fs::write(
        d.join("bad.csv"),
        "facility_id,zone_id,cell_no,searches,expected_finds,target_devices\nF001,A1,A1-101,-3,0.1,\n",
    )
    .unwrap();
    let bad = cmd(
        d,
        &[
            "evaluate",
            "plan",
            "--truth",
            "sim/truth/devices.csv",
            "--plan",
            "bad.csv",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bad.csv line 2, field `searches`"), "{err}");
    let bad_ev = cmd(
        d,
        &[
            "plan",
            "ws",
            "--out",
            "x.csv",
            "--evidence",
            "radio,psychic",
        ],
    );
    assert_eq!(bad_ev.status.code(), Some(1));
}
