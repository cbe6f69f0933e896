//! The radio networks around a facility: four operators' sites and sectors, which cell serves a
//! phone at a given place, and the timing advance it reports.
//!
//! Serving-cell model: received level = -35·log10(distance) + sector gain (3GPP antenna pattern,
//! -12·(Δθ/θ3dB)² dB, floor -20 dB) + shadowing (fixed per place and cell) + fading (per event);
//! the best cell within its range serves. A place keeps its four best candidates per operator
//! and radio, so choosing the serving cell of an event is four draws and a comparison.

use cellsweep_geo::Radio;
use cellsweep_ids::{CellId, Mcc, Mnc, Plmn};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::local::Xy;
use crate::rng::{Rng, mix};
use crate::scenario::Scenario;

/// The four operators: MNC and the radios each runs.
pub(crate) const OPERATORS: [(u16, [Radio; 3]); 4] = [
    (1, [Radio::G2, Radio::G4, Radio::G5]),
    (10, [Radio::G2, Radio::G4, Radio::G5]),
    (15, [Radio::G3, Radio::G4, Radio::G5]),
    (20, [Radio::G2, Radio::G4, Radio::G5]),
];

/// Operator names, as a `cSPID` or a site label would say them.
pub(crate) const OPERATOR_NAMES: [&str; 4] = ["ORANGE", "SFR", "FREE", "BOUYGUES"];

/// Candidates kept per place, operator and radio.
const CANDIDATES: usize = 4;

pub(crate) fn radio_index(r: Radio) -> usize {
    match r {
        Radio::G2 => 0,
        Radio::G3 => 1,
        Radio::G4 => 2,
        Radio::G5 => 3,
    }
}

pub(crate) fn plmn(op: usize) -> Plmn {
    Plmn::new(
        Mcc::from_u16(208).expect("208 is an MCC"),
        Mnc::new(OPERATORS[op].0, 2).expect("2-digit MNC"),
    )
}

/// A radio cell.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) id: CellId,
    pub(crate) op: u8,
    pub(crate) radio: Radio,
    pub(crate) site: String,
    pub(crate) pos: Xy,
    pub(crate) azimuth: f64,
    pub(crate) beamwidth: f64,
    pub(crate) range: f64,
    /// 0 for the facility's own area, k for far town k.
    pub(crate) town: u8,
    /// Site label with its town, as operators print it (accents included).
    pub(crate) label: String,
}

/// One candidate serving cell of a place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cand {
    pub(crate) cell: u32,
    pub(crate) mean: f32,
    pub(crate) dist: f32,
}

/// A place phones stay at; candidates per operator and radio.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub(crate) pos: Xy,
    pub(crate) town: u8,
    /// `(start, len)` into `Net::cands` per operator and radio index.
    slots: [[(u32, u8); 4]; 4],
}

/// The networks of one facility's area and its far towns.
#[derive(Debug)]
pub(crate) struct Net {
    pub(crate) cells: Vec<Cell>,
    pub(crate) towns: Vec<(String, Xy)>,
    pub(crate) places: Vec<Place>,
    cands: Vec<Cand>,
    /// Cell indices by `group(town, op, radio)`, so that placing a phone scans only its own.
    groups: Vec<Vec<u32>>,
    /// Cells serving the facility (the operators' answer to "which cells cover it").
    pub(crate) covering: Vec<bool>,
    shadowing_db: f64,
    fading_db: f32,
    seed: u64,
}

const LABELS: &[&str] = &[
    "Château d'eau",
    "Église",
    "Mairie",
    "Zone d'activités",
    "Stade",
    "Lycée",
    "Gendarmerie",
    "Rue de la République",
    "Route de Paris",
    "Les Prés",
    "Forêt domaniale",
    "Pylône EDF",
    "Centre commercial",
    "Gare",
    "Cimetière",
    "Collège Jean-Moulin",
    "Silo",
    "Hôpital",
];

