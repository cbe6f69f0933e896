//! `cellsweep evaluate plan`: a plan's expected finds against the simulator's truth, beside a
//! random plan's and a perfect-knowledge oracle's with the same budget and detection
//! probability.
//!
//! - **Plan**: a cell row searched `k` times finds each phone hidden there with
//!   `1 − (1 − p)^k`; a zone row searching `k` of the zone's `n` cells finds each phone in the
//!   zone with `p · min(1, k / n)` (cells picked at random within the zone).
//! - **Random**: the same number of searches on distinct cells drawn uniformly from all cells of
//!   the facilities in the truth: each phone is found with `p · budget / cells`.
//! - **Oracle**: knows where every phone is and allocates the same budget greedily (same
//!   per-cell, per-facility and facility-count limits as the planner).

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::Path;

use crate::Error;
use crate::planner::{Budget, PLAN_HEADER, PlanRow};

/// Where cells are: facility → (zone of each cell, cells per zone).
#[derive(Debug, Clone, Default)]
pub struct TruthLayout {
    /// (facility, cell) → zone.
    pub cell_zone: HashMap<(String, String), String>,
    /// (facility, zone) → number of cells.
    pub zone_cells: HashMap<(String, String), usize>,
}

impl TruthLayout {
    /// Total prison cells.
    pub fn cells(&self) -> usize {
        self.cell_zone.len()
    }
}

/// A contraband phone in the truth: facility, zone, cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hidden {
    /// Physical handset id.
    pub handset: String,
    /// Facility.
    pub facility: String,
    /// Zone.
    pub zone: String,
    /// Cell.
    pub cell: String,
}

/// The report.
#[derive(Debug, Clone)]
pub struct Report {
    /// Contraband phones still hidden.
    pub phones: usize,
    /// Prison cells.
    pub cells: usize,
    /// Searches in the plan.
    pub searches: u32,
    /// Expected finds of the plan.
    pub plan: f64,
    /// Of a random plan.
    pub random: f64,
    /// Of the oracle.
    pub oracle: f64,
}

/// Reads the simulator's facilities GeoJSON for cells and zones (search zone = the parent
/// of the zone listing the cell when that parent has a polygon, as in [`crate::layout`]).
pub fn read_layout(path: &Path) -> Result<TruthLayout, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Input(format!("{}: not JSON: {e}", path.display())))?;
    let feats = v["features"].as_array().cloned().unwrap_or_default();
    let mut has_shape: HashSet<(String, String)> = HashSet::new();
    let mut parent: HashMap<(String, String), String> = HashMap::new();
    for f in &feats {
        let p = &f["properties"];
        if p["kind"] != "zone" {
            continue;
        }
        let key = (
            p["facility_id"].as_str().unwrap_or("").to_owned(),
            p["id"].as_str().unwrap_or("").to_owned(),
        );
        if !f["geometry"].is_null() {
            has_shape.insert(key.clone());
        }
        if let Some(par) = p["parent"].as_str() {
            parent.insert(key, par.to_owned());
        }
    }
    let mut out = TruthLayout::default();
    for f in &feats {
        let p = &f["properties"];
        let Some(cells) = p["cells"].as_array() else {
            continue;
        };
        let fac = p["facility_id"].as_str().unwrap_or("").to_owned();
        let mut zone = p["id"].as_str().unwrap_or("").to_owned();
        for _ in 0..16 {
            if has_shape.contains(&(fac.clone(), zone.clone())) {
                break;
            }
            match parent.get(&(fac.clone(), zone.clone())) {
                Some(par) => zone = par.clone(),
                None => break,
            }
        }
        for c in cells.iter().filter_map(|c| c.as_str()) {
            out.cell_zone
                .insert((fac.clone(), c.to_owned()), zone.clone());
            *out.zone_cells
                .entry((fac.clone(), zone.clone()))
                .or_default() += 1;
        }
    }
    Ok(out)
}

/// Reads the hidden contraband handsets from the truth's devices.csv (one per handset).
pub fn read_truth(path: &Path) -> Result<Vec<Hidden>, Error> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let headers = r
        .headers()
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::Input(format!("{}: no `{name}` column", path.display())))
    };
    let (hc, fc, zc, cc, kc) = (
        col("handset_id")?,
        col("facility_id")?,
        col("zone_id")?,
        col("cell_no")?,
        col("contraband")?,
    );
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec =
            rec.map_err(|e| Error::Input(format!("{} line {}: {e}", path.display(), i + 2)))?;
        if rec.get(kc) != Some("true") || rec.get(cc).unwrap_or("").is_empty() {
            continue;
        }
        let h = rec.get(hc).unwrap_or("").to_owned();
        if seen.insert(h.clone()) {
            out.push(Hidden {
                handset: h,
                facility: rec.get(fc).unwrap_or("").to_owned(),
                zone: rec.get(zc).unwrap_or("").to_owned(),
                cell: rec.get(cc).unwrap_or("").to_owned(),
            });
        }
    }
    Ok(out)
}

