//! Every reference kind, good and bad rows, data-driven: each case imports a small file and
//! snapshots what happened (counts, summary, every quarantined row with its reason).
//! Review changes with `INSTA_UPDATE=always cargo test` and `git diff`.

use cellsweep_ids::Region;
use cellsweep_ref::{Error, Format, ImportOutcome, ImportRequest, Kind, import};
use cellsweep_store::Workspace;

/// Imports `files` in order into a fresh workspace and renders the outcome of each.
fn run(files: &[(Kind, &str, &str)]) -> (tempfile::TempDir, Workspace, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let mut report = String::new();
    for (kind, name, content) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let req = ImportRequest {
            kind: *kind,
            path,
            format: None,
            request_ref: None,
            replace: false,
            region: Region::FR,
        };
        match import(&mut ws, &req) {
            Ok(ImportOutcome::Imported {
                source, summary, ..
            }) => {
                report += &format!(
                    "{name} ({}): rows {} = {} accepted + {} quarantined; {summary}\n",
                    source.format, source.rows_in, source.rows_accepted, source.rows_quarantined
                );
                for q in ws.quarantined(Some(source.id), 1000).unwrap() {
                    report += &format!(
                        "  line {} [{}] {}\n",
                        q.line,
                        q.field.unwrap_or_default(),
                        q.reason
                    );
                }
            }
            Ok(ImportOutcome::AlreadyImported(s)) => {
                report += &format!("{name}: already imported as source {}\n", s.id)
            }
            Err(e) => report += &format!("{name}: error: {}\n", error_chain(&e)),
        }
    }
    (dir, ws, report)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s += &format!(": {c}");
        cur = c.source();
    }
    // Temporary paths differ per run.
    let re_tmp = s
        .find("`/")
        .map(|i| (i, s[i + 1..].find('`').map(|j| i + 1 + j)));
    if let Some((i, Some(j))) = re_tmp {
        let name = s[i + 1..j].rsplit('/').next().unwrap_or("").to_owned();
        s.replace_range(i..=j, &format!("`{name}`"));
    }
    s
}

fn check(name: &str, files: &[(Kind, &str, &str)]) {
    let (_d, _ws, report) = run(files);
    insta::assert_snapshot!(name, report);
}

const OPERATORS: &str = "mcc,mnc,brand,operator,country\n208,01,Orange,Orange S.A.,France\n208,10,SFR,SFR,France\n208,15,Free,Iliad,France\n208,20,Bouygues,Bouygues Telecom,France\n310,410,AT&T,AT&T Mobility,United States\n";

#[test]
fn facilities_geojson() {
    let fc = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"F1","name":"CP Test","type":"CP","capacity":400,"occupancy":"520","jammer_installed":"2026-03-02","jammer_bands":"GSM900, LTE800"},
  "geometry":{"type":"Polygon","coordinates":[[[2.0,47.0],[2.004,47.0],[2.004,47.003],[2.0,47.003],[2.0,47.0]]]}},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A","zone_type":"building","cells":["A101-A110"]},
  "geometry":{"type":"Polygon","coordinates":[[[2.001,47.001],[2.002,47.001],[2.002,47.002],[2.001,47.002],[2.001,47.001]]]}},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A-1","zone_type":"floor","parent":"A","cells":"A101, A102"},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"B","zone_type":"wing","parent":"Z"},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"OUT","zone_type":"building"},
  "geometry":{"type":"Polygon","coordinates":[[[2.1,47.1],[2.101,47.1],[2.101,47.101],[2.1,47.101],[2.1,47.1]]]}},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F1","id":"A","zone_type":"wing"},"geometry":null},
 {"type":"Feature","properties":{"id":"F2","name":"MA Point","capacity":150},"geometry":{"type":"Point","coordinates":[2.5,47.5]}},
 {"type":"Feature","properties":{"id":"F3","name":"Bow tie"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}},
 {"type":"Feature","properties":{"id":"F4","name":"Line"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
 {"type":"Feature","properties":{"id":"F5","name":"Far away"},"geometry":{"type":"Point","coordinates":[200,47]}},
 {"type":"Feature","properties":{"id":"F6"},"geometry":{"type":"Point","coordinates":[2,47]}},
 {"type":"Feature","properties":{"id":"F1","name":"Again"},"geometry":{"type":"Point","coordinates":[2,47]}},
 {"type":"Feature","properties":{"id":"F7","name":"Bad date","jammer_installed":"2026-02-30"},"geometry":{"type":"Point","coordinates":[2,47]}},
 {"type":"Feature","properties":{"id":"F8","name":"Bad count","capacity":-5},"geometry":{"type":"Point","coordinates":[2,47]}},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F9","id":"A","zone_type":"wing"},"geometry":null},
 {"type":"Feature","properties":{"kind":"zone","facility_id":"F2","id":"Q","zone_type":"wing","cells":["9-1"]},"geometry":null},
 {"type":"Feature","properties":{"kind":"chapel","id":"X"},"geometry":null}
]}"#;
    check(
        "facilities_geojson",
        &[(Kind::Facilities, "facilities.geojson", fc)],
    );
}

