//! Playing a search plan against the simulation's truth, as the search teams would: each
//! planned search of a prison cell finds each phone hidden there with the detection
//! probability (`p_detect`, or `p_detect_mini` for a mini phone); a zone row searches that
//! many distinct cells of the zone, drawn at random. Phones seized in earlier rounds (listed
//! in earlier outcome files) are no longer there. The result is written in the layout of the
//! administration's search records (`prison/searches.csv`), so that `cellsweep outcomes
//! record` reads it like a real report.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use rand::RngExt as _;
use rand::seq::SliceRandom as _;

use crate::Error;
use crate::rng;

/// One planned search row: facility, zone, cell (empty for a zone row), searches.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Facility id.
    pub facility: String,
    /// Zone id.
    pub zone: String,
    /// Cell number, empty for a zone row.
    pub cell: String,
    /// Searches.
    pub searches: u32,
}

/// How searches go.
#[derive(Debug, Clone)]
pub struct Play {
    /// Detection probability of one search for a phone in the searched cell.
    pub p_detect: f64,
    /// The same for a mini phone.
    pub p_detect_mini: f64,
    /// Seed of the draws.
    pub seed: u64,
    /// Round number (search ids and draws differ per round).
    pub round: u32,
    /// Day of the searches, `YYYY-MM-DD`.
    pub date: String,
}

/// What a round found.
#[derive(Debug, Clone, Default)]
pub struct Played {
    /// The outcome file's text.
    pub csv: String,
    /// Searches carried out.
    pub searches: u32,
    /// Phones found.
    pub found: u32,
}

struct Phone {
    imei: String,
    imsi: String,
    mini: bool,
}

/// Plays `plan` in the simulation written to `sim` (its `truth/` and `reference/`), skipping
/// phones whose IMEI appears as seized in one of `earlier` outcome files.
pub fn play(sim: &Path, plan: &[Planned], how: &Play, earlier: &[&Path]) -> Result<Played, Error> {
    let mut seized: HashSet<String> = HashSet::new();
    for f in earlier {
        for row in read_csv(f)? {
            if let Some(imei) = row.get("seized_imei").filter(|s| !s.is_empty()) {
                seized.insert(imei.clone());
            }
        }
    }
    let minis: HashSet<String> = read_csv(&sim.join("truth/handsets.csv"))?
        .into_iter()
        .filter(|r| r.get("form").map(String::as_str) == Some("Mini"))
        .filter_map(|r| r.get("handset_id").cloned())
        .collect();
    // Phones by (facility, cell); one entry per handset (its first pairing identifies it).
    let mut by_cell: HashMap<(String, String), Vec<Phone>> = HashMap::new();
    let mut handsets = HashSet::new();
    for r in read_csv(&sim.join("truth/devices.csv"))? {
        let get = |k: &str| r.get(k).cloned().unwrap_or_default();
        if get("contraband") != "true" || get("cell_no").is_empty() {
            continue;
        }
        let handset = get("handset_id");
        if !handsets.insert(handset.clone()) {
            continue;
        }
        let imei = get("imei");
        if seized.contains(&imei) {
            continue;
        }
        by_cell
            .entry((get("facility_id"), get("cell_no")))
            .or_default()
            .push(Phone {
                mini: minis.contains(&handset),
                imei,
                imsi: get("imsi"),
            });
    }
    let zone_cells = zone_cells(&sim.join("reference/facilities.geojson"))?;
    let mut rng = rng::stream(how.seed, "play-searches", u64::from(how.round), 0);
    let mut out = Played {
        csv: "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi\n".into(),
        ..Played::default()
    };
    let mut n = 0u32;
    for row in plan {
        let cells: Vec<String> = if row.cell.is_empty() {
            let mut all = zone_cells
                .get(&(row.facility.clone(), row.zone.clone()))
                .cloned()
                .unwrap_or_default();
            all.shuffle(&mut rng);
            all.into_iter()
                .cycle()
                .take(row.searches as usize)
                .collect()
        } else {
            vec![row.cell.clone(); row.searches as usize]
        };
        for cell in cells {
            n += 1;
            out.searches += 1;
            let id = format!("R{}-{}-S{n:04}", how.round, row.facility);
            let phones = by_cell
                .entry((row.facility.clone(), cell.clone()))
                .or_default();
            let mut found = Vec::new();
            let mut k = 0;
            while k < phones.len() {
                let p = if phones[k].mini {
                    how.p_detect_mini
                } else {
                    how.p_detect
                };
                if rng.random_bool(p.clamp(0.0, 1.0)) {
                    found.push(phones.swap_remove(k));
                } else {
                    k += 1;
                }
            }
            let prefix = format!("{id},{},{},{cell},{}", row.facility, row.zone, how.date);
            if found.is_empty() {
                let _ = writeln!(out.csv, "{prefix},nothing_found,,");
            }
            for ph in &found {
                out.found += 1;
                let _ = writeln!(out.csv, "{prefix},found,{},{}", ph.imei, ph.imsi);
            }
        }
    }
    Ok(out)
}

fn read_csv(path: &Path) -> Result<Vec<HashMap<String, String>>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    Ok(lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect())
}

/// (facility, search zone) → its cells, from the facilities GeoJSON: a floor's cells belong
/// to its parent zone when that has a polygon (the wing), as localisation counts them.
fn zone_cells(path: &Path) -> Result<HashMap<(String, String), Vec<String>>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Input {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let feats = v["features"].as_array().cloned().unwrap_or_default();
    let mut shaped = HashSet::new();
    let mut parent = HashMap::new();
    for f in &feats {
        let p = &f["properties"];
        let key = (
            p["facility_id"].as_str().unwrap_or("").to_owned(),
            p["id"].as_str().unwrap_or("").to_owned(),
        );
        if p["kind"] == "zone" && !f["geometry"].is_null() {
            shaped.insert(key.clone());
        }
        if let Some(par) = p["parent"].as_str() {
            parent.insert(key, par.to_owned());
        }
    }
    let mut out: HashMap<(String, String), Vec<String>> = HashMap::new();
    for f in &feats {
        let p = &f["properties"];
        let Some(cells) = p["cells"].as_array() else {
            continue;
        };
        let fac = p["facility_id"].as_str().unwrap_or("").to_owned();
        let mut zone = p["id"].as_str().unwrap_or("").to_owned();
        if !shaped.contains(&(fac.clone(), zone.clone()))
            && let Some(par) = parent.get(&(fac.clone(), zone.clone()))
            && shaped.contains(&(fac.clone(), par.clone()))
        {
            zone = par.clone();
        }
        out.entry((fac, zone))
            .or_default()
            .extend(cells.iter().filter_map(|c| c.as_str().map(str::to_owned)));
    }
    Ok(out)
}
