//! Golden fixtures, one per simulator layout (docs/operator-data.md), each with every kind of
//! damaged row: the canonical rows and the quarantine reasons are snapshots.

mod common;

use std::sync::Arc;

use arrow::array::{ArrayRef, Int32Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use cellsweep_store::Workspace;
use common::*;

fn check(name: &str, file: &std::path::Path, profile: Option<&str>) -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let report = ingest_ok(&mut ws, file, profile);
    let s = &report.source;
    assert_eq!(s.rows_in, s.rows_accepted + s.rows_quarantined);
    insta::assert_snapshot!(format!("{name}_events"), render_events(&ws));
    insta::assert_snapshot!(format!("{name}_quarantine"), render_quarantine(&ws));
    let q = ws.quarantined(None, 1000).unwrap();
    assert!(
        q.iter().all(|q| !q.raw.is_empty()),
        "every quarantined row keeps its raw text"
    );
    // Keep the workspace alive for the caller's further checks.
    std::mem::forget(dir);
    ws
}

#[test]
fn fr_semicolon() {
    let ws = check(
        "fr_semicolon",
        &fixture("20801_towerdump_R2026-0042_001.csv"),
        None,
    );
    let s = &ws.sources().unwrap()[0];
    assert_eq!(s.format, "fr-semicolon");
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (18, 10, 8)
    );
    // Windows-1252 raw text is decoded for the quarantine.
    let q = ws.quarantined(None, 1).unwrap();
    assert!(
        q[0].raw.starts_with("02/03/2026 10:00:00;APPEL"),
        "{}",
        q[0].raw
    );
    let with_label = ws.quarantined(None, 2).unwrap();
    assert!(
        with_label[1].raw.contains("Réau - Château d'eau"),
        "{}",
        with_label[1].raw
    );
    assert!(
        s.note
            .as_deref()
            .unwrap()
            .contains("4 rows placed by the ambiguous-time policy `file-order`")
    );
}

#[test]
fn en_comma() {
    let ws = check(
        "en_comma",
        &fixture("20810_traffic_R2026-0042_001.csv"),
        None,
    );
    let s = &ws.sources().unwrap()[0];
    assert_eq!(
        (
            s.format.as_str(),
            s.rows_in,
            s.rows_accepted,
            s.rows_quarantined
        ),
        ("en-comma", 15, 6, 9)
    );
}

#[test]
fn etsi_102657() {
    let ws = check(
        "etsi_102657",
        &fixture("20815_traffic_R2026-0042_001.xml"),
        None,
    );
    let s = &ws.sources().unwrap()[0];
    assert_eq!(
        (
            s.format.as_str(),
            s.rows_in,
            s.rows_accepted,
            s.rows_quarantined
        ),
        ("etsi-102657", 12, 4, 8)
    );
}

