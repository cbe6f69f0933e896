//! The nation-level plan: everything that links facilities, decided before any facility is
//! simulated so that facilities can then be simulated independently.

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_distr::{Binomial, Distribution};

use crate::Error;
use crate::local::Xy;
use crate::rng::{self, Rng};
use crate::scenario::Scenario;
use crate::world::catalog::{self, Block, Form, Model, Numbering};

/// The facility counter reserved for nation-level contacts (skeleton accomplices).
pub(crate) const NATION_BLOCK: u32 = 1_023;

/// Most facilities a scenario may have (numbering blocks are interleaved by facility).
pub(crate) const MAX_FACILITIES: usize = 1_000;

/// Device counter from which contraband SIM numbers are allocated.
pub(crate) const CONTRABAND_SIM_BASE: u32 = 60_000;

/// What the nation decides about one facility.
#[derive(Debug, Clone)]
pub(crate) struct FacilityPlan {
    pub(crate) index: u32,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) town: String,
    pub(crate) lon: f64,
    pub(crate) lat: f64,
    pub(crate) capacity: u32,
    pub(crate) inmates: u32,
    pub(crate) dense: bool,
    pub(crate) by_wall: bool,
    pub(crate) jammer: bool,
    pub(crate) rf: bool,
    /// Inmates owning a contraband phone.
    pub(crate) owners: u32,
    /// Contraband handsets (owners plus second phones).
    pub(crate) handsets: u32,
    /// Of which mini phones.
    pub(crate) minis: u32,
    /// Ledger indices of the mini phones bought from the ledgered supplier.
    pub(crate) ledgered: Vec<u64>,
    /// Ledger indices of mini phones bought legally by neighbours.
    pub(crate) neighbour_ledgered: Vec<u64>,
    /// Contacts of this facility's contraband phones in other prisons: (handset, E.164).
    pub(crate) cross_links: Vec<(u32, u64)>,
    /// Skeleton links: (handset, E.164, weight).
    pub(crate) skeleton_links: Vec<(u32, u64, f64)>,
}

/// The whole plan.
pub(crate) struct Nation {
    pub(crate) facilities: Vec<FacilityPlan>,
    pub(crate) models: Vec<Model>,
    pub(crate) numbering: Numbering,
    /// Ledger: (index, model) of every phone the supplier sold.
    pub(crate) ledger_models: Vec<usize>,
    /// Cloned IMEIs shared by cheap phones all over the country.
    pub(crate) cloned_imeis: Vec<u64>,
    pub(crate) seed: u64,
}

const SYLLABLES: &[&str] = &[
    "Mont",
    "Ville",
    "Bourg",
    "Roche",
    "Fontaine",
    "Val",
    "Mar",
    "Beau",
    "Châtel",
    "Saint-Amand",
    "Sainte-Hélène",
    "Neuf",
    "Pré",
    "Bois",
    "Lès",
    "Aube",
    "Crête",
    "Étang",
];
const SUFFIXES: &[&str] = &[
    "-sur-Loire",
    "-le-Grand",
    "-en-Forêt",
    "-lès-Bains",
    "",
    "",
    "-sur-Mer",
    "-d'Armor",
    "-la-Vallée",
];

pub(crate) fn town_name(rng: &mut Rng) -> String {
    let a = SYLLABLES[rng.random_range(0..SYLLABLES.len())];
    let b = SYLLABLES[rng.random_range(0..SYLLABLES.len())].to_lowercase();
    let suffix = SUFFIXES[rng.random_range(0..SUFFIXES.len())];
    format!("{a}{b}{suffix}")
}

