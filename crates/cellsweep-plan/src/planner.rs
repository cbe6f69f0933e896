//! The search plan: where to spend a budget of cell searches to find the most phones.
//!
//! Bayesian search theory (Koopman, Stone): the expected number of phones in prison cell `c`
//! is `m_c = Σ_d P(d is contraband) · P(d in c)`. Searching `c` finds each phone there with the
//! detection probability `p_d` (lower for mini phones), so the `k`-th search of the same cell
//! adds `Σ_d P(d) P(d in c) p_d (1 − p_d)^(k−1)`: returns diminish, and the expected finds are
//! a separable concave function of the searches per cell. Allocating searches greedily by
//! marginal gain is then optimal under a total budget (Stone, *Theory of Optimal Search*,
//! 1975); the per-facility team capacity keeps that property (it is a per-group cap), and the
//! cap on facilities is handled greedily too: a facility is opened when its best search is the
//! best remaining one, while fewer than `max_facilities` are open.
//!
//! Cells whose value is no better than the typical cell of their zone (the evidence points to
//! the zone, not to them) are reported as one zone row: "search N cells of zone Z".

use std::collections::{BinaryHeap, HashMap, HashSet};

use serde::Serialize;

use crate::inputs::Inputs;
use crate::locate::{Location, Params};

/// Budget and constraints.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Total searches.
    pub searches: u32,
    /// Facilities at most.
    pub max_facilities: usize,
    /// Searches one facility's team can carry out per day.
    pub per_facility_per_day: u32,
    /// Days of the operation.
    pub days: u32,
    /// Searches of the same cell at most.
    pub max_per_cell: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            searches: 500,
            max_facilities: 66,
            per_facility_per_day: 20,
            days: 1,
            max_per_cell: 2,
        }
    }
}

/// One row of `plan.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    /// Facility.
    pub facility_id: String,
    /// Search zone.
    pub zone_id: String,
    /// Prison cell; empty when the row targets a zone.
    pub cell_no: String,
    /// Searches (of the cell, or number of the zone's cells to search).
    pub searches: u32,
    /// Expected phones found.
    pub expected_finds: f64,
    /// Devices this row mostly targets, `|`-separated.
    pub target_devices: String,
}

/// A plan and its totals.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Rows, by facility, then expected finds.
    pub rows: Vec<PlanRow>,
    /// Expected finds in total.
    pub expected_finds: f64,
    /// Expected contraband phones in all planned facilities (before searching).
    pub expected_phones: f64,
    /// Searches used.
    pub searches: u32,
    /// Facilities searched.
    pub facilities: usize,
}

/// Per cell: mass of mini and other phones, and per-device contributions.
struct CellMass {
    mini: f64,
    other: f64,
    devices: Vec<(usize, f64)>,
}

