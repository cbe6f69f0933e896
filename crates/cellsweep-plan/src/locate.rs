//! Where inside its facility a candidate phone is: a probability per search zone and per
//! prison cell, fused from three independent sources, with the reasons in words.
//!
//! For a device placed in facility F by detection, over F's prison cells `c`:
//!
//! ```text
//! P(c | evidence) ∝ A(c) · R(zone(c)) · D(zone(c)) · S(c)
//! ```
//!
//! - `A(c)`, **attribution** from prison records (a prior on cells): the numbers the phone
//!   called or was called by are compared with each inmate's contacts known to the
//!   administration (numbers authorised on, or called from, the official telephone; numbers
//!   visitors declared at the desk). Each shared number counts `1 / (inmates sharing it)`;
//!   inmate `i` with score `s_i` is the phone's user with probability `s_i / (Σ s + s0)`,
//!   the rest (`s0`: rented, shared, or contacts the administration does not know) goes to the
//!   occupancy prior. A user's phone is in his current cell (inmate registry) with probability
//!   `in_own_cell`, otherwise in another cell of his wing (phones are hidden and moved).
//!   Without a match, `A` is the occupancy prior: cells in proportion to inmates + 1/4.
//! - `R(z)`, **radio**: each timing-advance reading `(cell, ta)` of the recent window has
//!   likelihood `mean over sample points x of z of P(ta | distance(site, x))`, with the
//!   radio's quantisation (`floor(d / step)`, ±1 step one time in five, a small floor for
//!   outliers). The sum of log-likelihoods is tempered to at most `radio_max_readings`
//!   independent readings: readings from one hiding place are not independent.
//! - `D(z)`, **in-prison RF detectors**: the device's recent events that coincide (−1 s to
//!   +5 s, same band) with a detection in zone `z` are counted (`k` of `n`); a detection by
//!   chance happens with `f_z` (that zone's detection rate in the band over 6 s). The
//!   likelihood ratio of "inside z" is `((q + (1 − q) f_z) / f_z)^k · (1 − q)^(n − k)` with
//!   `q` the detectors' sensitivity.
//! - `S(c)`, **searches**: every search of the cell (or its whole zone) that did not seize
//!   this device multiplies by `1 − p · exp(−age / search_memory_days)` (Bayes' rule for an
//!   unsuccessful search, fading because phones are moved).
//!
//! The output never pinpoints falsely: it reports the probabilities and says when no single
//! cell is likely enough to name ([`Location::words`]).

use std::collections::HashMap;

use cellsweep_geo::Radio;

use crate::inputs::{Device, Inputs, Source};
use crate::layout::Layout;

/// Model constants; documented in docs/plan.md.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Probability that one search of the right cell finds a phone.
    pub p_detect: f64,
    /// The same for a mini phone (they are hidden in smaller places).
    pub p_detect_mini: f64,
    /// Probability that a phone is in its user's current cell (else elsewhere in his wing).
    pub in_own_cell: f64,
    /// Weight of "none of the known inmates" in attribution.
    pub attribution_none: f64,
    /// Timing-advance readings counted as independent, at most.
    pub radio_max_readings: f64,
    /// RF detector sensitivity: share of a phone's transmissions a detector hears.
    pub rf_sensitivity: f64,
    /// Days after which an unsuccessful search has lost 63 % of its weight.
    pub search_memory_days: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            p_detect: 0.6,
            p_detect_mini: 0.35,
            in_own_cell: 0.6,
            attribution_none: 1.0,
            radio_max_readings: 20.0,
            rf_sensitivity: 0.5,
            search_memory_days: 30.0,
        }
    }
}

impl Params {
    /// Detection probability of one search for this device.
    pub fn p_for(&self, mini: bool) -> f64 {
        if mini { self.p_detect_mini } else { self.p_detect }
    }
}

