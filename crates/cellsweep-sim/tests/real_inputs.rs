//! Real inputs: facilities from the national list and antenna sites from Arcep's list, both read
//! through the reference importer (`../shared/data`, or `CELLSWEEP_SHARED_DATA`).

use std::path::PathBuf;

use cellsweep_sim::{Scenario, simulate};

fn shared(rel: &str) -> PathBuf {
    let base = std::env::var_os("CELLSWEEP_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let p = base.join(rel);
    assert!(
        p.exists(),
        "shared test data `{}` not found; set CELLSWEEP_SHARED_DATA",
        p.display()
    );
    p
}

#[test]
fn facilities_and_sites_from_real_lists() {
    let facilities = shared("fr_prisons_densite/fr_prison_quartiers_2026-07.csv");
    let sites = shared("arcep_sites_mobiles_2018/sites_mobiles_2018_01_wgs84.csv");
    let text = format!(
        "name = \"real\"\nstart = 2026-03-02\ndays = 1\n[facilities]\ncount = 2\nsource = {:?}\n[radio]\nsites_source = {:?}\n[outside]\nneighbours = [50, 50]\npassers_by_per_day = 5\n",
        facilities.display().to_string(),
        sites.display().to_string()
    );
    let s = Scenario::parse(&text, "real").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    simulate(&s, 1, &out).unwrap();
    let geo = std::fs::read_to_string(out.join("reference/facilities.geojson")).unwrap();
    // The list's first establishments, with their ministry codes, capacities and occupancies.
    assert!(
        geo.contains("\"id\":\"FR-908915\",\"name\":\"CD ARGENTAN\""),
        "{}",
        &geo[..300]
    );
    assert!(geo.contains("\"capacity\":638,\"occupancy\":626"));
    // Every local site of the first facility sits on a real Arcep position (the far towns'
    // sites are generated): compare with the list, to the metre.
    let real: Vec<(f64, f64)> = std::fs::read_to_string(&sites)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f[3].parse().ok()?, f[4].parse().ok()?))
        })
        .collect();
    let cells = std::fs::read_to_string(out.join("reference/cells.csv")).unwrap();
    let mut near = 0;
    let mut matched = 0;
    for line in cells.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (lat, lon): (f64, f64) = (f[3].parse().unwrap(), f[4].parse().unwrap());
        if (lat - 48.729).abs() > 0.04 || (lon - -0.010).abs() > 0.06 {
            continue;
        }
        near += 1;
        if real
            .iter()
            .any(|(a, b)| (a - lat).abs() < 2e-5 && (b - lon).abs() < 3e-5)
        {
            matched += 1;
        }
    }
    assert!(near > 20, "{near} cells near Argentan");
    assert!(
        matched * 10 >= near * 9,
        "{matched} of {near} cells on real sites"
    );
}
