//! Detection end to end on a simulated nation: from deliveries to scored candidates, measured
//! against the truth, and repeatable.

mod common;

use cellsweep_detect::{Settings, run};
use cellsweep_query::Engine;
use cellsweep_store::Workspace;

#[test]
fn finds_contraband_phones_and_never_lists_allow_listed_ones() {
    let (_dir, sim, ws_dir) = common::prepared(21);
    let ws = Workspace::open(&ws_dir).unwrap();
    let engine = Engine::local().unwrap();
    let d = run(&ws, &engine, &Settings::default()).unwrap();
    assert!(!d.candidates.is_empty());
    assert!(
        d.candidates
            .iter()
            .all(|c| !c.explanation.is_empty() && c.probability >= 0.5)
    );
    let scores = ws_dir.join("scores.csv");
    common::write_candidates(&scores, &d);
    let r =
        cellsweep_detect::evaluate::evaluate(&sim.join("truth/devices.csv"), &scores, 0.5).unwrap();
    assert_eq!(r.officials_listed, 0, "{r:?}");
    assert!(
        r.at.precision >= 0.85,
        "precision {:.3} ({:?})",
        r.at.precision,
        r.false_positives
    );
    assert!(r.at.recall >= 0.85, "recall {:.3}", r.at.recall);

    // A second run on the same data gives the same list.
    let again = run(&ws, &engine, &Settings::default()).unwrap();
    let key = |d: &cellsweep_detect::Detection| {
        d.candidates
            .iter()
            .map(|c| {
                (
                    c.device.clone(),
                    c.facility.clone(),
                    (c.probability * 1e6).round() as i64,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&d), key(&again));
    assert!(again.conditions_changed.is_none());
    // Changing the conditions is detected.
    let s = Settings {
        conditions: (
            "[[condition]]\nname = \"only-minis\"\nreason = \"r\"\nall = [\"mini_phone_tac\", \"!allow_listed\"]\n".into(),
            "test.toml".into(),
        ),
        ..Settings::default()
    };
    let changed = run(&ws, &engine, &s).unwrap();
    assert!(changed.conditions_changed.is_some());

    // Stage one day by day gives the presence features of one statement over every event.
    cellsweep_detect::register_tables(&ws, &engine).unwrap();
    let days = ws.event_scan_days().unwrap();
    assert!(days.len() > 1, "{} days", days.len());
    let presence_with = |batch_rows: u64| {
        let out = ws_dir.join(format!("agg-{batch_rows}/"));
        let batches =
            cellsweep_detect::features::aggregate(&engine, &days, &out, batch_rows).unwrap();
        engine
            .register_parquet("agg", std::slice::from_ref(&out), None)
            .unwrap();
        let p = cellsweep_detect::features::presence(&engine, 2, 3_000.0).unwrap();
        (batches, p)
    };
    let (one, whole) = presence_with(u64::MAX);
    let (each, daily) = presence_with(1);
    assert_eq!((one, each), (1, days.len()));
    assert!(!whole.is_empty());
    // Sums of floating-point shares depend on the order of their terms: equal to 1e-9.
    let rounded = |p: Vec<cellsweep_detect::features::Presence>| {
        p.into_iter()
            .map(|mut p| {
                p.inside_probability = (p.inside_probability * 1e9).round();
                p
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(rounded(whole), rounded(daily));

    // A detection run from before the day batches kept `agg` in one file: still readable.
    let run = cellsweep_detect::latest_run_dir(&ws).unwrap();
    let first = std::fs::read_dir(run.join("agg"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    std::fs::copy(&first, run.join("agg.parquet")).unwrap();
    std::fs::remove_dir_all(run.join("agg")).unwrap();
    cellsweep_detect::register_tables(&ws, &engine).unwrap();
    let n = engine.sql("SELECT count(*) AS n FROM agg").unwrap();
    let rows: u64 = parquet::file::reader::FileReader::metadata(
        &parquet::file::serialized_reader::SerializedFileReader::new(
            std::fs::File::open(run.join("agg.parquet")).unwrap(),
        )
        .unwrap(),
    )
    .file_metadata()
    .num_rows() as u64;
    assert_eq!(cellsweep_query::as_u64(&n, "n").unwrap(), [rows]);
}