/// The localisation of one device.
#[derive(Debug, Clone)]
pub struct Location {
    /// Index into [`Inputs::devices`].
    pub device: usize,
    /// Index into [`Inputs::layouts`].
    pub layout: usize,
    /// Probability per prison cell (layout order); sums to 1.
    pub cells: Vec<f64>,
    /// Probability per search zone; sums to 1.
    pub zones: Vec<f64>,
    /// Likely users from prison records, with probabilities.
    pub users: Vec<(String, f64)>,
    /// Each source's contribution in words.
    pub reasons: Vec<String>,
}

impl Location {
    /// The most likely zone and cell, and a sentence saying how sure that is.
    pub fn words(&self, layout: &Layout) -> String {
        let (zi, zp) = argmax(&self.zones);
        let (ci, cp) = argmax(&self.cells);
        let zone = &layout.zones[zi].id;
        let cell = &layout.cells[ci].no;
        let n = layout.cells.len();
        if cp >= 0.5 {
            format!("most likely in cell {cell} ({cp:.2}), zone {zone} ({zp:.2})")
        } else if zp >= 0.5 {
            format!(
                "most likely in zone {zone} ({zp:.2}); no single cell is likely enough to name (best {cell}, {cp:.2})"
            )
        } else {
            format!(
                "the evidence does not single out a zone (best {zone}, {zp:.2}; best cell {cell}, {cp:.2}; {n} cells in the facility)"
            )
        }
    }
}

fn argmax(v: &[f64]) -> (usize, f64) {
    v.iter()
        .copied()
        .enumerate()
        .fold((0, f64::MIN), |a, (i, x)| if x > a.1 { (i, x) } else { a })
}

/// Locates every candidate device that is not seized, in its facility's layout.
pub fn locate_all(inputs: &Inputs, p: &Params) -> Vec<Location> {
    let by_fac: HashMap<&str, usize> = inputs
        .layouts
        .iter()
        .enumerate()
        .map(|(i, l)| (l.facility.as_str(), i))
        .collect();
    let ctx: Vec<FacilityContext> = inputs
        .layouts
        .iter()
        .map(|l| FacilityContext::new(inputs, l))
        .collect();
    inputs
        .devices
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.seized)
        .filter_map(|(i, d)| {
            let li = *by_fac.get(d.facility.as_str())?;
            Some(locate(inputs, &ctx[li], li, i, p))
        })
        .collect()
}

/// What every device of a facility shares.
struct FacilityContext {
    prior: Vec<f64>,
    cell_index: HashMap<String, usize>,
    zone_index: HashMap<String, usize>,
    zone_cells: Vec<Vec<usize>>,
    /// Per zone: detections (µs, band) if the facility has detectors.
    rf: Option<Vec<Vec<(i64, String)>>>,
}

impl FacilityContext {
    fn new(inputs: &Inputs, l: &Layout) -> FacilityContext {
        let prior: Vec<f64> = l
            .cells
            .iter()
            .map(|c| {
                let n = inputs
                    .records
                    .occupants
                    .get(&(l.facility.clone(), c.no.clone()))
                    .copied()
                    .unwrap_or(0);
                f64::from(n) + 0.25
            })
            .collect();
        let mut zone_cells = vec![Vec::new(); l.zones.len()];
        for (i, c) in l.cells.iter().enumerate() {
            zone_cells[c.zone].push(i);
        }
        let rf = inputs.rf_facilities.contains(&l.facility).then(|| {
            l.zones
                .iter()
                .map(|z| {
                    inputs
                        .rf
                        .get(&(l.facility.clone(), z.id.clone()))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect()
        });
        FacilityContext {
            prior: normalised(prior),
            cell_index: l
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| (c.no.clone(), i))
                .collect(),
            zone_index: l
                .zones
                .iter()
                .enumerate()
                .map(|(i, z)| (z.id.clone(), i))
                .collect(),
            zone_cells,
            rf,
        }
    }
}

fn normalised(mut v: Vec<f64>) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    if s > 0.0 && s.is_finite() {
        v.iter_mut().for_each(|x| *x /= s);
    } else if !v.is_empty() {
        let u = 1.0 / v.len() as f64;
        v.iter_mut().for_each(|x| *x = u);
    }
    v
}

