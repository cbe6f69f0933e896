//! Crafted inputs for unit tests: facilities of one or more zones of numbered cells.

use std::collections::{HashMap, HashSet};

use crate::inputs::{Device, Inputs, Records};
use crate::layout::{Layout, PrisonCell, SearchZone};

/// A facility `F` with `zones` zones `Z0..` of `cells` cells `Z0-0..` each (no polygons).
pub(crate) fn layout(facility: &str, zones: usize, cells: usize) -> Layout {
    Layout {
        facility: facility.to_owned(),
        zones: (0..zones)
            .map(|z| SearchZone {
                id: format!("Z{z}"),
                samples: Vec::new(),
            })
            .collect(),
        cells: (0..zones * cells)
            .map(|i| PrisonCell {
                no: format!("Z{}-{}", i / cells, i % cells),
                zone: i / cells,
            })
            .collect(),
    }
}

/// A device with a detection probability, in a facility.
pub(crate) fn device(id: &str, facility: &str, probability: f64, mini: bool) -> Device {
    Device {
        index: 0,
        id: id.to_owned(),
        facility: facility.to_owned(),
        probability,
        mini,
        seized: false,
        first_us: 0,
        ta: Vec::new(),
        times: Vec::new(),
        peers: Vec::new(),
    }
}

/// Inputs over these layouts and devices, plan day 2026-04-01, nothing else.
pub(crate) fn inputs(layouts: Vec<Layout>, devices: Vec<Device>) -> Inputs {
    Inputs {
        layouts,
        skipped: Vec::new(),
        facilities: Vec::new(),
        plan_day: jiff::civil::date(2026, 4, 1),
        end_us: 1_775_001_600_000_000,
        devices,
        cells: HashMap::new(),
        records: Records::default(),
        rf: HashMap::new(),
        rf_facilities: HashSet::new(),
        searches: Vec::new(),
        seizures: Vec::new(),
    }
}
