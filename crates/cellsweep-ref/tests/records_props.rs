//! Properties of the prison-record and RF-log readers: whatever the text under a valid header,
//! the import succeeds, never panics, counts every record once (rows in = accepted +
//! quarantined) and writes exactly the accepted rows.

use cellsweep_ids::Region;
use cellsweep_ref::{ImportOutcome, ImportRequest, Kind, import};
use cellsweep_store::Workspace;
use proptest::prelude::*;

/// Each kind with its header and, per column, values to draw rows from (good, bad, empty).
const KINDS: &[(Kind, &str, &[&[&str]])] = &[
    (
        Kind::Registry,
        "inmate_id,facility_id,zone_id,cell_no,from,to",
        &[
            &["D1", "D2", ""],
            &["F1", "F2", "F9", ""],
            &["A1", "B1", "C9", "A", ""],
            &["A1-101", "A1-102", "A1-999", ""],
            &["2026-02-02", "2026-02-10", "2026-02-30", "x", ""],
            &["2026-02-09", "2026-02-01", "2026-13-01", ""],
        ],
    ),
    (
        Kind::PhoneAuthorised,
        "inmate_id,facility_id,number,relation",
        &[
            &["D1", "D2", ""],
            &["F1", "F9", ""],
            &[
                "06 47 09 51 15",
                "+34621544790",
                "0647095115",
                "06 47",
                "abc",
                "",
            ],
            &["family", ""],
        ],
    ),
    (
        Kind::PhoneCalls,
        "inmate_id,facility_id,time,number,duration_s",
        &[
            &["D1", "D2", ""],
            &["F1", "F9", ""],
            &[
                "2026-03-02T08:00:27+01:00",
                "2026-03-02T07:00:27Z",
                "2026-03-29 02:30:00",
                "2026-10-25 02:30:00",
                "2026-03-02 09:00:00",
                "later",
                "",
            ],
            &["06 47 09 51 15", "0647095115", "+34621544790", "06", ""],
            &["0", "69", "-3", "1.5", ""],
        ],
    ),
    (
        Kind::Visits,
        "visit_id,facility_id,inmate_id,visitor_id,date,start,end,visitor_phone",
        &[
            &["V1", "V2", "V3", ""],
            &["F1", "F9", ""],
            &["D1", ""],
            &["D1-V01", ""],
            &["2026-03-02", "2026-02-30", ""],
            &["13:30", "25:00", ""],
            &["14:30", "13:00", ""],
            &["06 04 20 53 87", "06 04", ""],
        ],
    ),
    (
        Kind::Searches,
        "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi",
        &[
            &["S1", "S2", "S3", ""],
            &["F1", "F9", ""],
            &["A1", "B1", "C9", ""],
            &["A1-101", "A1-102", ""],
            &["2026-03-03", "2026-03-04", "2026-02-30", ""],
            &["found", "nothing_found", "maybe", ""],
            &["490154203237518", "356938035643809", "490154203237519", ""],
            &["208104027986621", "208104027986622", "2080", ""],
        ],
    ),
    (
        Kind::RfDetections,
        "detector_id,facility_id,zone_id,time,band",
        &[
            &["R1", "R2", ""],
            &["F1", "F9", ""],
            &["A1", "B1", "C9", ""],
            &[
                "2026-03-02T00:00:08+01:00",
                "2026-03-29 02:10:00",
                "soon",
                "",
            ],
            &["GSM900", ""],
        ],
    ),
];

const FACILITIES: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"F1","name":"CP Test"},"geometry":{"type":"Point","coordinates":[2.0,47.0]}},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A1","zone_type":"wing"},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A1-1","zone_type":"floor","parent":"A1","cells":["A1-101"]},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"B1","zone_type":"wing"},"geometry":null},
 {"type":"Feature","properties":{"id":"F2","name":"MA Point"},"geometry":{"type":"Point","coordinates":[2.5,47.5]}}
]}"#;