/// Reads a plan file, checking its header and every field.
pub fn read_plan(path: &Path) -> Result<Vec<PlanRow>, Error> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let headers = r
        .headers()
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?
        .clone();
    if headers.iter().collect::<Vec<_>>() != PLAN_HEADER {
        return Err(Error::Input(format!(
            "{} line 1: expected the header `{}`",
            path.display(),
            PLAN_HEADER.join(",")
        )));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| Error::Input(format!("{} line {line}: {e}", path.display())))?;
        let field = |k: usize| rec.get(k).unwrap_or("").trim().to_owned();
        let bad = |name: &str, why: &str| {
            Error::Input(format!(
                "{} line {line}, field `{name}`: {why}",
                path.display()
            ))
        };
        let facility_id = field(0);
        if facility_id.is_empty() {
            return Err(bad("facility_id", "empty"));
        }
        let zone_id = field(1);
        if zone_id.is_empty() {
            return Err(bad("zone_id", "empty"));
        }
        let searches: u32 = field(3)
            .parse()
            .map_err(|_| bad("searches", "not a non-negative integer"))?;
        let expected_finds: f64 = if field(4).is_empty() {
            0.0
        } else {
            field(4)
                .parse()
                .map_err(|_| bad("expected_finds", "not a number"))?
        };
        out.push(PlanRow {
            facility_id,
            zone_id,
            cell_no: field(2),
            searches,
            expected_finds,
            target_devices: field(5),
        });
    }
    Ok(out)
}

/// Expected finds of a plan, a random plan and the oracle.
pub fn evaluate(
    layout: &TruthLayout,
    hidden: &[Hidden],
    rows: &[PlanRow],
    p: f64,
    budget: &Budget,
) -> Report {
    let mut in_cell: HashMap<(&str, &str), usize> = HashMap::new();
    let mut in_zone: HashMap<(&str, &str), usize> = HashMap::new();
    for h in hidden {
        *in_cell.entry((&h.facility, &h.cell)).or_default() += 1;
        *in_zone.entry((&h.facility, &h.zone)).or_default() += 1;
    }
    let mut plan = 0.0;
    let mut searches = 0;
    for r in rows {
        searches += r.searches;
        if r.cell_no.is_empty() {
            let n = layout
                .zone_cells
                .get(&(r.facility_id.clone(), r.zone_id.clone()))
                .copied()
                .unwrap_or(1)
                .max(1);
            let phones = in_zone
                .get(&(r.facility_id.as_str(), r.zone_id.as_str()))
                .copied()
                .unwrap_or(0);
            plan += phones as f64 * p * (f64::from(r.searches) / n as f64).min(1.0);
        } else {
            let phones = in_cell
                .get(&(r.facility_id.as_str(), r.cell_no.as_str()))
                .copied()
                .unwrap_or(0);
            plan += phones as f64 * (1.0 - (1.0 - p).powi(r.searches as i32));
        }
    }
    let cells = layout.cells().max(1);
    let random = hidden.len() as f64 * p * (f64::from(searches) / cells as f64).min(1.0);
    let oracle = oracle(&in_cell, p, searches, budget);
    Report {
        phones: hidden.len(),
        cells: layout.cells(),
        searches,
        plan,
        random,
        oracle,
    }
}

