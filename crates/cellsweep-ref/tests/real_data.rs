//! The real public files in `../shared/data` import, and the counts add up: rows in the file =
//! rows accepted + rows quarantined, with the expected split for each file.
//!
//! Expected figures were computed independently with a short Python script over the same files
//! (csv/json modules, the same rules), and are explained next to each assertion.
//! The data folder is found at `<repo>/../shared/data`, or `CELLSWEEP_SHARED_DATA`.

use std::path::PathBuf;

use cellsweep_ids::Region;
use cellsweep_ref::{Format, ImportOutcome, ImportRequest, Kind, import};
use cellsweep_store::{SourceFile, Workspace};

fn shared(rel: &str) -> PathBuf {
    let base = std::env::var_os("CELLSWEEP_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let p = base.join(rel);
    assert!(
        p.exists(),
        "shared test data `{}` not found; CI checks it out beside the clone, or set CELLSWEEP_SHARED_DATA",
        p.display()
    );
    p
}

fn load(ws: &mut Workspace, kind: Kind, rel: &str, format: Option<Format>) -> SourceFile {
    let req = ImportRequest {
        kind,
        path: shared(rel),
        format,
        request_ref: None,
        replace: false,
        region: Region::FR,
    };
    match import(ws, &req).unwrap() {
        ImportOutcome::Imported { source, .. } => {
            assert_eq!(
                source.rows_in,
                source.rows_accepted + source.rows_quarantined
            );
            source
        }
        ImportOutcome::AlreadyImported(s) => {
            panic!("{rel} unexpectedly already imported as {}", s.id)
        }
    }
}

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    (dir, ws)
}

fn count(ws: &Workspace, sql: &str) -> u64 {
    ws.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn reasons(ws: &Workspace, source: i64) -> Vec<String> {
    ws.quarantined(Some(source), 100_000)
        .unwrap()
        .into_iter()
        .map(|q| format!("{}: {}", q.field.unwrap_or_default(), q.reason))
        .collect()
}

#[test]
fn national_prison_list_csv_geojson_and_original_json() {
    let (_d, mut ws) = workspace();
    // 276 quartier rows of 186 establishments; none is malformed ("NC" occupancies and rows
    // without an establishment code are legitimate and accepted).
    let s = load(
        &mut ws,
        Kind::Facilities,
        "fr_prisons_densite/fr_prison_quartiers_2026-07.csv",
        None,
    );
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (276, 276, 0)
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM facilities"), 186);
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM facilities WHERE footprint_estimated"
        ),
        186
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM zones WHERE kind = 'quartier'"),
        276
    );
    // Detainees per quartier sum to 89,163 (SOURCE.md), all of them attributed.
    assert_eq!(count(&ws, "SELECT sum(occupancy) FROM facilities"), 89_163);
    assert_eq!(count(&ws, "SELECT sum(capacity) FROM facilities"), 63_129);
    // Fleury-Mérogis: its MA quartier alone holds 5,080 people; estimated footprint 200 m²/place.
    let (name, area): (String, f64) = ws
        .conn()
        .query_row(
            "SELECT f.name, f.area_m2 FROM facilities f JOIN zones z ON z.facility_id = f.id
             WHERE z.id = 'MA/QMA' AND z.occupancy = 5080",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(name, "CP FLEURY MEROGIS");
    assert!(area > 500_000.0, "{area}");

    // The same list as point GeoJSON replaces the same facilities (same ids).
    let s = load(
        &mut ws,
        Kind::Facilities,
        "fr_prisons_densite/fr_prison_quartiers_2026-07.geojson",
        None,
    );
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (276, 276, 0)
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM facilities"), 186);

    // The original GeoServer export: Web Mercator geometry, WGS84 in the properties.
    let s = load(
        &mut ws,
        Kind::Facilities,
        "fr_prisons_densite/stats_carcerales_2026-07-01.json",
        Some(Format::Geojson),
    );
    assert_eq!((s.rows_in, s.rows_accepted), (276, 276));
    assert_eq!(count(&ws, "SELECT count(*) FROM facilities"), 186);
}

