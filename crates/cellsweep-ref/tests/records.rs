//! The prison records and RF detector logs (`docs/records.md`), good and bad rows,
//! data-driven: each case imports small files into a workspace that already holds two
//! facilities, and snapshots what happened (counts, summary, every quarantined row with its
//! field and reason). Review changes with `INSTA_UPDATE=always cargo test` and `git diff`.

use cellsweep_ids::Region;
use cellsweep_ref::{Error, ImportOutcome, ImportRequest, Kind, import, import_searches};
use cellsweep_store::Workspace;

/// F1 has building A, wing A1 with prison cells A1-101..A1-103 on its floor A1-1, and wing B1
/// with no cell list; F2 is a point without zones.
const FACILITIES: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"F1","name":"CP Test"},
  "geometry":{"type":"Polygon","coordinates":[[[2.0,47.0],[2.004,47.0],[2.004,47.003],[2.0,47.003],[2.0,47.0]]]}},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A","zone_type":"building"},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A1","zone_type":"wing","parent":"A"},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A1-1","zone_type":"floor","parent":"A1","cells":["A1-101..A1-103"]},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"B1","zone_type":"wing"},"geometry":null},
 {"type":"Feature","properties":{"id":"F2","name":"MA Point"},"geometry":{"type":"Point","coordinates":[2.5,47.5]}}
]}"#;

fn request(kind: Kind, path: std::path::PathBuf) -> ImportRequest {
    ImportRequest {
        kind,
        path,
        format: None,
        request_ref: None,
        replace: false,
        region: Region::FR,
    }
}

/// A workspace, with the test facilities unless `bare`.
fn workspace(bare: bool) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    if !bare {
        let path = dir.path().join("facilities.geojson");
        std::fs::write(&path, FACILITIES).unwrap();
        let ImportOutcome::Imported { source, .. } =
            import(&mut ws, &request(Kind::Facilities, path)).unwrap()
        else {
            panic!()
        };
        assert_eq!(source.rows_quarantined, 0);
    }
    (dir, ws)
}

/// Imports `files` in order and renders the outcome of each.
fn run(dir: &tempfile::TempDir, ws: &mut Workspace, files: &[(Kind, &str, &str)]) -> String {
    let mut report = String::new();
    for (kind, name, content) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        match import(ws, &request(*kind, path)) {
            Ok(ImportOutcome::Imported {
                source, summary, ..
            }) => {
                report += &format!(
                    "{name} ({}): rows {} = {} accepted + {} quarantined; {summary}\n",
                    source.format, source.rows_in, source.rows_accepted, source.rows_quarantined
                );
                for q in ws.quarantined(Some(source.id), 1000).unwrap() {
                    // Paths in reasons are temporary.
                    let reason = q.reason.replace(&format!("{}/", dir.path().display()), "");
                    report += &format!(
                        "  line {} [{}] {reason}\n",
                        q.line,
                        q.field.unwrap_or_default()
                    );
                }
            }
            Ok(ImportOutcome::AlreadyImported(s)) => {
                report += &format!("{name}: already imported as source {}\n", s.id)
            }
            Err(e) => {
                let e = e
                    .to_string()
                    .replace(&format!("{}/", dir.path().display()), "");
                report += &format!("{name}: error: {e}\n")
            }
        }
    }
    report
}

fn check(name: &str, files: &[(Kind, &str, &str)]) -> Workspace {
    let (dir, mut ws) = workspace(false);
    let report = run(&dir, &mut ws, files);
    insta::assert_snapshot!(name, report);
    ws
}