fn locate(inputs: &Inputs, ctx: &FacilityContext, li: usize, di: usize, p: &Params) -> Location {
    let layout = &inputs.layouts[li];
    let d = &inputs.devices[di];
    let mut reasons = Vec::new();

    let (prior, users) = attribution(inputs, ctx, layout, d, p, &mut reasons);
    let radio = radio(inputs, layout, d, p, &mut reasons);
    let rf = ctx
        .rf
        .as_ref()
        .map(|det| rf_likelihood(layout, det, d, inputs.end_us, p, &mut reasons));
    let searched = searches(inputs, ctx, layout, d, p, &mut reasons);

    let mut log: Vec<f64> = (0..layout.cells.len())
        .map(|c| {
            let z = layout.cells[c].zone;
            prior[c].max(1e-300).ln()
                + radio[z]
                + rf.as_ref().map_or(0.0, |r| r[z])
                + searched[c].max(1e-300).ln()
        })
        .collect();
    let m = log.iter().copied().fold(f64::MIN, f64::max);
    log.iter_mut().for_each(|x| *x = (*x - m).exp());
    let cells = normalised(log);
    let mut zones = vec![0.0; layout.zones.len()];
    for (c, pc) in cells.iter().enumerate() {
        zones[layout.cells[c].zone] += pc;
    }
    Location {
        device: di,
        layout: li,
        cells,
        zones,
        users,
        reasons,
    }
}

/// The attribution prior over cells, and the likely users.
fn attribution(
    inputs: &Inputs,
    ctx: &FacilityContext,
    layout: &Layout,
    d: &Device,
    p: &Params,
    reasons: &mut Vec<String>,
) -> (Vec<f64>, Vec<(String, f64)>) {
    let mut score: HashMap<&str, (f64, u32, bool, bool)> = HashMap::new();
    for (peer, _) in &d.peers {
        let Some(holders) = inputs.records.contacts.get(peer) else {
            continue;
        };
        let here: Vec<_> = holders.iter().filter(|h| h.0 == d.facility).collect();
        let mut inmates: Vec<&str> = here.iter().map(|h| h.1.as_str()).collect();
        inmates.sort_unstable();
        inmates.dedup();
        if inmates.is_empty() {
            continue;
        }
        let w = 1.0 / inmates.len() as f64;
        for i in &inmates {
            let e = score.entry(i).or_insert((0.0, 0, false, false));
            e.0 += w;
            e.1 += 1;
        }
        for h in here {
            let e = score.entry(h.1.as_str()).or_insert((0.0, 0, false, false));
            match h.2 {
                Source::OfficialPhone => e.2 = true,
                Source::Visitor => e.3 = true,
            }
        }
    }
    let total: f64 = score.values().map(|s| s.0).sum::<f64>() + p.attribution_none;
    let mut users: Vec<(String, f64, u32, bool, bool)> = score
        .iter()
        .map(|(i, s)| ((*i).to_owned(), s.0 / total, s.1, s.2, s.3))
        .collect();
    users.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut prior: Vec<f64> = ctx.prior.clone();
    let attributed: f64 = users.iter().map(|u| u.1).sum();
    prior.iter_mut().for_each(|x| *x *= 1.0 - attributed);
    for (inmate, pu, n, official, visitor) in users.iter().take(8) {
        let Some((zone, cell, since)) = inputs
            .records
            .current_cell
            .get(&(d.facility.clone(), inmate.clone()))
        else {
            // The registry does not place him on the plan day: his share stays spread.
            for (x, q) in prior.iter_mut().zip(&ctx.prior) {
                *x += pu * q;
            }
            continue;
        };
        let own = ctx.cell_index.get(cell).copied();
        let wing: &[usize] = ctx
            .zone_index
            .get(zone)
            .map(|&z| ctx.zone_cells[z].as_slice())
            .or_else(|| own.map(|c| &ctx.zone_cells[layout.cells[c].zone][..]))
            .unwrap_or(&[]);
        let others: Vec<usize> = wing.iter().copied().filter(|&c| Some(c) != own).collect();
        match own {
            Some(c) => prior[c] += pu * p.in_own_cell,
            None => {}
        }
        let rest = if own.is_some() {
            1.0 - p.in_own_cell
        } else {
            1.0
        };
        if others.is_empty() {
            for (x, q) in prior.iter_mut().zip(&ctx.prior) {
                *x += pu * rest * q;
            }
        } else {
            let mass: f64 = others.iter().map(|&c| ctx.prior[c]).sum();
            for &c in &others {
                prior[c] += pu * rest * ctx.prior[c] / mass.max(1e-12);
            }
        }
        if *pu >= 0.05 {
            let via = match (official, visitor) {
                (true, true) => "the official telephone and visitors' declared phones",
                (true, false) => "the official telephone",
                _ => "visitors' declared phones",
            };
            reasons.push(format!(
                "prison records: {n} of its contact numbers are known contacts of inmate {inmate} ({via}); he is its user with probability {pu:.2} and has been in cell {cell} (zone {zone}) since {since}"
            ));
        }
    }
    if users.is_empty() {
        reasons.push(
            "prison records: none of its contact numbers is known to the official telephone or the visits desk"
                .into(),
        );
    }
    (
        normalised(prior),
        users.into_iter().map(|u| (u.0, u.1)).collect(),
    )
}