/// The Parquet fixture is written here, from the documented input schema.
fn parquet_fixture(path: &std::path::Path) {
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "event_time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new("imei", DataType::Utf8, true),
        Field::new("imsi", DataType::Utf8, true),
        Field::new("msisdn", DataType::Utf8, true),
        Field::new("peer", DataType::Utf8, true),
        Field::new("event_type", DataType::Utf8, true),
        Field::new("direction", DataType::Utf8, true),
        Field::new("duration_s", DataType::Int32, true),
        Field::new("cell", DataType::Utf8, true),
        Field::new("radio", DataType::Utf8, true),
        Field::new("ta", DataType::Int32, true),
    ]));
    let t0 = 1_772_403_302_000_000i64;
    let s = |v: &[Option<&str>]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
    let ok = Some("490154203237518");
    let imsi = Some("208201234567890");
    let num = Some("+33612345678");
    let cell = Some("208-20-0045a01");
    let cols: Vec<ArrayRef> = vec![
        Arc::new(
            TimestampMicrosecondArray::from(vec![
                Some(t0),
                Some(t0 + 1),
                Some(t0 + 2),
                Some(t0 + 3),
                Some(t0 + 4),
                None,
                Some(t0 + 6),
                Some(t0 + 7),
                Some(t0 + 8),
            ])
            .with_timezone("UTC"),
        ),
        s(&[
            ok,
            Some("49015420323751"),
            None,
            Some("490154203237519"),
            ok,
            ok,
            ok,
            None,
            ok,
        ]),
        s(&[
            imsi,
            imsi,
            imsi,
            imsi,
            Some("208201234"),
            imsi,
            imsi,
            None,
            imsi,
        ]),
        s(&[num, num, None, num, num, num, num, None, num]),
        s(&[
            Some("+33144556677"),
            Some("3179"),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]),
        s(&[
            Some("call"),
            Some("sms"),
            Some("data"),
            Some("call"),
            Some("call"),
            Some("call"),
            Some("call_x"),
            Some("call"),
            Some("call"),
        ]),
        s(&[
            Some("mo"),
            Some("mt"),
            None,
            Some("mo"),
            Some("mo"),
            Some("mo"),
            Some("mo"),
            Some("mo"),
            Some("mo"),
        ]),
        Arc::new(Int32Array::from(vec![
            Some(90),
            None,
            Some(3600),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
        ])),
        s(&[
            cell,
            cell,
            Some("208-20-0000a1b2c"),
            cell,
            cell,
            cell,
            cell,
            cell,
            Some("208-20-ZZZZ"),
        ]),
        s(&[
            Some("4g"),
            Some("4g"),
            Some("5g"),
            Some("4g"),
            Some("4g"),
            Some("4g"),
            Some("4g"),
            Some("4g"),
            Some("4g"),
        ]),
        Arc::new(Int32Array::from(vec![
            Some(12),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_canonical() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("20820_traffic_R2026-0042_001.parquet");
    parquet_fixture(&file);
    let ws = check("parquet_canonical", &file, None);
    let s = &ws.sources().unwrap()[0];
    assert_eq!(
        (
            s.format.as_str(),
            s.rows_in,
            s.rows_accepted,
            s.rows_quarantined
        ),
        ("parquet-canonical", 9, 3, 6)
    );
}

#[test]
fn reimport_is_a_no_op_and_state_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let files = [
        "20801_towerdump_R2026-0042_001.csv",
        "20810_traffic_R2026-0042_001.csv",
        "20815_traffic_R2026-0042_001.xml",
    ];
    for f in files {
        ingest_ok(&mut ws, &fixture(f), None);
    }
    let before = (
        render_sources(&ws),
        render_events(&ws),
        render_quarantine(&ws),
        ws.event_parts(None).unwrap(),
    );
    for f in files {
        let out = cellsweep_ingest::ingest(
            &mut ws,
            &request(&fixture(f), None),
            &cellsweep_ingest::NoProgress,
        )
        .unwrap();
        assert!(matches!(
            out,
            cellsweep_ingest::IngestOutcome::AlreadyImported(_)
        ));
    }
    // The same content under another name is the same file.
    let copy = dir.path().join("renamed.csv");
    std::fs::copy(fixture(files[1]), &copy).unwrap();
    let out = cellsweep_ingest::ingest(
        &mut ws,
        &request(&copy, None),
        &cellsweep_ingest::NoProgress,
    )
    .unwrap();
    assert!(matches!(
        out,
        cellsweep_ingest::IngestOutcome::AlreadyImported(_)
    ));
    let after = (
        render_sources(&ws),
        render_events(&ws),
        render_quarantine(&ws),
        ws.event_parts(None).unwrap(),
    );
    assert_eq!(before, after);
}

#[test]
fn unusable_files_fail_whole_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let bad_header = dir.path().join("bad.csv");
    std::fs::write(&bad_header, "a;b;c\n1;2;3\n").unwrap();
    let not_xml = dir.path().join("broken.xml");
    std::fs::write(
        &not_xml,
        "<RetainedDataMessage><ResponseRecord></RetainedDataMessage>",
    )
    .unwrap();
    let mut errors = Vec::new();
    for (f, p) in [
        (&bad_header, None),
        (&bad_header, Some("fr-semicolon")),
        (&bad_header, Some("no-such-profile")),
        (&not_xml, None),
    ] {
        let e = cellsweep_ingest::ingest(&mut ws, &request(f, p), &cellsweep_ingest::NoProgress)
            .unwrap_err();
        errors.push(
            e.to_string()
                .replace(&dir.path().display().to_string(), "[TMP]"),
        );
    }
    insta::assert_snapshot!("unusable_files", errors.join("\n"));
    assert!(ws.sources().unwrap().is_empty());
    assert!(ws.event_parts(None).unwrap().is_empty());
    assert!(
        !ws.root().join("events/.staging").exists()
            || std::fs::read_dir(ws.root().join("events/.staging"))
                .unwrap()
                .next()
                .is_none()
    );
}

#[test]
fn ambiguous_policies() {
    // The same autumn rows under each policy.
    let base = cellsweep_ingest::builtin_text("fr-semicolon").unwrap();
    let mut out = String::new();
    for policy in ["reject", "earlier", "later", "file-order"] {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("p.toml");
        std::fs::write(
            &profile,
            base.replace(
                "ambiguous = \"file-order\"",
                &format!("ambiguous = \"{policy}\""),
            ),
        )
        .unwrap();
        let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
        let r = ingest_ok(
            &mut ws,
            &fixture("20801_towerdump_R2026-0042_001.csv"),
            Some(profile.to_str().unwrap()),
        );
        out += &format!(
            "== {policy}: {} resolved, {} quarantined\n",
            r.ambiguous_resolved, r.source.rows_quarantined
        );
        for l in render_events(&ws)
            .lines()
            .filter(|l| l.contains(" 2026-10-25"))
        {
            out += &format!("{}\n", &l[..l.find(" imei").unwrap()]);
        }
        for l in render_quarantine(&ws)
            .lines()
            .filter(|l| l.contains("ambiguous"))
        {
            out += &format!("{l}\n");
        }
    }
    insta::assert_snapshot!("ambiguous_policies", out);
}

#[test]
fn file_order_without_the_clock_going_back_is_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("sparse.csv");
    let h = "DATE_HEURE;TYPE_EVT;SENS;DUREE;NUM_A;IMSI_A;IMEI_A;NUM_B;CGI;TECHNO;AT;LIBELLE_SITE;LAT;LONG\r\n";
    let row = |t: &str| {
        format!(
            "{t};SMS;SORTANT;;0612345678;208011234567890;490154203237518;;208-01-6699-15437;2G;;x;1;2\r\n"
        )
    };
    std::fs::write(
        &f,
        format!(
            "{h}{}{}{}",
            row("25/10/2026 01:50:00"),
            row("25/10/2026 02:10:00"),
            row("25/10/2026 03:05:00")
        ),
    )
    .unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let r = ingest_ok(&mut ws, &f, Some("fr-semicolon"));
    assert_eq!(
        (
            r.source.rows_accepted,
            r.source.rows_quarantined,
            r.ambiguous_resolved
        ),
        (2, 1, 0)
    );
    insta::assert_snapshot!("file_order_undecidable", render_quarantine(&ws));
}