#[test]
fn facilities_national_csv() {
    let csv = "id,etablissement,quartier,cd_etablissement,lc_disp,adresse_etab,code_postal,ville_etab,latitude,longitude,capacite_norme,capacite_oper,ecroue_detenu,densite_car\n\
1,CP TEST,MA/QMA,100001,DISP PARIS,1 rue A,75000,PARIS,48.8,2.3,500,500,700,1.4\n\
2,CP TEST,CD/QCD,100001,DISP PARIS,1 rue A,75000,PARIS,48.8,2.3,100,100,NC,NC\n\
3,CP TEST,MA/QMA,100001,DISP PARIS,1 rue A,75000,PARIS,48.8,2.3,500,500,700,1.4\n\
4,CP SANS CODE,SAS,,DISP RENNES,,14000,CAEN,49.1,-0.3,50,50,40,0.8\n\
5,MA AUTRE,MA/QMA,100001,DISP LYON,,69000,LYON,45.7,4.8,10,10,10,1\n\
6,MA LOIN,MA/QMA,100002,DISP LYON,,69000,LYON,95.7,4.8,10,10,10,1\n\
7,MA VIRGULE,MA/QMA,100003,DISP LYON,,69000,LYON,\"45,75\",\"4,85\",10,10,douze,1\n\
8,MA COURT,MA/QMA\n";
    check(
        "facilities_national_csv",
        &[(Kind::Facilities, "prisons.csv", csv)],
    );
}

#[test]
fn cells_csv() {
    let csv = "operator,radio,cell_id,lat,lon,azimuth,beamwidth,range_m,site_id\n\
208-01,2g,208-01-1a2b-0c01,47.0,2.0,120,65,3000,S1\n\
20810,lte,208-10-0045a01,\"47,01\",\"2,01\",0,,,S2\n\
208-15,5g,208-15-12345,47.0,2.0,,,800,\n\
208-20,3g,sai:208-20-1000-2000,47.0,2.0,90,60,2000,\n\
208-20,3g,208-20-0000-2000,47.0,2.0,90,60,2000,\n\
208-01,4g,208-01-1a2b-0c01,47.0,2.0,120,65,3000,S1\n\
208-01,4g,208-10-0045a02,47.0,2.0,120,65,3000,S1\n\
208-01,6g,208-01-0045a02,47.0,2.0,120,65,3000,S1\n\
208-01,4g,208-01-0045a03,47.0,2.0,361,65,3000,S1\n\
208-01,4g,208-01-0045a04,47.0,2.0,10,0,3000,S1\n\
208-01,4g,208-01-0045a05,97.0,2.0,10,65,3000,S1\n\
208-01,4g,208-01-0045a06,47.0,2.0,10,65,-3,S1\n\
208-01,4g,208-01-10000000,47.0,2.0,10,65,100,S1\n\
208-01,4g,208-01-0045a01,47.0,2.0,10,65,100,S1\n\
999-99,4g,208-01-0045a07,47.0,2.0,10,65,100,S1\n";
    check(
        "cells_csv",
        &[
            (Kind::Operators, "operators.csv", OPERATORS),
            (Kind::Cells, "cells.csv", csv),
        ],
    );
}

#[test]
fn cells_arcep_sites() {
    let l93 = "Operateur;X;Y;2G;3G;4G\n20801;652000;6862000;1;1;0\n20801;652000;6862000;0;0;1\n20810;652010;6862000;0;0;0\n20815;#N/A;#N/A;0;1;0\n20820;652020;6862000;1;2;1\n2080;652030;6862000;1;0;0\n";
    check("cells_arcep_sites", &[(Kind::Cells, "sites.csv", l93)]);
}