fn rows(ws: &Workspace, sql: &str) -> Vec<String> {
    let mut stmt = ws.conn().prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    cellsweep_store::rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                    cellsweep_store::rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    cellsweep_store::rusqlite::types::ValueRef::Text(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                    other => format!("{other:?}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join(","))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn registry() {
    let csv = "inmate_id,facility_id,zone_id,cell_no,from,to\n\
D1,F1,A1,A1-101,2026-02-02,2026-02-10\n\
D1,F1,A1,A1-102,2026-02-11,\n\
D2,F2,Q,7,02/02/2026,\n\
D3,F1,A1,A1-103,2026-02-02,2026-02-20\n\
D3,F1,A1,A1-101,2026-02-15,\n\
D4,F1,A1,A1-101,2026-02-10,2026-02-01\n\
D5,F1,A1,A1-101,2026-02-30,\n\
D6,F1,A1,A1-101,2026-02-02,2026-13-01\n\
,F1,A1,A1-101,2026-02-02,\n\
D7,F1,,A1-101,2026-02-02,\n\
D8,F1,A1,,2026-02-02,\n\
D9,F1,A1,A1-101,,\n\
D10,F9,A1,A1-101,2026-02-02,\n\
D11,F1,C9,A1-101,2026-02-02,\n\
D12,F1,A1,A1-999,2026-02-02,\n\
D13,F1,B1,B1-042,2026-02-02,\n\
D14,F1,A,A1-102,2026-02-02,\n\
D1,F1,A1,A1-103,2026-02-11,\n\
D15,F1,A1\n";
    let ws = check("registry", &[(Kind::Registry, "inmates.csv", csv)]);
    assert_eq!(
        rows(
            &ws,
            "SELECT inmate_id, cell_no, valid_from, coalesce(valid_to, '-'), source_line
             FROM inmate_cells WHERE inmate_id IN ('D1', 'D2') ORDER BY 1, 3"
        ),
        [
            "D1,A1-101,2026-02-02,2026-02-10,2",
            "D1,A1-102,2026-02-11,-,3",
            "D2,7,2026-02-02,-,4"
        ]
    );
}

#[test]
fn phone_authorised() {
    let csv = "inmate_id,facility_id,number,relation\n\
D1,F1,06 47 09 51 15,family\n\
D1,F1,+34 621 54 47 90,lawyer\n\
D1,F1,0647095115,again\n\
D2,F1,06 47 09 51 15,\n\
D3,F1,06 47,family\n\
D3,F1,06 47 O9 51 15,family\n\
D3,F1,,family\n\
,F1,06 47 09 51 15,family\n\
D3,F9,06 47 09 51 16,family\n";
    let ws = check(
        "phone_authorised",
        &[(Kind::PhoneAuthorised, "phone_authorised.csv", csv)],
    );
    assert_eq!(
        rows(
            &ws,
            "SELECT inmate_id, msisdn, coalesce(relation, '-') FROM authorised_numbers ORDER BY 1, 2"
        ),
        [
            "D1,+33647095115,family",
            "D1,+34621544790,lawyer",
            "D2,+33647095115,-"
        ]
    );
}

#[test]
fn phone_calls() {
    // The workspace zone is Europe/Paris: local readings are resolved in it, and the spring gap
    // and autumn repeat are quarantined.
    let csv = "inmate_id,facility_id,time,number,duration_s\n\
D1,F1,2026-03-02T08:00:27+01:00,06 47 09 51 15,69\n\
D1,F1,2026-03-02 09:00:00,+34621544790,0\n\
D1,F1,2026-07-02T09:00:00,06 47 09 51 15,10\n\
D1,F1,2026-03-02T07:00:27Z,0647095115,5\n\
D2,F1,2026-03-29 02:30:00,06 47 09 51 15,10\n\
D2,F1,2026-10-25 02:30:00,06 47 09 51 15,10\n\
D2,F1,2026-10-25T02:30:00+01:00,06 47 09 51 15,10\n\
D2,F1,02/03/2026 08:00,06 47 09 51 15,10\n\
D2,F1,2026-03-02T08:00:00+01:00,06 47,10\n\
D2,F1,2026-03-02T08:01:00+01:00,06 47 09 51 15,-3\n\
D2,F1,2026-03-02T08:02:00+01:00,06 47 09 51 15,1.5\n\
D2,F1,2026-03-02T08:03:00+01:00,06 47 09 51 15,\n\
D2,F9,2026-03-02T08:04:00+01:00,06 47 09 51 15,10\n\
D2,F1,,06 47 09 51 15,10\n";
    let ws = check("phone_calls", &[(Kind::PhoneCalls, "phone_calls.csv", csv)]);
    assert_eq!(
        rows(
            &ws,
            "SELECT inmate_id, at, msisdn, duration_s FROM official_calls ORDER BY source_line"
        ),
        [
            "D1,2026-03-02T07:00:27Z,+33647095115,69",
            "D1,2026-03-02T08:00:00Z,+34621544790,0",
            "D1,2026-07-02T07:00:00Z,+33647095115,10",
            "D2,2026-10-25T01:30:00Z,+33647095115,10"
        ]
    );
}

#[test]
fn visits() {
    let csv = "visit_id,facility_id,inmate_id,visitor_id,date,start,end,visitor_phone\n\
V1,F1,D1,D1-V01,2026-03-02,13:30,14:37,\n\
V2,F1,D1,D1-V02,2026-03-02,9:05,10:00,06 04 20 53 87\n\
V3,F1,D2,D2-V01,2026-03-02,14:00,13:59,\n\
V4,F1,D2,D2-V01,2026-03-02,14:00,15:00,06 04\n\
V5,F1,D2,D2-V01,2026-03-02,25:00,15:00,\n\
V6,F1,D2,D2-V01,2026-03-02,14:00,,\n\
V7,F1,D2,D2-V01,2026-02-30,14:00,15:00,\n\
V8,F1,D2,,2026-03-02,14:00,15:00,\n\
V9,F9,D2,D2-V01,2026-03-02,14:00,15:00,\n\
V1,F1,D1,D1-V01,2026-03-03,13:30,14:37,\n";
    let ws = check("visits", &[(Kind::Visits, "visits.csv", csv)]);
    assert_eq!(
        rows(
            &ws,
            "SELECT id, day, start_local, end_local, coalesce(visitor_msisdn, '-') FROM visits ORDER BY id"
        ),
        [
            "V1,2026-03-02,13:30,14:37,-",
            "V2,2026-03-02,09:05,10:00,+33604205387"
        ]
    );
}

#[test]
fn searches() {
    let csv = "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi\n\
S1,F1,A1,A1-101,2026-03-03,found,490154203237518,208104027986621\n\
S1,F1,A1,A1-101,2026-03-03,found,,208104027986622\n\
S1,F1,A1,A1-101,2026-03-03,found,49015420323751,\n\
S1,F1,A1,A1-102,2026-03-03,found,356938035643809,\n\
S1,F1,A1,A1-101,2026-03-04,found,356938035643809,\n\
S1,F1,A1,A1-101,2026-03-03,nothing_found,,\n\
S2,F1,B1,,2026-03-04,nothing_found,,\n\
S2,F1,B1,,2026-03-04,nothing_found,,\n\
S3,F1,A1,A1-103,2026-03-05,found,,\n\
S4,F1,A1,A1-103,2026-03-05,nothing_found,356938035643809,\n\
S5,F1,A1,A1-103,2026-03-05,maybe,,\n\
S6,F1,A1,A1-103,2026-03-05,found,490154203237519,\n\
S7,F1,A1,A1-103,2026-03-05,found,,2080\n\
S8,F1,A1,A1-999,2026-03-05,nothing_found,,\n\
S9,F9,A1,A1-103,2026-03-05,nothing_found,,\n\
S10,F1,A1,A1-103,,nothing_found,,\n\
S11,F1,A1,A1-103,2026-03-05,found,356938035643809,208104027986621\n";
    let ws = check("searches", &[(Kind::Searches, "searches.csv", csv)]);
    assert_eq!(
        rows(
            &ws,
            "SELECT id, zone_id, coalesce(cell_no, '-'), day, found, source_line FROM searches ORDER BY source_line"
        ),
        [
            "S1,A1,A1-101,2026-03-03,1,2",
            "S2,B1,-,2026-03-04,0,8",
            "S11,A1,A1-103,2026-03-05,1,18"
        ]
    );
    // Text and integer keys as `cellsweep-ids` gives them; the exhibit reference numbers the
    // devices of a search; every seizure starts its chain of custody.
    assert_eq!(
        rows(
            &ws,
            "SELECT z.search_id, coalesce(z.imei, '-'), coalesce(z.imsi, '-'),
                    coalesce(z.imei_key, '-'), coalesce(z.imsi_key, '-'), z.exhibit_ref,
                    c.seq, c.at, c.action, c.holder
             FROM seizures z JOIN custody c ON c.seizure_id = z.id ORDER BY z.id"
        ),
        [
            "S1,49015420323751,208104027986621,49015420323751,208104027986621,S1/1,1,2026-03-03,seized,F1",
            "S1,-,208104027986622,-,208104027986622,S1/2,1,2026-03-03,seized,F1",
            "S11,35693803564380,208104027986621,35693803564380,208104027986621,S11/1,1,2026-03-05,seized,F1",
        ]
    );
}

#[test]
fn rf_detections() {
    let csv = "detector_id,facility_id,zone_id,time,band\n\
F1-RF-A1,F1,A1,2026-03-02T00:00:08+01:00,GSM900\n\
F1-RF-A1,F1,A1,2026-03-02T00:00:08+01:00,GSM900\n\
F1-RF-B1,F1,B1,2026-03-02 00:00:14,\n\
F1-RF-A1,F1,A1,2026-03-29 02:10:00,LTE800\n\
F1-RF-C1,F1,C1,2026-03-02T00:00:08+01:00,GSM900\n\
F9-RF-A1,F9,A1,2026-03-02T00:00:08+01:00,GSM900\n\
F1-RF-A1,F1,A1,soon,GSM900\n\
,F1,A1,2026-03-02T00:00:08+01:00,GSM900\n";
    let ws = check(
        "rf_detections",
        &[(Kind::RfDetections, "rf_detections.csv", csv)],
    );
    assert_eq!(
        rows(
            &ws,
            "SELECT detector_id, zone_id, at_us, coalesce(band, '-') FROM rf_detections ORDER BY source_line"
        ),
        [
            "F1-RF-A1,A1,1772406008000000,GSM900",
            "F1-RF-A1,A1,1772406008000000,GSM900",
            "F1-RF-B1,B1,1772406014000000,-"
        ]
    );
}

/// Without facilities in the workspace there is nothing to check places against.
#[test]
fn no_facilities_no_place_checks() {
    let (dir, mut ws) = workspace(true);
    let report = run(
        &dir,
        &mut ws,
        &[
            (
                Kind::Registry,
                "inmates.csv",
                "inmate_id,facility_id,zone_id,cell_no,from,to\nD1,F9,Z,1,2026-02-02,\n",
            ),
            (
                Kind::Searches,
                "searches.csv",
                "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi\nS1,F9,Z,1,2026-03-03,nothing_found,,\n",
            ),
        ],
    );
    insta::assert_snapshot!("no_facilities", report);
}

/// A later file: the registry, authorised numbers and visits update matching keys; a call, an RF
/// burst or a search already recorded from another file is quarantined with a pointer to it.
#[test]
fn later_files() {
    let reg = "inmate_id,facility_id,zone_id,cell_no,from,to\n";
    let calls = "inmate_id,facility_id,time,number,duration_s\n";
    let rf = "detector_id,facility_id,zone_id,time,band\n";
    let searches = "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi\n";
    let ws = check(
        "later_files",
        &[
            (
                Kind::Registry,
                "feb.csv",
                &format!("{reg}D1,F1,A1,A1-101,2026-02-02,\n"),
            ),
            (
                Kind::Registry,
                "mar.csv",
                &format!(
                    "{reg}D1,F1,A1,A1-101,2026-02-02,2026-03-01\nD1,F1,A1,A1-102,2026-03-02,\n"
                ),
            ),
            (
                Kind::PhoneCalls,
                "calls-1.csv",
                &format!("{calls}D1,F1,2026-03-02T08:00:27+01:00,06 47 09 51 15,69\n"),
            ),
            (
                Kind::PhoneCalls,
                "calls-2.csv",
                &format!(
                    "{calls}D1,F1,2026-03-02T07:00:27Z,+33647095115,69\nD1,F1,2026-03-03T08:00:00+01:00,06 47 09 51 15,12\n"
                ),
            ),
            (
                Kind::RfDetections,
                "rf-1.csv",
                &format!("{rf}R1,F1,A1,2026-03-02T00:00:08+01:00,GSM900\n"),
            ),
            (
                Kind::RfDetections,
                "rf-2.csv",
                &format!(
                    "{rf}R1,F1,A1,2026-03-02T00:00:08+01:00,GSM900\nR1,F1,A1,2026-03-02T00:00:09+01:00,GSM900\n"
                ),
            ),
            (
                Kind::Searches,
                "searches-1.csv",
                &format!("{searches}S1,F1,A1,A1-101,2026-03-03,nothing_found,,\n"),
            ),
            (
                Kind::Searches,
                "searches-2.csv",
                &format!(
                    "{searches}S1,F1,A1,A1-101,2026-03-03,nothing_found,,\nS2,F1,A1,A1-101,2026-03-04,nothing_found,,\n"
                ),
            ),
            (
                Kind::Searches,
                "searches-2-copy.csv",
                &format!(
                    "{searches}S1,F1,A1,A1-101,2026-03-03,nothing_found,,\nS2,F1,A1,A1-101,2026-03-04,nothing_found,,\n"
                ),
            ),
        ],
    );
    assert_eq!(
        rows(
            &ws,
            "SELECT cell_no, valid_from, coalesce(valid_to, '-') FROM inmate_cells ORDER BY 2"
        ),
        ["A1-101,2026-02-02,2026-03-01", "A1-102,2026-03-02,-"]
    );
}

#[test]
fn whole_file_failures() {
    let (dir, mut ws) = workspace(false);
    let report = run(
        &dir,
        &mut ws,
        &[
            (Kind::Registry, "what.csv", "name,cell\nx,1\n"),
            (
                Kind::PhoneCalls,
                "nodur.csv",
                "inmate_id,facility_id,time,number\nD1,F1,2026-03-02T08:00:27+01:00,0647095115\n",
            ),
            (Kind::Searches, "empty.csv", ""),
        ],
    );
    insta::assert_snapshot!("records_whole_file_failures", report);
}

#[test]
fn unknown_time_zone_fails_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    Workspace::init(&root).unwrap();
    let cfg = root.join("workspace.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replace("Europe/Paris", "Mars/Olympus_Mons")).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    let path = dir.path().join("rf.csv");
    std::fs::write(
        &path,
        "detector_id,facility_id,zone_id,time,band\nR1,F1,A1,2026-03-02 00:00:08,GSM900\n",
    )
    .unwrap();
    let err = import(&mut ws, &request(Kind::RfDetections, path)).unwrap_err();
    assert!(matches!(err, Error::TimeZone { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "the workspace time zone `Mars/Olympus_Mons` (`timezone` in workspace.toml) is not a known IANA time zone"
    );
    assert!(ws.sources().unwrap().is_empty());
}

/// The entry point `cellsweep outcomes record` uses: the searches and seizures a file added.
#[test]
fn import_searches_returns_what_it_added() {
    let (dir, mut ws) = workspace(false);
    let head =
        "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi,plan_ref\n";
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("{head}{body}")).unwrap();
        p
    };
    let past = write(
        "past.csv",
        "S1,F1,A1,A1-101,2026-03-03,found,490154203237518,,\n",
    );
    let a = import_searches(&mut ws, &request(Kind::Searches, past)).unwrap();
    assert_eq!(a.searches, ["S1"]);
    assert_eq!(a.seizures.len(), 1);
    // Outcomes of a plan: new searches with their plan reference; the kind asked for is
    // irrelevant, the file is read as searches.
    let outcomes = write(
        "outcomes.csv",
        "P1-1,F1,A1,A1-102,2026-03-10,found,356938035643809,208104027986621,PLAN-7\n\
P1-1,F1,A1,A1-102,2026-03-10,found,,208104027986622,PLAN-7\n\
P1-2,F1,B1,,2026-03-10,nothing_found,,,PLAN-7\n\
S1,F1,A1,A1-101,2026-03-03,found,490154203237518,,\n",
    );
    let b = import_searches(&mut ws, &request(Kind::Ledger, outcomes.clone())).unwrap();
    let ImportOutcome::Imported { source, .. } = &b.outcome else {
        panic!()
    };
    assert_eq!(source.kind, "searches");
    assert_eq!(
        (
            source.rows_in,
            source.rows_accepted,
            source.rows_quarantined
        ),
        (4, 3, 1)
    );
    assert_eq!(b.searches, ["P1-1", "P1-2"]);
    assert_eq!(b.seizures.len(), 2);
    assert!(b.seizures.iter().all(|id| !a.seizures.contains(id)));
    assert_eq!(
        rows(
            &ws,
            "SELECT id, coalesce(plan_ref, '-') FROM searches ORDER BY id"
        ),
        ["P1-1,PLAN-7", "P1-2,PLAN-7", "S1,-"]
    );
    // The same file again: nothing added.
    let c = import_searches(&mut ws, &request(Kind::Searches, outcomes)).unwrap();
    assert!(matches!(c.outcome, ImportOutcome::AlreadyImported(_)));
    assert!(c.searches.is_empty() && c.seizures.is_empty());
}

#[test]
fn searches_cannot_be_replaced() {
    let (dir, mut ws) = workspace(false);
    let path = dir.path().join("s.csv");
    std::fs::write(
        &path,
        "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi\nS1,F1,A1,A1-101,2026-03-03,nothing_found,,\n",
    )
    .unwrap();
    let req = ImportRequest {
        replace: true,
        ..request(Kind::Searches, path)
    };
    let err = import(&mut ws, &req).unwrap_err();
    assert!(matches!(err, Error::ReplaceRefused { .. }), "{err}");
    // Registry rows can be replaced.
    let reg = dir.path().join("r.csv");
    let write_reg = |body: &str| {
        std::fs::write(
            &reg,
            format!("inmate_id,facility_id,zone_id,cell_no,from,to\n{body}"),
        )
        .unwrap();
    };
    write_reg("D1,F1,A1,A1-101,2026-02-02,\n");
    import(&mut ws, &request(Kind::Registry, reg.clone())).unwrap();
    write_reg("D2,F1,A1,A1-102,2026-02-02,\n");
    import(
        &mut ws,
        &ImportRequest {
            replace: true,
            ..request(Kind::Registry, reg.clone())
        },
    )
    .unwrap();
    assert_eq!(rows(&ws, "SELECT inmate_id FROM inmate_cells"), ["D2"]);
}