/// Makes the plan.
pub fn plan(inputs: &Inputs, locs: &[Location], p: &Params, b: &Budget) -> Plan {
    // mass[layout][cell]
    let mut mass: Vec<Vec<CellMass>> = inputs
        .layouts
        .iter()
        .map(|l| {
            (0..l.cells.len())
                .map(|_| CellMass {
                    mini: 0.0,
                    other: 0.0,
                    devices: Vec::new(),
                })
                .collect()
        })
        .collect();
    for loc in locs {
        let d = &inputs.devices[loc.device];
        for (c, pc) in loc.cells.iter().enumerate() {
            let m = d.probability * pc;
            if m <= 0.0 {
                continue;
            }
            let cm = &mut mass[loc.layout][c];
            if d.mini {
                cm.mini += m;
            } else {
                cm.other += m;
            }
            if m >= 1e-4 {
                cm.devices.push((loc.device, m));
            }
        }
    }
    let gain = |cm: &CellMass, k: u32| {
        let k = k as i32;
        cm.mini * p.p_detect_mini * (1.0 - p.p_detect_mini).powi(k)
            + cm.other * p.p_detect * (1.0 - p.p_detect).powi(k)
    };
    #[derive(PartialEq)]
    struct Item(f64, usize, usize, u32);
    impl Eq for Item {}
    impl PartialOrd for Item {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Item {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            self.0
                .total_cmp(&o.0)
                .then(o.1.cmp(&self.1))
                .then(o.2.cmp(&self.2))
        }
    }
    let mut heap = BinaryHeap::new();
    for (l, cells) in mass.iter().enumerate() {
        for (c, cm) in cells.iter().enumerate() {
            let g = gain(cm, 0);
            if g > 1e-9 {
                heap.push(Item(g, l, c, 0));
            }
        }
    }
    let cap = b.per_facility_per_day.saturating_mul(b.days.max(1));
    let mut used = 0u32;
    let mut per_fac: HashMap<usize, u32> = HashMap::new();
    let mut open: HashSet<usize> = HashSet::new();
    let mut alloc: HashMap<(usize, usize), (u32, f64)> = HashMap::new();
    while used < b.searches {
        let Some(Item(g, l, c, k)) = heap.pop() else {
            break;
        };
        if !open.contains(&l) && open.len() >= b.max_facilities {
            continue;
        }
        let n = per_fac.entry(l).or_default();
        if *n >= cap {
            continue;
        }
        *n += 1;
        open.insert(l);
        used += 1;
        let a = alloc.entry((l, c)).or_default();
        a.0 += 1;
        a.1 += g;
        if k + 1 < b.max_per_cell {
            heap.push(Item(gain(&mass[l][c], k + 1), l, c, k + 1));
        }
    }

    let mut rows = Vec::new();
    let mut total = 0.0;
    let mut by_layout: HashMap<usize, Vec<(usize, u32, f64)>> = HashMap::new();
    for (&(l, c), &(k, e)) in &alloc {
        by_layout.entry(l).or_default().push((c, k, e));
        total += e;
    }
    let mut layouts: Vec<usize> = by_layout.keys().copied().collect();
    layouts.sort_unstable();
    for l in layouts {
        let layout = &inputs.layouts[l];
        let picked = &by_layout[&l];
        // A cell is named when its first-search value stands out from its zone's typical cell.
        let mut typical: HashMap<usize, f64> = HashMap::new();
        for z in 0..layout.zones.len() {
            let mut v: Vec<f64> = layout
                .cells
                .iter()
                .enumerate()
                .filter(|(_, pc)| pc.zone == z)
                .map(|(c, _)| gain(&mass[l][c], 0))
                .collect();
            v.sort_by(f64::total_cmp);
            typical.insert(z, v.get(v.len() / 2).copied().unwrap_or(0.0));
        }
        let mut zone_rows: HashMap<usize, (u32, f64, HashMap<usize, f64>)> = HashMap::new();
        let mut fac_rows = Vec::new();
        for &(c, k, e) in picked {
            let z = layout.cells[c].zone;
            let cm = &mass[l][c];
            let named = gain(cm, 0) > 1.25 * typical[&z];
            if named {
                fac_rows.push(PlanRow {
                    facility_id: layout.facility.clone(),
                    zone_id: layout.zones[z].id.clone(),
                    cell_no: layout.cells[c].no.clone(),
                    searches: k,
                    expected_finds: e,
                    target_devices: targets(inputs, cm.devices.iter().copied()),
                });
            } else {
                let zr = zone_rows.entry(z).or_default();
                zr.0 += k;
                zr.1 += e;
                for &(d, m) in &cm.devices {
                    *zr.2.entry(d).or_default() += m;
                }
            }
        }
        for (z, (k, e, devs)) in zone_rows {
            fac_rows.push(PlanRow {
                facility_id: layout.facility.clone(),
                zone_id: layout.zones[z].id.clone(),
                cell_no: String::new(),
                searches: k,
                expected_finds: e,
                target_devices: targets(inputs, devs.into_iter()),
            });
        }
        fac_rows.sort_by(|a, b| {
            b.expected_finds
                .total_cmp(&a.expected_finds)
                .then(a.zone_id.cmp(&b.zone_id))
                .then(a.cell_no.cmp(&b.cell_no))
        });
        rows.extend(fac_rows);
    }
    let planned: HashSet<&str> = rows.iter().map(|r| r.facility_id.as_str()).collect();
    let expected_in_planned: f64 = locs
        .iter()
        .filter(|l| planned.contains(inputs.layouts[l.layout].facility.as_str()))
        .map(|l| inputs.devices[l.device].probability)
        .sum();
    Plan {
        facilities: planned.len(),
        rows,
        expected_finds: total,
        expected_phones: expected_in_planned,
        searches: used,
    }
}

