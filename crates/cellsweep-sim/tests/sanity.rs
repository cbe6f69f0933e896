//! Statistical sanity of the simulated nation, measured the way the product will see it: from
//! the delivered files (all in the Parquet layout here, to read them simply), joined with the
//! truth only to group by category.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;

use arrow::array::{Array, AsArray};
use arrow::datatypes::TimestampMicrosecondType;
use cellsweep_sim::{Scenario, simulate};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const SCENARIO: &str = r#"
name = "sanity"
start = 2026-03-02
days = 14
[facilities]
count = 2
capacity = [300, 400]
occupancy_rate = [1.2, 1.2]
jammer_share = 0.0
dense_city = 0.0
staff_housing_by_wall = 0.0
[outside]
neighbours = [300, 300]
passers_by_per_day = 60
[operations]
past_searches = 0
[delivery]
formats = ["parquet-canonical", "parquet-canonical", "parquet-canonical", "parquet-canonical"]
traffic_min_nights = 1
malformed_share = 0.0
"#;

struct Row {
    time: i64,
    imsi: String,
    imei14: String,
    cell: String,
    towerdump: bool,
}

fn read_rows(dir: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    for f in std::fs::read_dir(dir.join("operator")).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_none_or(|e| e != "parquet") {
            continue;
        }
        let towerdump = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("towerdump");
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let b = batch.unwrap();
            let time = b
                .column_by_name("event_time")
                .unwrap()
                .as_primitive::<TimestampMicrosecondType>();
            let imsi = b.column_by_name("imsi").unwrap().as_string::<i32>();
            let imei = b.column_by_name("imei").unwrap().as_string::<i32>();
            let cell = b.column_by_name("cell").unwrap().as_string::<i32>();
            for i in 0..b.num_rows() {
                rows.push(Row {
                    time: time.value(i) / 1_000_000,
                    imsi: imsi.value(i).to_owned(),
                    imei14: imei.value(i)[..14].to_owned(),
                    cell: cell.value(i).to_owned(),
                    towerdump,
                });
            }
            assert_eq!(imsi.null_count(), 0);
        }
    }
    rows
}

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