/// Log-likelihood of each zone from timing-advance readings.
fn radio(
    inputs: &Inputs,
    layout: &Layout,
    d: &Device,
    p: &Params,
    reasons: &mut Vec<String>,
) -> Vec<f64> {
    let nz = layout.zones.len();
    let mut ll = vec![0.0; nz];
    let mut n_total = 0u32;
    let mut sectors = 0;
    for &(cell, ta, n) in &d.ta {
        let Some(pos) = inputs.cells.get(&cell) else {
            continue;
        };
        let Some(step) = pos.radio.ta_step_m() else {
            continue;
        };
        // Only sites near the facility say anything about where inside it the phone is.
        let Some(first) = layout.zones.iter().find_map(|z| z.samples.first()) else {
            continue;
        };
        let dist0 = dist_m(pos.xy, *first);
        if dist0 > 10_000.0 {
            continue;
        }
        sectors += 1;
        n_total += n;
        for (z, zone) in layout.zones.iter().enumerate() {
            if zone.samples.is_empty() {
                continue;
            }
            let l = zone
                .samples
                .iter()
                .map(|&x| ta_likelihood(dist_m(pos.xy, x), step, ta))
                .sum::<f64>()
                / zone.samples.len() as f64;
            ll[z] += f64::from(n) * l.ln();
        }
    }
    if n_total == 0 {
        reasons.push("radio: no timing-advance reading in the recent window".into());
        return vec![0.0; nz];
    }
    let w = (p.radio_max_readings / f64::from(n_total)).min(1.0);
    ll.iter_mut().for_each(|x| *x *= w);
    // Zones without a polygon get the mean (no information either way).
    let with: Vec<usize> = (0..nz)
        .filter(|&z| !layout.zones[z].samples.is_empty())
        .collect();
    if with.len() < nz && !with.is_empty() {
        let mean = with.iter().map(|&z| ll[z]).sum::<f64>() / with.len() as f64;
        for (z, x) in ll.iter_mut().enumerate() {
            if layout.zones[z].samples.is_empty() {
                *x = mean;
            }
        }
    }
    let post = normalised({
        let m = ll.iter().copied().fold(f64::MIN, f64::max);
        ll.iter().map(|x| (x - m).exp()).collect()
    });
    let (zi, zp) = argmax(&post);
    let uniform = 1.0 / nz as f64;
    if zp < uniform * 1.5 {
        reasons.push(format!(
            "radio: {n_total} timing-advance readings on {sectors} (cell, distance) combinations cannot tell the {nz} zones apart"
        ));
    } else {
        reasons.push(format!(
            "radio: {n_total} timing-advance readings on {sectors} (cell, distance) combinations favour zone {} ({zp:.2} on radio alone)",
            layout.zones[zi].id
        ));
    }
    ll
}

fn dist_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() * 1000.0
}