#[test]
fn tac_osmocom_and_plain() {
    let osmo = "Osmocom TAC database under CC-BY-SA v3.0 (c) Harald Welte 2016\n\
tac,name,name,contributor,comment,gsmarena,gsmarena,aka\n\
35675904,Oppo,N1,x,,,,\n\
 35928060,AIEK/AEKU,M5,x,,,,\"mini-V9,M5 mini\"\n\
359280601,Bad,Nine,x,,,,\n\
35675904,Oppo,N1 again,x,,,,\n\
3567590A,Bad,Hex,x,,,,\n\
35675905,,NoBrand,x,,,,\n\
35675906,Only,three\n";
    let plain = "tac;brand;model\n86741801;GTStar;BM50\n35675904;Oppo;N1 (renamed)\n";
    check(
        "tac_osmocom_and_plain",
        &[
            (Kind::Tac, "tacdb.csv", osmo),
            (Kind::Tac, "plain.csv", plain),
        ],
    );
}

#[test]
fn tac_overlay() {
    let csv = "tac,brand,model,form_factor,contraband,note\n86741801,GTStar,BM50,mini,yes,\n35675904,,,smartphone,0,\n35675905,,,tiny,0,\n35675906,,,mini,peut-être,\n86741801,GTStar,BM50,mini,1,dup\n";
    check("tac_overlay", &[(Kind::TacOverlay, "overlay.csv", csv)]);
}

#[test]
fn operators_json() {
    let json = r#"[
 {"mcc":"208","mnc":"01","brand":"Orange","operator":"Orange S.A.","countryName":"France","countryCode":"FR","status":"Operational"},
 {"mcc":"208","mnc":"001","brand":"Test 3-digit","operator":"x"},
 {"mcc":"208","mnc":"01","brand":"Dup","operator":"dup"},
 {"mcc":"208","mnc":"50144","brand":"Private","operator":"p"},
 {"mcc":"314","mnc":"100 - 190","operator":"Reserved"},
 {"mcc":"704","mnc":"?","operator":"Unknown"},
 {"mcc":"099","mnc":"01","operator":"Bad MCC"},
 {"mcc":"995","mnc":"01","brand":"FonePlus","countryName":"British Indian Ocean Territory"},
 {"mnc":"02","operator":"No MCC"}
]"#;
    check(
        "operators_json",
        &[(Kind::Operators, "operators.json", json)],
    );
}

#[test]
fn ledger() {
    let csv = "imei,supplier,sold_at,buyer,channel\n\
490154203237518,Acme,2026-01-05,C1,online\n\
49015420323751,Acme,05/01/2026,C2,shop\n\
4901542032375100,Acme,2026-01-06 10:00:00,,\n\
490154203237519,Acme,2026-01-05,C1,online\n\
490154203237518,Acme,2026-01-05,C9,online\n\
490154203237518,,2026-01-05,C1,online\n\
490154203237518,Acme,,C1,online\n\
49015420323,Acme,2026-01-05,C1,online\n\
49015420323751X,Acme,2026-01-05,C1,online\n\
490154203237518,Acme,2026-01-07T10:00:00+01:00,C1,online\n";
    check("ledger", &[(Kind::Ledger, "ledger.csv", csv)]);
}

#[test]
fn allowlist() {
    let csv = "imei,imsi,msisdn,holder,role,valid_from,valid_to,reason\n\
490154203237518,208011234567890,06 12 34 56 78,Officer 1,staff,2025-01-01,,night shift\n\
,310410123456789,,Liaison,official,2025-01-01,2026-01-01,US liaison\n\
,,+33 7 00 00 00 00,Director,official,2025-01-01,,office\n\
,,,Nobody,staff,2025-01-01,,no id\n\
490154203237519,,,Officer 2,staff,2025-01-01,,bad luhn\n\
,20801123,,Officer 3,staff,2025-01-01,,short imsi\n\
,,0512,Officer 4,staff,2025-01-01,,short number\n\
490154203237518,,,Officer 5,guard,2025-01-01,,role\n\
490154203237518,,,Officer 6,staff,2025-06-01,2025-01-01,backwards\n\
490154203237518,,,Officer 7,staff,,,no date\n\
490154203237518,,,,staff,2025-01-01,,no holder\n\
490154203237518,,,Officer 8,staff,2025-01-01,,\n\
490154203237518,208011234567890,06 12 34 56 78,Officer 1,staff,2025-01-01,,again\n";
    check(
        "allowlist",
        &[
            (Kind::Operators, "operators.csv", OPERATORS),
            (Kind::Allowlist, "allow.csv", csv),
        ],
    );
}

