//! Issue 4's done criterion: every layout the simulator writes ingests, and what is quarantined
//! is exactly the deliberately damaged rows (docs/operator-data.md), each with its reason.

mod common;

use common::run;

#[test]
fn every_simulated_delivery_ingests() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::simulate_demo(d, 7);
    let out = run(d, &["ingest", "ws", "sim/operator"]);
    let ws = cellsweep_store::Workspace::open(&d.join("ws")).unwrap();
    let sources = ws.sources().unwrap();
    let formats: std::collections::BTreeSet<&str> =
        sources.iter().map(|s| s.format.as_str()).collect();
    assert_eq!(
        formats.into_iter().collect::<Vec<_>>(),
        [
            "en-comma",
            "etsi-102657",
            "fr-semicolon",
            "parquet-canonical"
        ],
        "{out}"
    );
    for s in &sources {
        assert!(s.rows_accepted > 0, "{s:?}");
        // The default damage share is 0.1 %: far below 1 % of any file.
        assert!(s.rows_quarantined * 100 < s.rows_in, "{s:?}");
    }
    // Every reason is one of the documented damage kinds.
    let expected = [
        "fields, the header has",
        "wrong check digit",
        "digits, expected 14 or 15",
        "is not a valid time",
        "nonexistent local time",
        "unknown record type",
        "unknown event type",
        "unknown service type",
        "cell `",
        "user location information",
        "no identity",
        "invalid UTF-8",
    ];
    for q in ws.quarantined(None, 1_000_000).unwrap() {
        assert!(
            expected.iter().any(|e| q.reason.contains(e)),
            "unexpected quarantine reason: {q:?}"
        );
    }
    // Ingesting the deliveries again changes nothing.
    let again = run(d, &["ingest", "ws", "sim/operator"]);
    assert_eq!(
        again.matches("nothing changed").count(),
        sources.len(),
        "{again}"
    );
}