fn oracle(in_cell: &HashMap<(&str, &str), usize>, p: f64, searches: u32, b: &Budget) -> f64 {
    #[derive(PartialEq)]
    struct Item<'a>(f64, &'a str, &'a str, u32);
    impl Eq for Item<'_> {}
    impl PartialOrd for Item<'_> {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Item<'_> {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            self.0
                .total_cmp(&o.0)
                .then(o.1.cmp(self.1))
                .then(o.2.cmp(self.2))
        }
    }
    let mut heap: BinaryHeap<Item<'_>> = in_cell
        .iter()
        .map(|(&(f, c), &n)| Item(n as f64 * p, f, c, 0))
        .collect();
    let cap = b.per_facility_per_day.saturating_mul(b.days.max(1));
    let mut per_fac: HashMap<&str, u32> = HashMap::new();
    let mut total = 0.0;
    let mut used = 0;
    while used < searches {
        let Some(Item(g, f, c, k)) = heap.pop() else {
            break;
        };
        if !per_fac.contains_key(f) && per_fac.len() >= b.max_facilities {
            continue;
        }
        let n = per_fac.entry(f).or_default();
        if *n >= cap {
            continue;
        }
        *n += 1;
        used += 1;
        total += g;
        if k + 1 < b.max_per_cell {
            heap.push(Item(g * (1.0 - p), f, c, k + 1));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> TruthLayout {
        let mut l = TruthLayout::default();
        for z in ["A", "B"] {
            for c in 0..10 {
                l.cell_zone
                    .insert(("F".into(), format!("{z}-{c}")), z.to_owned());
            }
            l.zone_cells.insert(("F".into(), z.to_owned()), 10);
        }
        l
    }

    fn hidden(cell: &str) -> Hidden {
        Hidden {
            handset: format!("H{cell}"),
            facility: "F".into(),
            zone: cell[..1].to_owned(),
            cell: cell.to_owned(),
        }
    }

    fn row(zone: &str, cell: &str, searches: u32) -> PlanRow {
        PlanRow {
            facility_id: "F".into(),
            zone_id: zone.into(),
            cell_no: cell.into(),
            searches,
            expected_finds: 0.0,
            target_devices: String::new(),
        }
    }

    #[test]
    fn plan_random_and_oracle_by_hand() {
        let mut phones = vec![hidden("A-1"), hidden("A-1"), hidden("B-4")];
        phones[1].handset = "other".into();
        let rows = vec![row("A", "A-1", 2), row("B", "", 5)];
        let r = evaluate(&layout(), &phones, &rows, 0.5, &Budget::default());
        // A-1 twice: 2 × (1 − 0.25); zone B, 5 of 10 cells: 1 × 0.5 × 0.5.
        assert!((r.plan - (1.5 + 0.25)).abs() < 1e-12, "{r:?}");
        // 7 searches over 20 cells, 3 phones.
        assert!((r.random - 3.0 * 0.5 * 7.0 / 20.0).abs() < 1e-12);
        // Oracle: A-1 (1.0), A-1 again (0.5), B-4 (0.5), B-4 again (0.25); two searches at most
        // per cell, so nothing else to find.
        assert!((r.oracle - 2.25).abs() < 1e-12, "{r:?}");
        assert_eq!((r.phones, r.cells, r.searches), (3, 20, 7));
    }

    #[test]
    fn plan_files_are_checked_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.csv");
        std::fs::write(&p, "facility_id,zone_id,cell_no,searches,expected_finds,target_devices\nF,A,A-1,two,0.5,\n").unwrap();
        let e = read_plan(&p).unwrap_err().to_string();
        assert!(e.contains("line 2, field `searches`"), "{e}");
        std::fs::write(&p, "facility,zone\nF,A\n").unwrap();
        let e = read_plan(&p).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        std::fs::write(
            &p,
            "facility_id,zone_id,cell_no,searches,expected_finds,target_devices\n,A,A-1,1,0.5,\n",
        )
        .unwrap();
        let e = read_plan(&p).unwrap_err().to_string();
        assert!(e.contains("field `facility_id`"), "{e}");
    }

    proptest::proptest! {
        /// No plan within the limits beats the oracle, whatever the truth.
        #[test]
        fn nothing_beats_the_oracle(
            phones in proptest::collection::vec((0usize..2, 0usize..10), 0..30),
            rows in proptest::collection::vec((0usize..2, 0usize..10, 1u32..3), 0..12),
            p in 0.05f64..1.0,
        ) {
            let hidden: Vec<Hidden> = phones.iter().enumerate().map(|(i, (z, c))| Hidden {
                handset: format!("H{i}"),
                facility: "F".into(),
                zone: ["A", "B"][*z].into(),
                cell: format!("{}-{c}", ["A", "B"][*z]),
            }).collect();
            // Distinct cell rows, at most 2 searches each.
            let mut seen = HashSet::new();
            let plan: Vec<PlanRow> = rows.iter().filter_map(|(z, c, k)| {
                let zone = ["A", "B"][*z];
                seen.insert((zone, *c)).then(|| row(zone, &format!("{zone}-{c}"), *k))
            }).collect();
            let b = Budget { max_per_cell: 2, ..Budget::default() };
            let r = evaluate(&layout(), &hidden, &plan, p, &b);
            proptest::prop_assert!(r.plan <= r.oracle + 1e-9, "{r:?}");
            proptest::prop_assert!(r.random <= r.oracle + 1e-9 || r.searches as usize > r.cells, "{r:?}");
        }
    }
}