/// Draws the nation-level plan.
pub(crate) fn plan(s: &Scenario, seed: u64) -> Result<Nation, Error> {
    let mut rng = rng::stream(seed, "nation", 0, 0);
    let models = catalog::models(seed);
    let numbering = Numbering::new(seed);
    let real = match &s.facilities.source {
        Some(path) => crate::input::real_facilities(std::path::Path::new(path))?,
        None => Vec::new(),
    };
    let count = if real.is_empty() {
        s.facilities.count as usize
    } else {
        real.len().min(s.facilities.count.max(1) as usize)
    };
    if count > MAX_FACILITIES {
        return Err(Error::InvalidScenario {
            origin: s.name.clone(),
            reason: format!("{count} facilities; at most {MAX_FACILITIES} are supported"),
        });
    }
    let mut facilities = Vec::with_capacity(count);
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let kinds = ["CP", "MA", "CD", "MC"];
    for i in 0..count {
        let mut frng = rng::stream(seed, "facility-plan", i as u64, 0);
        let (id, name, kind, town, lon, lat, capacity, inmates) = if let Some(r) = real.get(i) {
            let occ = r.occupancy.unwrap_or((f64::from(r.capacity) * 1.2) as u32);
            let town = r.town.clone();
            (
                r.id.clone(),
                r.name.clone(),
                r.kind.clone(),
                town,
                r.lon,
                r.lat,
                r.capacity.max(10),
                occ.max(5),
            )
        } else {
            // Somewhere in metropolitan France, at least 15 km from any other facility.
            let (mut lon, mut lat): (f64, f64);
            loop {
                lon = frng.random_range(-1.5..7.0);
                lat = frng.random_range(43.5..50.5);
                let ok = placed.iter().all(|(a, b)| {
                    let dx = (lon - a) * 111_320.0 * lat.to_radians().cos();
                    let dy = (lat - b) * 111_320.0;
                    (dx * dx + dy * dy).sqrt() > 15_000.0
                });
                if ok {
                    break;
                }
            }
            let capacity = frng
                .random_range(s.facilities.capacity[0]..=s.facilities.capacity[1])
                .round() as u32;
            let rate =
                frng.random_range(s.facilities.occupancy_rate[0]..=s.facilities.occupancy_rate[1]);
            let town = town_name(&mut frng);
            let kind = kinds[frng.random_range(0..kinds.len())].to_string();
            (
                format!("F{:03}", i + 1),
                format!("{kind} {}", town.to_uppercase()),
                kind,
                town,
                lon,
                lat,
                capacity.max(10),
                ((f64::from(capacity) * rate).round() as u32).max(5),
            )
        };
        placed.push((lon, lat));
        let owners = Binomial::new(u64::from(inmates), s.inmates.owner_share)
            .map(|b| b.sample(&mut frng))
            .unwrap_or(0) as u32;
        let seconds = Binomial::new(u64::from(owners), s.inmates.second_phone_share)
            .map(|b| b.sample(&mut frng))
            .unwrap_or(0) as u32;
        let handsets = owners + seconds;
        let minis = Binomial::new(u64::from(handsets), s.inmates.mini_share)
            .map(|b| b.sample(&mut frng))
            .unwrap_or(0) as u32;
        facilities.push(FacilityPlan {
            index: i as u32,
            id,
            name,
            kind,
            town,
            lon,
            lat,
            capacity,
            inmates,
            dense: frng.random_bool(s.facilities.dense_city),
            by_wall: frng.random_bool(s.facilities.staff_housing_by_wall),
            jammer: frng.random_bool(s.facilities.jammer_share),
            rf: frng.random_bool(s.operations.rf_detectors_share),
            owners,
            handsets,
            minis,
            ledgered: Vec::new(),
            neighbour_ledgered: Vec::new(),
            cross_links: Vec::new(),
            skeleton_links: Vec::new(),
        });
    }
    // The supplier's ledger: most sales go to ordinary customers.
    let mini_models: Vec<usize> = models
        .iter()
        .enumerate()
        .filter(|(_, m)| m.form == Form::Mini && m.in_overlay)
        .map(|(i, _)| i)
        .collect();
    let ledgered_per_facility: Vec<u32> = facilities
        .iter()
        .map(|f| {
            Binomial::new(u64::from(f.minis), s.supplier.ledgered_share)
                .map(|b| b.sample(&mut rng))
                .unwrap_or(0) as u32
        })
        .collect();
    let neighbour_buyers: Vec<u32> = facilities.iter().map(|_| rng.random_range(0..=2)).collect();
    let wanted: u64 = ledgered_per_facility
        .iter()
        .chain(&neighbour_buyers)
        .map(|&v| u64::from(v))
        .sum();
    let size = ((wanted as f64) * s.supplier.sales_per_contraband)
        .ceil()
        .max(wanted as f64) as u64;
    let ledger_models: Vec<usize> = (0..size)
        .map(|_| mini_models[rng.random_range(0..mini_models.len())])
        .collect();
    let mut indices: Vec<u64> = (0..size).collect();
    indices.shuffle(&mut rng);
    let mut next = indices.into_iter();
    for (f, (&n, &nb)) in facilities
        .iter_mut()
        .zip(ledgered_per_facility.iter().zip(&neighbour_buyers))
    {
        f.ledgered = next.by_ref().take(n as usize).collect();
        f.neighbour_ledgered = next.by_ref().take(nb as usize).collect();
    }
    // Phones in different prisons that call each other.
    let handset_counts: Vec<u32> = facilities.iter().map(|f| f.handsets).collect();
    if facilities.len() > 1 {
        for f in 0..facilities.len() {
            for h in 0..facilities[f].handsets {
                if !rng.random_bool(s.network.cross_prison_share) {
                    continue;
                }
                let mut g = rng.random_range(0..facilities.len() - 1);
                if g >= f {
                    g += 1;
                }
                if handset_counts[g] == 0 {
                    continue;
                }
                let k = rng.random_range(0..handset_counts[g]);
                let number = numbering.mobile(Block::Device(g as u32, CONTRABAND_SIM_BASE + k));
                facilities[f].cross_links.push((h, number));
            }
        }
    }
    if let Some(path) = &s.network.skeleton {
        apply_skeleton(
            std::path::Path::new(path),
            &mut facilities,
            &numbering,
            &mut rng,
        )?;
    }
    let cloned_imeis = (0..s.devices.cloned_imei_groups.max(1) * 2)
        .map(|k| {
            // Cloned IMEIs are often a real model's TAC with a made-up serial.
            let m = &models[k as usize % 4];
            u64::from(m.tacs[0]) * 1_000_000 + rng.random_range(0..1_000_000u64)
        })
        .collect();
    Ok(Nation {
        facilities,
        models,
        numbering,
        ledger_models,
        cloned_imeis,
        seed,
    })
}