/// Rows the catalog holds for a kind, counted the way accepted rows are: one per accepted
/// record (a search's later rows add only a seizure).
fn stored(ws: &Workspace, kind: Kind) -> u64 {
    let sql = match kind {
        Kind::Registry => "SELECT count(*) FROM inmate_cells",
        Kind::PhoneAuthorised => "SELECT count(*) FROM authorised_numbers",
        Kind::PhoneCalls => "SELECT count(*) FROM official_calls",
        Kind::Visits => "SELECT count(*) FROM visits",
        Kind::Searches => {
            "SELECT (SELECT count(*) FROM searches WHERE NOT found) + (SELECT count(*) FROM seizures)"
        }
        Kind::RfDetections => "SELECT count(*) FROM rf_detections",
        _ => unreachable!(),
    };
    ws.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Imports `body` under each kind's header into a fresh workspace and checks the counts.
/// Returns (kind, rows in) per file.
fn import_all(with_facilities: bool, bodies: &[String]) -> Vec<(Kind, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let req = |kind, path| ImportRequest {
        kind,
        path,
        format: None,
        request_ref: None,
        replace: false,
        region: Region::FR,
    };
    if with_facilities {
        let p = dir.path().join("f.geojson");
        std::fs::write(&p, FACILITIES).unwrap();
        import(&mut ws, &req(Kind::Facilities, p)).unwrap();
    }
    let mut out = Vec::new();
    for ((kind, header, _), body) in KINDS.iter().zip(bodies) {
        let p = dir.path().join(format!("{kind}.csv"));
        std::fs::write(&p, format!("{header}\n{body}")).unwrap();
        match import(&mut ws, &req(*kind, p)).unwrap() {
            ImportOutcome::Imported { source, .. } => {
                assert_eq!(
                    source.rows_in,
                    source.rows_accepted + source.rows_quarantined
                );
                assert_eq!(
                    ws.quarantined(Some(source.id), usize::MAX).unwrap().len() as u64,
                    source.rows_quarantined
                );
                assert_eq!(stored(&ws, *kind), source.rows_accepted, "{kind}: {body:?}");
                out.push((*kind, source.rows_in));
            }
            ImportOutcome::AlreadyImported(_) => unreachable!("fresh workspace"),
        }
    }
    out
}

/// A body of rows drawn from each kind's value pools; some rows lose a field, some gain one.
fn rows_for(cols: &'static [&'static [&'static str]]) -> impl Strategy<Value = Vec<String>> {
    let row = (
        cols.iter().map(|pool| 0..pool.len()).collect::<Vec<_>>(),
        0..10u8,
    )
        .prop_map(move |(picks, shape)| {
            let mut fields: Vec<&str> = picks.iter().zip(cols).map(|(&i, p)| p[i]).collect();
            match shape {
                0 => {
                    fields.pop();
                }
                1 => fields.push("extra"),
                _ => {}
            }
            fields.join(",")
        });
    proptest::collection::vec(row, 0..25)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any text under a valid header: no panic, no failure, every record counted.
    #[test]
    fn arbitrary_text_is_counted(
        bodies in proptest::collection::vec("(?s)[a-zA-Z0-9,;\"\n\r :+./-]{0,300}|.{0,200}", KINDS.len()),
        with_facilities in any::<bool>(),
    ) {
        import_all(with_facilities, &bodies);
    }

    /// Plausible rows, good and bad: every non-blank line is exactly one row in.
    #[test]
    fn every_line_is_one_row(
        r0 in rows_for(KINDS[0].2),
        r1 in rows_for(KINDS[1].2),
        r2 in rows_for(KINDS[2].2),
        r3 in rows_for(KINDS[3].2),
        r4 in rows_for(KINDS[4].2),
        r5 in rows_for(KINDS[5].2),
        with_facilities in any::<bool>(),
    ) {
        let all = [r0, r1, r2, r3, r4, r5];
        let bodies: Vec<String> = all.iter().map(|r| r.iter().map(|l| format!("{l}\n")).collect()).collect();
        for ((kind, rows_in), lines) in import_all(with_facilities, &bodies).into_iter().zip(&all) {
            // Every generated line has commas, so even a row of empty fields is a record.
            let expected = lines.iter().filter(|l| !l.trim().is_empty()).count() as u64;
            prop_assert_eq!(rows_in, expected, "{}", kind);
        }
    }
}