#[test]
fn osmocom_tac_database() {
    let (_d, mut ws) = workspace();
    let s = load(&mut ws, Kind::Tac, "osmocom_tacdb/tacdb.csv", None);
    assert_eq!(s.format, "osmocom");
    // 22,527 rows. Four TACs carry a leading space; trimmed, three of them repeat a TAC listed
    // earlier in the file and are quarantined as duplicates; the fourth is accepted.
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (22_527, 22_524, 3)
    );
    let r = reasons(&ws, s.id);
    assert!(
        r.iter().all(|r| r.starts_with("tac: duplicate TAC")),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|r| r.contains("`35572302` (first at line 1996)")),
        "{r:?}"
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM tacs"), 22_524);
    let model: String = ws
        .conn()
        .query_row(
            "SELECT brand || ' ' || model FROM tacs WHERE tac = '35928060'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(model, "AIEK/AEKU M5");
}

#[test]
fn operator_codes_json_and_csv() {
    let (_d, mut ws) = workspace();
    // 3,094 records. Quarantined: 9 MNCs that are not 2-3 digits (six 5-digit French private
    // networks, `100 - 190`, two `?`) and 47 repeats of an MCC-MNC listed earlier (Wikipedia
    // lists some codes under several territories).
    let s = load(&mut ws, Kind::Operators, "mcc_mnc/mcc-mnc-list.json", None);
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (3_094, 3_038, 56)
    );
    let r = reasons(&ws, s.id);
    assert_eq!(
        r.iter().filter(|r| r.contains("duplicate MCC-MNC")).count(),
        47
    );
    assert_eq!(
        r.iter().filter(|r| r.contains("private-network")).count(),
        6
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM operators WHERE mcc = '208'"),
        76 - 6
    );
    // The CSV flattening of the same table gives the same result.
    let s = load(&mut ws, Kind::Operators, "mcc_mnc/mcc_mnc.csv", None);
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (3_094, 3_038, 56)
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM operators"), 3_038);
}

#[test]
fn arcep_antenna_sites_lambert93_and_wgs84() {
    let (_d, mut ws) = workspace();
    // 77,148 rows: 1 broken (`#N/A` coordinates), 1,574 with no technology flagged, and 367
    // repeats of an (operator, position) already listed, merged into their site: 75,206 sites.
    let s = load(
        &mut ws,
        Kind::Cells,
        "arcep_sites_mobiles_2018/2018_01_Sites_mobiles_2G_3G_4G_France_metropolitaine_L93.csv",
        None,
    );
    assert_eq!(s.format, "arcep-sites");
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (77_148, 75_206 + 367, 1 + 1_574)
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM sites"), 75_206);
    let r = reasons(&ws, s.id);
    assert_eq!(
        r.iter()
            .filter(|r| r.contains("no radio technology flagged"))
            .count(),
        1_574
    );
    assert!(
        r.iter().any(|r| r.starts_with("x: `#N/A` is not a number")),
        "{:?}",
        &r[..3]
    );
    // Our projection agrees with pyproj's conversion to well under a metre: importing the
    // WGS84 file lands every site on the same key (operator, lon, lat rounded to 1e-6°).
    let s = load(
        &mut ws,
        Kind::Cells,
        "arcep_sites_mobiles_2018/sites_mobiles_2018_01_wgs84.csv",
        None,
    );
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (77_147, 75_206 + 367, 1_574)
    );
    let total = count(&ws, "SELECT count(*) FROM sites");
    assert!(
        total - 75_206 < 200,
        "{total}: projections disagree for too many sites"
    );
}

#[test]
fn real_gsm_cells_with_lac_and_cid() {
    let (_d, mut ws) = workspace();
    // 387 GSM cells given as mcc, mnc, lac, cid, lat, lon, without radio or azimuth: read as
    // 2G CGIs, omnidirectional, default range, each assumption recorded.
    let s = load(
        &mut ws,
        Kind::Cells,
        "imsicc_rennes_gsm_cells/bts_observed_rennes_nantes_2017_2018.csv",
        None,
    );
    assert_eq!(
        (s.rows_in, s.rows_accepted, s.rows_quarantined),
        (387, 387, 0)
    );
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM cells WHERE radio = '2g' AND assumptions = 'radio,omni,range'"
        ),
        387
    );
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM cells WHERE cell_id LIKE '208-01-____-____'"
        ),
        159
    );
}