/// Maps a criminal-network edge list onto phones: the best-connected nodes become contraband
/// phones spread over the facilities, the rest outside accomplices.
fn apply_skeleton(
    path: &std::path::Path,
    facilities: &mut [FacilityPlan],
    numbering: &Numbering,
    rng: &mut Rng,
) -> Result<(), Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    let mut edges = Vec::new();
    let mut degree: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split([',', '\t', ';']).map(str::trim).collect();
        if f.len() < 2 || (n == 0 && f[0].eq_ignore_ascii_case("source")) {
            continue;
        }
        let w = f.get(2).and_then(|w| w.parse::<f64>().ok()).unwrap_or(1.0);
        edges.push((f[0].to_string(), f[1].to_string(), w));
        *degree.entry(f[0].to_string()).or_default() += 1;
        *degree.entry(f[1].to_string()).or_default() += 1;
    }
    if edges.is_empty() {
        return Err(Error::Input {
            path: path.into(),
            reason: "no `source,target[,weight]` edges found".into(),
        });
    }
    let mut nodes: Vec<(String, u32)> = degree.into_iter().collect();
    nodes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total_handsets: u32 = facilities.iter().map(|f| f.handsets).sum();
    let inside = (nodes.len() * 2 / 5).min(total_handsets as usize);
    let mut role: std::collections::HashMap<String, (Option<(usize, u32)>, u64)> =
        std::collections::HashMap::new();
    for (i, (name, _)) in nodes.iter().enumerate() {
        if i < inside {
            let mut f = rng.random_range(0..facilities.len());
            while facilities[f].handsets == 0 {
                f = (f + 1) % facilities.len();
            }
            let h = rng.random_range(0..facilities[f].handsets);
            let number = numbering.mobile(Block::Device(f as u32, CONTRABAND_SIM_BASE + h));
            role.insert(name.clone(), (Some((f, h)), number));
        } else {
            role.insert(
                name.clone(),
                (
                    None,
                    numbering.mobile(Block::Contact(NATION_BLOCK, i as u32)),
                ),
            );
        }
    }
    for (a, b, w) in edges {
        let (ra, na) = role[&a];
        let (rb, nb) = role[&b];
        if let Some((f, h)) = ra {
            facilities[f].skeleton_links.push((h, nb, w));
        }
        if let Some((f, h)) = rb {
            facilities[f].skeleton_links.push((h, na, w));
        }
    }
    Ok(())
}

/// A position in a facility's frame for its town and far towns.
pub(crate) fn far_towns(s: &Scenario, rng: &mut Rng) -> Vec<(String, Xy)> {
    (0..s.radio.far_towns)
        .map(|_| {
            let d =
                rng.random_range(s.radio.far_town_distance_m[0]..=s.radio.far_town_distance_m[1]);
            (
                town_name(rng),
                Xy::new(0.0, 0.0).offset(rng.random_range(0.0..360.0), d),
            )
        })
        .collect()
}