/// Builds the sites and cells of a facility's area (`town` 0) and its far towns.
pub(crate) fn build(
    s: &Scenario,
    facility: u32,
    town_name: &str,
    dense: bool,
    towns: Vec<(String, Xy)>,
    real_sites: &[(usize, Xy)],
    rng: &mut Rng,
) -> Net {
    let spacing = if dense {
        s.radio.site_spacing_m / 2.5
    } else {
        s.radio.site_spacing_m
    };
    let radius = s.radio.area_radius_m;
    let mut cells = Vec::new();
    let mut counters = [0u32; 4];
    let mut shared_masts: Vec<Xy> = Vec::new();
    for op in 0..4 {
        let mut sites = Vec::new();
        if !real_sites.is_empty() {
            // Real antenna sites: positions from the list, sectors and ids generated.
            sites.extend(
                real_sites
                    .iter()
                    .filter(|(o, _)| *o == op)
                    .map(|(_, p)| (*p, 0u8)),
            );
        }
        // A jittered hexagonal grid, offset per operator; some masts are shared.
        let (ox, oy) = (
            rng.random_range(0.0..spacing),
            rng.random_range(0.0..spacing),
        );
        let dy = spacing * 3f64.sqrt() / 2.0;
        let n = (radius / spacing).ceil() as i32 + 1;
        let rows = if real_sites.is_empty() { n } else { -1 };
        for j in -rows..=rows {
            for i in -n..=n {
                let x = (f64::from(i) + if j % 2 == 0 { 0.0 } else { 0.5 }) * spacing + ox
                    - spacing / 2.0;
                let y = f64::from(j) * dy + oy - dy / 2.0;
                let mut p = Xy::new(
                    x + rng.random_range(-0.3..0.3) * spacing,
                    y + rng.random_range(-0.3..0.3) * spacing,
                );
                if p.dist(Xy::new(0.0, 0.0)) > radius {
                    continue;
                }
                if !shared_masts.is_empty() && rng.random_bool(0.3) {
                    let near = shared_masts
                        .iter()
                        .copied()
                        .min_by(|a, b| a.dist(p).total_cmp(&b.dist(p)));
                    if let Some(m) = near.filter(|m| m.dist(p) < spacing * 0.5) {
                        p = Xy::new(
                            m.x + rng.random_range(-8.0..8.0),
                            m.y + rng.random_range(-8.0..8.0),
                        );
                    }
                }
                sites.push((p, 0u8));
            }
        }
        shared_masts.extend(sites.iter().map(|(p, _)| *p));
        for (t, (_, centre)) in towns.iter().enumerate() {
            for _ in 0..2 {
                let p = centre.offset(
                    rng.random_range(0.0..360.0),
                    rng.random_range(100.0..1_500.0),
                );
                sites.push((p, t as u8 + 1));
            }
        }
        for (pos, town) in sites {
            add_site(
                &mut cells,
                &mut counters,
                s,
                facility,
                op,
                pos,
                town,
                spacing,
                town_name,
                &towns,
                rng,
            );
        }
    }
    let mut groups = vec![Vec::new(); group(towns.len() as u8 + 1, 0, Radio::G2)];
    for (i, c) in cells.iter().enumerate() {
        groups[group(c.town, usize::from(c.op), c.radio)].push(i as u32);
    }
    Net {
        cells,
        towns,
        places: Vec::new(),
        cands: Vec::new(),
        groups,
        covering: Vec::new(),
        shadowing_db: s.radio.shadowing_db,
        fading_db: s.radio.fading_db as f32,
        seed: rng.random(),
    }
}

#[allow(clippy::too_many_arguments)]
fn add_site(
    cells: &mut Vec<Cell>,
    counters: &mut [u32; 4],
    s: &Scenario,
    facility: u32,
    op: usize,
    pos: Xy,
    town: u8,
    spacing: f64,
    town_name: &str,
    towns: &[(String, Xy)],
    rng: &mut Rng,
) {
    counters[op] += 1;
    let site_no = counters[op];
    let plmn = plmn(op);
    let rotation = rng.random_range(0.0..120.0);
    let has_nr = rng.random_bool(s.radio.nr_share);
    let place_name = if town == 0 {
        town_name
    } else {
        towns[usize::from(town) - 1].0.as_str()
    };
    let label = format!(
        "{place_name} - {}",
        LABELS[rng.random_range(0..LABELS.len())]
    );
    let site = format!(
        "{}-{facility:03}-{site_no:04}",
        OPERATOR_NAMES[op].chars().next().unwrap_or('X')
    );
    // Location and service areas: one per facility area and far town.
    let lac = 0x0100 + (facility as u16) * 16 + u16::from(town);
    for radio in OPERATORS[op].1 {
        if radio == Radio::G5 && !has_nr {
            continue;
        }
        let range = spacing
            * match radio {
                Radio::G2 => 1.6,
                Radio::G3 => 1.2,
                Radio::G4 => 1.3,
                Radio::G5 => 0.8,
            };
        for sector in 0..3u32 {
            let azimuth = (rotation + 120.0 * f64::from(sector)) % 360.0;
            let id = match radio {
                Radio::G2 => CellId::cgi(plmn, lac, (site_no * 4 + sector) as u16),
                Radio::G3 => CellId::sai(plmn, lac, (site_no * 4 + sector) as u16),
                Radio::G4 => {
                    CellId::ecgi_from_parts(plmn, facility * 1024 + site_no, sector as u8 + 1)
                }
                Radio::G5 => CellId::ncgi(
                    plmn,
                    (u64::from(facility * 4096 + site_no) << 12) | u64::from(sector + 1),
                ),
            }
            .expect("generated cell ids are in range");
            cells.push(Cell {
                id,
                op: op as u8,
                radio,
                site: site.clone(),
                pos,
                azimuth,
                beamwidth: 65.0,
                range,
                town,
                label: label.clone(),
            });
        }
    }
}

fn group(town: u8, op: usize, radio: Radio) -> usize {
    usize::from(town) * 16 + op * 4 + radio_index(radio)
}

/// Received level (dB, relative) of `cell` at `p`, without shadowing and fading.
fn level(cell: &Cell, p: Xy) -> f64 {
    let d = cell.pos.dist(p).max(30.0);
    let off = angle_diff(cell.pos.bearing_to(p), cell.azimuth);
    let gain = -(12.0 * (off / cell.beamwidth).powi(2)).min(20.0);
    -35.0 * d.log10() + gain
}