#[test]
fn each_category_behaves_like_its_people() {
    let s = Scenario::parse(SCENARIO, "sanity").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let report = simulate(&s, 5, &out).unwrap();
    let rows = read_rows(&out);
    assert_eq!(rows.len() as u64, report.tower_rows + report.traffic_rows);

    // Truth: (imsi, imei) -> (category, facility, handset).
    let truth = csv_rows(&out.join("truth/devices.csv"));
    let mut who: HashMap<(String, String), (String, String, String)> = HashMap::new();
    for t in &truth {
        who.insert(
            (t["imsi"].clone(), t["imei"].clone()),
            (
                t["category"].clone(),
                t["facility_id"].clone(),
                t["handset_id"].clone(),
            ),
        );
    }
    // Cell positions, and facility centres from the footprints' cell sites' mean is not needed:
    // distances are measured from the facility's own cells' centroid of covering sites.
    let cells: HashMap<String, (f64, f64)> = csv_rows(&out.join("reference/cells.csv"))
        .into_iter()
        .map(|c| {
            (
                c["cell_id"].clone(),
                (c["lat"].parse().unwrap(), c["lon"].parse().unwrap()),
            )
        })
        .collect();
    let fc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("reference/facilities.geojson")).unwrap(),
    )
    .unwrap();
    let mut centre: HashMap<String, (f64, f64)> = HashMap::new();
    for f in fc["features"].as_array().unwrap() {
        if f["properties"]["kind"] == "facility" {
            let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
            let n = (ring.len() - 1) as f64;
            let lon = ring[..ring.len() - 1]
                .iter()
                .map(|p| p[0].as_f64().unwrap())
                .sum::<f64>()
                / n;
            let lat = ring[..ring.len() - 1]
                .iter()
                .map(|p| p[1].as_f64().unwrap())
                .sum::<f64>()
                / n;
            centre.insert(
                f["properties"]["id"].as_str().unwrap().to_owned(),
                (lat, lon),
            );
        }
    }
    let km = |a: (f64, f64), b: (f64, f64)| {
        let dy = (a.0 - b.0) * 111.32;
        let dx = (a.1 - b.1) * 111.32 * a.0.to_radians().cos();
        (dx * dx + dy * dy).sqrt()
    };

    // Per handset: nights on the facility's cells, farthest cell, rows per day, local hours.
    #[derive(Default)]
    struct H {
        nights: HashSet<i64>,
        far_km: f64,
        traffic_rows: u64,
        day_hours: u64,
        td_rows: u64,
    }
    let mut per: HashMap<String, (String, H)> = HashMap::new();
    for r in &rows {
        let Some((cat, fid, hid)) = who.get(&(r.imsi.clone(), r.imei14.clone())) else {
            continue;
        };
        let e = per
            .entry(hid.clone())
            .or_insert_with(|| (cat.clone(), H::default()));
        let local = r.time + 3_600; // March 2026 before the change: UTC+1
        let hour = local.rem_euclid(86_400) / 3_600;
        if r.towerdump {
            e.1.td_rows += 1;
            if (12..18).contains(&hour) {
                e.1.day_hours += 1;
            }
            if !(6..22).contains(&hour) {
                e.1.nights.insert((local - 6 * 3_600).div_euclid(86_400));
            }
        } else {
            e.1.traffic_rows += 1;
        }
        e.1.far_km = e.1.far_km.max(km(cells[&r.cell], centre[fid]));
    }
    let nights = f64::from(s.days);
    let by = |cat: &str| {
        per.values()
            .filter(|(c, _)| c == cat)
            .map(|(_, h)| h)
            .collect::<Vec<_>>()
    };
    let night_share = |cat: &str| {
        mean(
            &by(cat)
                .iter()
                .map(|h| h.nights.len() as f64 / nights)
                .collect::<Vec<_>>(),
        )
    };

    let inmates = by("inmate");
    assert!(inmates.len() > 100, "{} contraband handsets", inmates.len());
    let inmate_nights = night_share("inmate");
    assert!(
        inmate_nights > 0.7,
        "contraband phones are seen on {inmate_nights:.2} of nights"
    );
    let far_inmates = inmates.iter().filter(|h| h.far_km > 6.0).count();
    assert_eq!(
        far_inmates, 0,
        "contraband phones never leave the facility's area"
    );
    let per_day = mean(
        &inmates
            .iter()
            .map(|h| h.traffic_rows as f64 / nights)
            .collect::<Vec<_>>(),
    );
    assert!(
        (10.0..40.0).contains(&per_day),
        "contraband phone events per day: {per_day:.1}"
    );

    assert!(
        night_share("official") > 0.9,
        "official devices are always inside"
    );
    // One visitor in five lives in the facility's own town, and may sleep under its cells.
    let visitor_nights = night_share("visitor");
    assert!(
        visitor_nights < 0.3,
        "visitors at night: {visitor_nights:.3}"
    );
    // Visitors who live away are on the facility's cells only around visiting hours.
    let v: Vec<_> = by("visitor")
        .into_iter()
        .filter(|h| h.nights.is_empty())
        .collect();
    let afternoon = v.iter().map(|h| h.day_hours).sum::<u64>() as f64
        / v.iter().map(|h| h.td_rows).sum::<u64>().max(1) as f64;
    assert!(
        afternoon > 0.8,
        "visitors' events on the facility's cells in visiting hours: {afternoon:.2}"
    );
    assert!(night_share("passerby") < 0.02);
    let staff = night_share("staff");
    assert!((0.05..0.6).contains(&staff), "staff nights: {staff:.2}");
    // Neighbours: many spend nights on the facility's cells, and the commuters go far.
    let n = by("neighbour");
    let commuters = n.iter().filter(|h| h.far_km > 8.0).count() as f64 / n.len() as f64;
    assert!(
        (0.15..0.8).contains(&commuters),
        "neighbours seen more than 8 km away: {commuters:.2}"
    );

    // Truth counts match the scenario.
    let handsets = csv_rows(&out.join("truth/handsets.csv"));
    let contraband = handsets
        .iter()
        .filter(|h| h["contraband"] == "true")
        .count() as f64;
    let registry = csv_rows(&out.join("prison/inmates.csv"));
    let inmates_n = registry
        .iter()
        .map(|r| r["inmate_id"].clone())
        .collect::<HashSet<_>>()
        .len() as f64;
    let expected = inmates_n * s.inmates.owner_share * (1.0 + s.inmates.second_phone_share);
    assert!(
        (contraband - expected).abs() / expected < 0.3,
        "contraband {contraband} vs expected {expected:.0}"
    );
    let places: f64 = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "facility")
        .map(|f| f["properties"]["capacity"].as_f64().unwrap())
        .sum();
    let staff_phones = handsets.iter().filter(|h| h["category"] == "staff").count() as f64;
    let staff_people = places * s.outside.staff_per_place;
    assert!(
        staff_phones >= staff_people - 2.0
            && staff_phones <= staff_people * (1.0 + 2.0 * s.outside.duty_phone_share) + 2.0,
        "{staff_phones} staff phones for {staff_people:.0} staff"
    );
    let official = handsets
        .iter()
        .filter(|h| h["category"] == "official")
        .count();
    assert_eq!(official as u32, s.outside.official_devices * 2);
}
