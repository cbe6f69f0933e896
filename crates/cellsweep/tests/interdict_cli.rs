//! Interdiction driven as a user would (issue 7): the demo's workspace, then approvals, block
//! lists, disable requests, evidence packages, tampering with the audit log directly in the
//! catalog, and retention, all through the real binary.

use cellsweep_store::rusqlite::Connection;
use std::path::{Path, PathBuf};

mod common;

use common::{fail, run};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn manifest(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn count(m: &serde_json::Value, key: &str) -> u64 {
    m["counts"][key].as_u64().unwrap_or(0)
}

fn deltas(m: &serde_json::Value) -> Vec<String> {
    m["counts"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.contains("_delta_"))
        .cloned()
        .collect()
}

fn day_after(days: i64) -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

/// Tampers with a copy of the workspace and returns what `audit verify` says about it.
fn tampered(ws: &Path, at: &Path, sql: &str) -> String {
    copy_dir(ws, at);
    let conn = Connection::open(at.join("catalog.sqlite")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let (out, _) = fail(at, &["audit", "verify", "."], 4);
    out
}

#[test]
fn interdiction_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();

    // Issue 7, "done when": the demo ends with generated lists and one evidence package.
    let demo = run(d, &["demo", "--keep", "demo"]);
    assert!(demo.contains("== 9. interdiction"), "{demo}");
    assert!(demo.contains("generation 2 as of"), "{demo}");
    assert!(demo.contains("blacklist_delta_blocked="), "{demo}");
    assert!(
        demo.contains("audit log:") && demo.contains("intact"),
        "{demo}"
    );
    for f in ["demo/lists/lists-000001.zip", "demo/lists/lists-000002.zip"] {
        assert!(d.join(f).exists(), "{f}");
    }
    let evidence: Vec<PathBuf> = std::fs::read_dir(d.join("demo/evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        evidence.len(),
        2,
        "one package, HTML and JSON: {evidence:?}"
    );
    let ws = d.join("demo/workspace");
    let ws_s = ws.to_str().unwrap();

    // Approval refuses a file detect did not write, and a stale one.
    std::fs::write(
        d.join("forged.csv"),
        "device_id,imei,imsi,msisdn,facility_id,probability,conditions,explanation\n\
         D0000000000000001,35209900176148,,,F001,0.99,resident,made up\n",
    )
    .unwrap();
    let approve = |file: &str| {
        vec![
            "approve".to_owned(),
            ws_s.to_owned(),
            "--candidates".into(),
            file.into(),
            "--min-probability".into(),
            "0.9".into(),
            "--by".into(),
            "alice".into(),
            "--reason".into(),
            "REQ-2026-7: contraband phones".into(),
        ]
    };
    let args = approve("forged.csv");
    let (_, err) = fail(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), 1);
    assert!(
        err.contains("was not written by `cellsweep detect`"),
        "{err}"
    );
    run(d, &["detect", ws_s, "--out", "c.csv"]);
    // An import after detection makes its candidates stale.
    std::fs::write(
        d.join("allow2.csv"),
        "imei,holder,role,valid_from,reason\n35209900176148,chaplain,official,2025-01-01,chaplaincy phone\n",
    )
    .unwrap();
    run(
        d,
        &["ref", "import", ws_s, "--kind", "allowlist", "allow2.csv"],
    );
    let args = approve("c.csv");
    let (_, err) = fail(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), 1);
    assert!(
        err.contains("is stale") && err.contains("allow2.csv"),
        "{err}"
    );
    run(d, &["detect", ws_s, "--out", "c.csv"]);
    let args = approve("c.csv");
    let out = run(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.contains("approval 2:"), "{out}");

    // Generating twice with no change gives empty deltas.
    let later = day_after(30);
    let generate = |out: &str| {
        run(
            d,
            &[
                "lists",
                "generate",
                ws_s,
                "--out",
                out,
                "--as-of",
                &later,
                "--reason",
                "REQ-2026-7",
            ],
        )
    };
    generate("out");
    let m3 = manifest(&d.join("out/lists-000003.manifest.json"));
    assert!(count(&m3, "blacklist") > 100, "{m3}");
    generate("out");
    let m4 = manifest(&d.join("out/lists-000004.manifest.json"));
    assert_eq!(deltas(&m4), Vec::<String>::new(), "{m4}");
    assert_eq!(m4["previous_generation"], 3);
    for f in m4["files"].as_array().unwrap() {
        if f["name"].as_str().unwrap().ends_with("_delta.csv") {
            assert_eq!(f["rows"], 0, "{f}");
        }
    }

    // Disable requests: every device's state is queryable, every transition recorded.
    let status = run(
        d,
        &["disable", "status", ws_s, "--reference", "DEMO-DISABLE-001"],
    );
    let device = status
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').nth(3))
        .unwrap()
        .to_owned();
    assert!(
        status.lines().skip(1).all(|l| l.contains(",confirmed,")),
        "{status}"
    );
    let (_, err) = fail(
        d,
        &[
            "disable",
            "reject",
            ws_s,
            "DEMO-DISABLE-001",
            "--device",
            &device,
        ],
        1,
    );
    assert!(err.contains("needs `--reason`"), "{err}");
    run(
        d,
        &[
            "disable",
            "reverse",
            ws_s,
            "DEMO-DISABLE-001",
            "--device",
            &device,
            "--by",
            "judge",
            "--reason",
            "appeal granted: the phone belongs to a chaplain",
        ],
    );
    let (_, err) = fail(
        d,
        &[
            "disable",
            "reverse",
            ws_s,
            "DEMO-DISABLE-001",
            "--device",
            &device,
            "--reason",
            "again",
        ],
        1,
    );
    assert!(
        err.contains("is `reversed`; it cannot become `reversed`"),
        "{err}"
    );
    let history = run(
        d,
        &["disable", "status", ws_s, "--device", &device, "--history"],
    );
    let tos: Vec<&str> = history
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(
        tos,
        ["requested", "acknowledged", "confirmed", "reversed"],
        "{history}"
    );
    // The reversal lifts the block in the next generation: the IMEI is unblocked, or, when it
    // was held off the blacklist (a shared IMEI), the device's pairings are dropped.
    generate("out");
    let m5 = manifest(&d.join("out/lists-000005.manifest.json"));
    assert!(
        count(&m5, "blacklist_delta_unblocked") >= 1
            || m5.to_string().contains("reversed on appeal"),
        "{m5}"
    );

    // Evidence package of the reversed device: its transitions are in it.
    run(
        d,
        &[
            "evidence",
            ws_s,
            &device,
            "--out",
            "ev",
            "--to",
            "tribunal",
            "--reason",
            "REQ-2026-7",
        ],
    );
    let html = std::fs::read_to_string(d.join(format!("ev/{device}.html"))).unwrap();
    assert!(
        html.contains("reversed") && html.contains("Provenance"),
        "{html}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.join(format!("ev/{device}.json"))).unwrap(),
    )
    .unwrap();
    assert!(!json["provenance"].as_array().unwrap().is_empty());
    assert!(!json["timeline"].as_array().unwrap().is_empty());

    // The audit log holds every category, and verifies.
    let log = run(d, &["audit", "log", ws_s, "--limit", "100000"]);
    for action in [
        "collection",
        "alteration",
        "consultation",
        "disclosure",
        "combination",
    ] {
        assert!(log.contains(&format!(",{action},")), "{action}");
    }
    let ok = run(d, &["audit", "verify", ws_s]);
    assert!(ok.contains("intact"), "{ok}");

    // Issue 7, "done when": single entries edited, deleted and reordered in storage are caught.
    let out = tampered(
        &ws,
        &d.join("t-edit"),
        "UPDATE audit_log SET actor = 'nobody' WHERE seq = 10",
    );
    assert!(out.contains("first broken entry 10 (edited)"), "{out}");
    let out = tampered(
        &ws,
        &d.join("t-delete"),
        "DELETE FROM audit_log WHERE seq = 12",
    );
    assert!(out.contains("first broken entry 12 (removed)"), "{out}");
    let out = tampered(
        &ws,
        &d.join("t-reorder"),
        "UPDATE audit_log SET seq = -1 WHERE seq = 20;
         UPDATE audit_log SET seq = 20 WHERE seq = 21;
         UPDATE audit_log SET seq = 21 WHERE seq = -1;",
    );
    assert!(out.contains("first broken entry 20 (reordered)"), "{out}");
    let out = tampered(
        &ws,
        &d.join("t-insert"),
        "UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 15;
         UPDATE audit_log SET seq = -seq WHERE seq < 0;
         INSERT INTO audit_log VALUES (15, 'x', 'x', 'erasure', 'x', 'x', '', 'x', 'x', 'x');",
    );
    assert!(out.contains("first broken entry 15 (inserted)"), "{out}");

    // Retention: far in the future every operator file has expired; its events go, the
    // erasure is logged, the log still verifies.
    let parts_before = walk_count(&ws.join("events"));
    assert!(parts_before > 0);
    let out = run(
        d,
        &[
            "retention",
            "apply",
            ws_s,
            "--as-of",
            "2100-01-01",
            "--reason",
            "retention limit",
        ],
    );
    assert!(out.contains("erased source:"), "{out}");
    assert_eq!(walk_count(&ws.join("events")), 0);
    let shown = run(d, &["retention", "show", ws_s, "--as-of", "2100-01-01"]);
    assert!(!shown.contains("\nevents,"), "{shown}");
    let log = run(d, &["audit", "log", ws_s, "--limit", "100000"]);
    assert!(log.contains(",erasure,"), "{log}");
    assert!(run(d, &["audit", "verify", ws_s]).contains("intact"));
}

fn walk_count(dir: &Path) -> usize {
    if !dir.exists() {
        return 0;
    }
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { walk_count(&p) } else { 1 }
        })
        .sum()
}