#[test]
fn whole_file_failures() {
    let cases: &[(Kind, &str, &str)] = &[
        (Kind::Tac, "empty.csv", ""),
        (
            Kind::Ledger,
            "noimei.csv",
            "serial,supplier,sold_at\n1,2,3\n",
        ),
        (
            Kind::Facilities,
            "broken.geojson",
            "{\"type\":\"FeatureCollection\",\"features\":[\n",
        ),
        (
            Kind::Facilities,
            "single.geojson",
            "{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}",
        ),
        (Kind::Operators, "notarray.json", "[1, 2"),
        (
            Kind::Cells,
            "nocell.csv",
            "operator,radio,lat,lon\n208-01,4g,47,2\n",
        ),
        (Kind::Allowlist, "what.txt", "hello world\n"),
        (
            Kind::Facilities,
            "crs.geojson",
            "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:27572\"}},\"features\":[]}",
        ),
    ];
    check("whole_file_failures", cases);
}

#[test]
fn forced_format_must_match_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let path = dir.path().join("x.csv");
    std::fs::write(&path, "tac,brand,model\n").unwrap();
    let req = ImportRequest {
        kind: Kind::Ledger,
        path,
        format: Some(Format::TacCsv),
        request_ref: None,
        replace: false,
        region: Region::FR,
    };
    let err = import(&mut ws, &req).unwrap_err();
    assert!(matches!(err, Error::FormatKindMismatch { .. }));
    assert_eq!(
        err.to_string(),
        "format `tac-csv` holds tac data, not ledger; formats for ledger: `ledger-csv`"
    );
}

#[test]
fn reimport_is_a_noop_and_replace_drops_old_rows() {
    let a = "tac,brand,model\n35675904,Oppo,N1\n35675905,Oppo,N2\n";
    let b = "tac,brand,model\n35675904,Oppo,N1 bis\n";
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let write = |name: &str, content: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    };
    let (pa, pb) = (write("a.csv", a), write("b.csv", b));
    let req = |path: std::path::PathBuf, replace: bool| ImportRequest {
        kind: Kind::Tac,
        path,
        format: None,
        request_ref: Some("REQ-42".into()),
        replace,
        region: Region::FR,
    };
    let count = |ws: &Workspace| -> i64 {
        ws.conn()
            .query_row("SELECT count(*) FROM tacs", [], |r| r.get(0))
            .unwrap()
    };
    assert!(matches!(
        import(&mut ws, &req(pa.clone(), false)).unwrap(),
        ImportOutcome::Imported { .. }
    ));
    let before = std::fs::read(dir.path().join("ws/catalog.sqlite"))
        .unwrap()
        .len();
    // Same content under another name: still the same file.
    let copy = write("copy.csv", a);
    assert!(matches!(
        import(&mut ws, &req(copy, false)).unwrap(),
        ImportOutcome::AlreadyImported(_)
    ));
    assert_eq!(count(&ws), 2);
    assert_eq!(ws.sources().unwrap().len(), 1);
    let _ = before;
    // A newer file updates matching keys and keeps the rest...
    import(&mut ws, &req(pb.clone(), false)).unwrap();
    assert_eq!(count(&ws), 2);
    let model: String = ws
        .conn()
        .query_row("SELECT model FROM tacs WHERE tac = '35675904'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(model, "N1 bis");
    // ...and with --replace only its own rows remain.
    let pb2 = write("b2.csv", "tac,brand,model\n35675904,Oppo,N1 ter\n");
    import(&mut ws, &req(pb2, true)).unwrap();
    assert_eq!(count(&ws), 1);
    let s = ws.sources().unwrap();
    assert_eq!(s.len(), 3);
    assert!(s.iter().all(|s| s.request_ref.as_deref() == Some("REQ-42")));
}