/// The devices contributing at least 10 % of a row's mass (at most five), by contribution.
fn targets(inputs: &Inputs, devs: impl Iterator<Item = (usize, f64)>) -> String {
    let mut v: Vec<(usize, f64)> = devs.collect();
    let total: f64 = v.iter().map(|x| x.1).sum();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter()
        .filter(|x| x.1 >= 0.1 * total)
        .take(5)
        .map(|x| inputs.devices[x.0].id.as_str())
        .collect::<Vec<_>>()
        .join("|")
}

/// Writes `plan.csv`.
pub fn write_csv(path: &std::path::Path, plan: &Plan) -> Result<(), crate::Error> {
    let io = |source| crate::Error::Io {
        path: path.into(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(e) => io(e),
        other => crate::Error::Data(format!("{other:?}")),
    })?;
    w.write_record(PLAN_HEADER)
        .map_err(|e| crate::Error::Data(e.to_string()))?;
    for r in &plan.rows {
        w.write_record([
            r.facility_id.as_str(),
            r.zone_id.as_str(),
            r.cell_no.as_str(),
            &r.searches.to_string(),
            &format!("{:.4}", r.expected_finds),
            r.target_devices.as_str(),
        ])
        .map_err(|e| crate::Error::Data(e.to_string()))?;
    }
    w.flush().map_err(io)?;
    Ok(())
}