fn angle_diff(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    if d > 180.0 { 360.0 - d } else { d }
}

/// A deterministic standard normal for a (place, cell) pair: shadowing does not change
/// between visits to the same place.
fn pair_normal(seed: u64, place: u64, cell: u64) -> f64 {
    let h = mix(seed ^ mix(place.wrapping_mul(0x9e37) ^ cell.rotate_left(29)));
    // Box–Muller on two 26-bit uniforms.
    let u1 = ((h >> 38) as f64 + 0.5) / (1u64 << 26) as f64;
    let u2 = (((h >> 12) & ((1 << 26) - 1)) as f64 + 0.5) / (1u64 << 26) as f64;
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

impl Net {
    /// Registers a place and computes its candidate cells; returns its index.
    pub(crate) fn add_place(&mut self, pos: Xy, town: u8) -> u32 {
        let id = self.places.len() as u64;
        let mut slots = [[(0u32, 0u8); 4]; 4];
        for (op, op_slots) in slots.iter_mut().enumerate() {
            for radio in OPERATORS[op].1 {
                let mut best: Vec<Cand> = self.groups[group(town, op, radio)]
                    .iter()
                    .map(|&i| (i, &self.cells[i as usize]))
                    .filter(|(_, c)| c.pos.dist(pos) <= c.range)
                    .map(|(i, c)| Cand {
                        cell: i,
                        mean: (level(c, pos)
                            + self.shadowing_db * pair_normal(self.seed, id, u64::from(i)))
                            as f32,
                        dist: c.pos.dist(pos) as f32,
                    })
                    .collect();
                best.sort_by(|a, b| b.mean.total_cmp(&a.mean));
                best.truncate(CANDIDATES);
                op_slots[radio_index(radio)] = (self.cands.len() as u32, best.len() as u8);
                self.cands.extend(best);
            }
        }
        self.places.push(Place { pos, town, slots });
        id as u32
    }

    /// Candidates of a place for an operator and radio.
    pub(crate) fn candidates(&self, place: u32, op: usize, radio: Radio) -> &[Cand] {
        let (start, len) = self.places[place as usize].slots[op][radio_index(radio)];
        &self.cands[start as usize..start as usize + usize::from(len)]
    }

    /// The serving cell for one event at `place`, or `None` without coverage.
    pub(crate) fn serve(&self, place: u32, op: usize, radio: Radio, rng: &mut Rng) -> Option<Cand> {
        let c = self.candidates(place, op, radio);
        let mut best: Option<(f32, Cand)> = None;
        for cand in c {
            let n: f32 = StandardNormal.sample(rng);
            let v = cand.mean + self.fading_db * n;
            if best.is_none_or(|(b, _)| v > b) {
                best = Some((v, *cand));
            }
        }
        best.map(|(_, c)| c)
    }

    /// Marks the cells that serve some point of the footprint: the operators' own answer
    /// to "which cells cover this facility", used to cut tower dumps.
    pub(crate) fn mark_covering(&mut self, samples: &[Xy]) {
        let mut covering = vec![false; self.cells.len()];
        for p in samples {
            let place = self.add_place(*p, 0);
            for (op, (_, radios)) in OPERATORS.iter().enumerate() {
                for r in radios {
                    for c in self.candidates(place, op, *r) {
                        covering[c.cell as usize] = true;
                    }
                }
            }
        }
        self.covering = covering;
    }
}

/// Timing advance for a distance, in the radio's steps, with the measurement's jitter.
pub(crate) fn timing_advance(radio: Radio, dist: f32, rng: &mut Rng) -> Option<u16> {
    let step = radio.ta_step_m()? as f32;
    let base = (dist / step).floor();
    let jitter = match rng.random_range(0..10) {
        0 => -1.0,
        1 => 1.0,
        _ => 0.0,
    };
    let max = if radio == Radio::G2 { 63.0 } else { 1_282.0 };
    Some((base + jitter).clamp(0.0, max) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closer_cells_win_and_sectors_matter() {
        let s = crate::scenario::Scenario::load("demo").unwrap();
        let mut rng = crate::rng::stream(1, "t", 0, 0);
        let towns = vec![("Ailleurs".to_string(), Xy::new(20_000.0, 0.0))];
        let mut net = build(&s, 0, "Ici", false, towns, &[], &mut rng);
        let p = net.add_place(Xy::new(10.0, 10.0), 0);
        let c = net.candidates(p, 0, Radio::G4);
        assert!(!c.is_empty());
        assert!(c.windows(2).all(|w| w[0].mean >= w[1].mean));
        let far = net.add_place(Xy::new(20_100.0, 0.0), 1);
        let fc = net.candidates(far, 0, Radio::G4);
        assert!(fc.iter().all(|c| net.cells[c.cell as usize].town == 1));
        assert_eq!(
            timing_advance(Radio::G4, 800.0, &mut rng).map(|t| t.abs_diff(10) <= 1),
            Some(true)
        );
        assert_eq!(timing_advance(Radio::G3, 800.0, &mut rng), None);
    }
}