/// P(reported timing advance | true distance): the radio floors the distance to its step and
/// is one step off one time in five; anything else is an outlier.
pub fn ta_likelihood(d_m: f64, step_m: f64, ta: u16) -> f64 {
    let t0 = (d_m / step_m).floor() as i64;
    match (i64::from(ta) - t0).abs() {
        0 => 0.8,
        1 => 0.1,
        _ => 0.002,
    }
}

/// Log-likelihood ratio of each zone from RF detector coincidences.
fn rf_likelihood(
    layout: &Layout,
    det: &[Vec<(i64, String)>],
    d: &Device,
    end_us: i64,
    p: &Params,
    reasons: &mut Vec<String>,
) -> Vec<f64> {
    let q = p.rf_sensitivity.clamp(0.01, 0.99);
    let n = d.times.len();
    let start = d.times.first().map_or(end_us, |t| t.0);
    let span_s = ((end_us - start) as f64 / 1e6).max(3600.0);
    let mut out = vec![0.0; layout.zones.len()];
    let mut best = (0usize, 0usize, 0.0f64);
    for (z, dets) in det.iter().enumerate() {
        if dets.is_empty() {
            continue;
        }
        // Chance rate per band in the window the device was observed.
        let lo = dets.partition_point(|x| x.0 < start);
        let mut per_band: HashMap<&str, usize> = HashMap::new();
        for x in &dets[lo..] {
            *per_band.entry(x.1.as_str()).or_default() += 1;
        }
        let mut k = 0usize;
        let mut chance = 0.0;
        for &(t, radio) in &d.times {
            let band = radio.map(band_of);
            let rate = band
                .map(|b| per_band.get(b).copied().unwrap_or(0))
                .unwrap_or_else(|| per_band.values().sum()) as f64
                / span_s;
            let f = (1.0 - (-rate * 6.0).exp()).max(1e-6);
            chance += f;
            let i = dets.partition_point(|x| x.0 < t - 1_000_000);
            let hit = dets[i..]
                .iter()
                .take_while(|x| x.0 <= t + 5_000_000)
                .any(|x| band.is_none_or(|b| x.1 == b));
            if hit {
                k += 1;
                out[z] += ((q + (1.0 - q) * f) / f).ln();
            } else {
                out[z] += (1.0 - q).ln();
            }
        }
        if k > best.1 {
            best = (z, k, chance);
        }
    }
    if n == 0 {
        reasons.push("RF detectors: no recent transmission of this device to compare".into());
    } else if best.1 == 0 {
        reasons.push(format!(
            "RF detectors: none heard any of its {n} recent transmissions"
        ));
    } else {
        reasons.push(format!(
            "RF detectors: the detector of zone {} heard {} of its {n} recent transmissions (chance alone: {:.1})",
            layout.zones[best.0].id, best.1, best.2
        ));
    }
    out
}

fn band_of(r: Radio) -> &'static str {
    match r {
        Radio::G2 => "GSM900",
        Radio::G3 => "UMTS2100",
        Radio::G4 => "LTE800",
        Radio::G5 => "NR3500",
    }
}

/// The unsuccessful-search factor per cell.
fn searches(
    inputs: &Inputs,
    ctx: &FacilityContext,
    layout: &Layout,
    d: &Device,
    p: &Params,
    reasons: &mut Vec<String>,
) -> Vec<f64> {
    let mut f = vec![1.0; layout.cells.len()];
    let pd = p.p_for(d.mini);
    let mut n = 0;
    for s in inputs.searches.iter().filter(|s| s.facility == d.facility) {
        let age = (inputs.plan_day - s.day)
            .get_days()
            .max(0);
        let weight = pd * (-(f64::from(age)) / p.search_memory_days).exp();
        let cells: Vec<usize> = match &s.cell {
            Some(c) => ctx.cell_index.get(c).copied().into_iter().collect(),
            None => ctx
                .zone_index
                .get(&s.zone)
                .map(|&z| ctx.zone_cells[z].clone())
                .unwrap_or_default(),
        };
        for c in cells {
            f[c] *= 1.0 - weight;
            n += 1;
        }
    }
    if n > 0 {
        reasons.push(format!(
            "searches: {n} earlier cell searches in the facility lower the probability of the places searched"
        ));
    }
    f
}