/// The header of `plan.csv`.
pub const PLAN_HEADER: [&str; 6] = [
    "facility_id",
    "zone_id",
    "cell_no",
    "searches",
    "expected_finds",
    "target_devices",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    /// A location putting all of a device's mass on one cell.
    fn at(device: usize, layout: usize, cells: usize, cell: usize) -> Location {
        let mut v = vec![0.0; cells];
        v[cell] = 1.0;
        Location {
            device,
            layout,
            zones: vec![1.0],
            cells: v,
            users: Vec::new(),
            reasons: Vec::new(),
        }
    }

    #[test]
    fn searches_go_where_phones_are_and_returns_diminish() {
        let inputs = fixture::inputs(
            vec![fixture::layout("F", 1, 10)],
            vec![
                fixture::device("A", "F", 1.0, false),
                fixture::device("B", "F", 1.0, false),
                fixture::device("C", "F", 0.5, false),
            ],
        );
        // Two phones in cell 3, a likely one in cell 7.
        let locs = vec![at(0, 0, 10, 3), at(1, 0, 10, 3), at(2, 0, 10, 7)];
        let p = Params::default();
        let b = Budget {
            searches: 3,
            ..Budget::default()
        };
        let plan = plan(&inputs, &locs, &p, &b);
        assert_eq!(plan.searches, 3);
        let cell3 = plan.rows.iter().find(|r| r.cell_no == "Z0-3").unwrap();
        let cell7 = plan.rows.iter().find(|r| r.cell_no == "Z0-7").unwrap();
        // Cell 3: 1.2 then 0.48 (second search); cell 7: 0.3. Budget 3 → 3, 3, 7.
        assert_eq!(cell3.searches, 2);
        assert_eq!(cell7.searches, 1);
        assert!((cell3.expected_finds - (1.2 + 0.48)).abs() < 1e-9);
        assert!((plan.expected_finds - 1.98).abs() < 1e-9);
        assert_eq!(cell3.target_devices, "A|B");
    }

    #[test]
    fn caps_on_facilities_and_teams_hold() {
        let layouts = vec![
            fixture::layout("F1", 1, 5),
            fixture::layout("F2", 1, 5),
            fixture::layout("F3", 1, 5),
        ];
        let devices: Vec<_> = (0..15)
            .map(|i| {
                fixture::device(
                    &format!("D{i}"),
                    &format!("F{}", i / 5 + 1),
                    0.9,
                    i % 2 == 0,
                )
            })
            .collect();
        let locs: Vec<Location> = (0..15).map(|i| at(i, i / 5, 5, i % 5)).collect();
        let inputs = fixture::inputs(layouts, devices);
        let b = Budget {
            searches: 100,
            max_facilities: 2,
            per_facility_per_day: 4,
            days: 1,
            max_per_cell: 1,
        };
        let plan = plan(&inputs, &locs, &Params::default(), &b);
        assert_eq!(plan.facilities, 2);
        assert_eq!(plan.searches, 8);
        for f in ["F1", "F2", "F3"] {
            let n: u32 = plan
                .rows
                .iter()
                .filter(|r| r.facility_id == f)
                .map(|r| r.searches)
                .sum();
            assert!(n <= 4, "{f}: {n}");
        }
    }

    #[test]
    fn diffuse_beliefs_become_a_zone_row() {
        // One device spread evenly over zone Z1's 10 cells: no cell stands out.
        let inputs = fixture::inputs(
            vec![fixture::layout("F", 2, 10)],
            vec![fixture::device("A", "F", 1.0, false); 4],
        );
        let spread = |d| {
            let mut v = vec![0.0; 20];
            v[10..].iter_mut().for_each(|x| *x = 0.1);
            Location {
                device: d,
                layout: 0,
                zones: vec![0.0, 1.0],
                cells: v,
                users: Vec::new(),
                reasons: Vec::new(),
            }
        };
        let locs: Vec<_> = (0..4).map(spread).collect();
        let b = Budget {
            searches: 5,
            ..Budget::default()
        };
        let plan = plan(&inputs, &locs, &Params::default(), &b);
        assert_eq!(plan.rows.len(), 1, "{:?}", plan.rows);
        let r = &plan.rows[0];
        assert_eq!(
            (r.zone_id.as_str(), r.cell_no.as_str(), r.searches),
            ("Z1", "", 5)
        );
        assert!((r.expected_finds - 5.0 * 0.4 * 0.6).abs() < 1e-9);
    }

    proptest::proptest! {
        #[test]
        fn a_plan_never_exceeds_its_limits(
            masses in proptest::collection::vec((0usize..3, 0usize..6, 0.0f64..1.0, proptest::bool::ANY), 0..40),
            searches in 0u32..60,
            max_facilities in 1usize..4,
            cap in 1u32..10,
            per_cell in 1u32..4,
        ) {
            let layouts = (0..3).map(|f| fixture::layout(&format!("F{f}"), 2, 3)).collect();
            let devices: Vec<_> = masses
                .iter()
                .enumerate()
                .map(|(i, m)| fixture::device(&format!("D{i}"), &format!("F{}", m.0), m.2, m.3))
                .collect();
            let locs: Vec<Location> = masses
                .iter()
                .enumerate()
                .map(|(i, m)| at(i, m.0, 6, m.1))
                .collect();
            let inputs = fixture::inputs(layouts, devices);
            let b = Budget { searches, max_facilities, per_facility_per_day: cap, days: 1, max_per_cell: per_cell };
            let plan = plan(&inputs, &locs, &Params::default(), &b);
            let total: u32 = plan.rows.iter().map(|r| r.searches).sum();
            proptest::prop_assert_eq!(total, plan.searches);
            proptest::prop_assert!(plan.searches <= searches);
            proptest::prop_assert!(plan.facilities <= max_facilities);
            for f in 0..3 {
                let n: u32 = plan.rows.iter().filter(|r| r.facility_id == format!("F{f}")).map(|r| r.searches).sum();
                proptest::prop_assert!(n <= cap);
            }
            for r in plan.rows.iter().filter(|r| !r.cell_no.is_empty()) {
                proptest::prop_assert!(r.searches <= per_cell);
            }
            let phones: f64 = masses.iter().map(|m| m.2).sum();
            proptest::prop_assert!(plan.expected_finds <= phones + 1e-9);
        }
    }
}
