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
use jiff::civil::Date;

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
    /// Which sources to fuse.
    pub evidence: Evidence,
}

/// The sources localisation fuses (all by default; fewer to see what each contributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    /// Timing advance.
    pub radio: bool,
    /// In-prison RF detectors.
    pub rf: bool,
    /// Prison records (attribution).
    pub records: bool,
    /// Earlier searches.
    pub searches: bool,
}

impl Evidence {
    /// Every source.
    pub const ALL: Evidence = Evidence {
        radio: true,
        rf: true,
        records: true,
        searches: true,
    };

    /// Parses `radio,rf,records,searches` (any subset).
    pub fn parse(text: &str) -> Result<Evidence, String> {
        let mut e = Evidence {
            radio: false,
            rf: false,
            records: false,
            searches: false,
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "radio" => e.radio = true,
                "rf" => e.rf = true,
                "records" => e.records = true,
                "searches" => e.searches = true,
                other => {
                    return Err(format!(
                        "unknown evidence `{other}`: expected radio, rf, records or searches"
                    ));
                }
            }
        }
        Ok(e)
    }
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
            evidence: Evidence::ALL,
        }
    }
}

impl Params {
    /// Detection probability of one search for this device.
    pub fn p_for(&self, mini: bool) -> f64 {
        if mini {
            self.p_detect_mini
        } else {
            self.p_detect
        }
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

/// The index and value of the largest element (the first on ties; `(0, f64::MIN)` if empty).
pub fn argmax(v: &[f64]) -> (usize, f64) {
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
    let kernel = Kernel::learn(inputs, p);
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
            Some(locate(inputs, &ctx[li], li, i, p, &kernel))
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

fn locate(
    inputs: &Inputs,
    ctx: &FacilityContext,
    li: usize,
    di: usize,
    p: &Params,
    kernel: &Kernel,
) -> Location {
    let layout = &inputs.layouts[li];
    let d = &inputs.devices[di];
    let mut reasons = Vec::new();

    let ev = p.evidence;
    let (prior, users) = if ev.records {
        attribution(inputs, ctx, layout, d, p, kernel, &mut reasons)
    } else {
        (ctx.prior.clone(), Vec::new())
    };
    let radio = if ev.radio {
        radio(inputs, layout, d, p, &mut reasons)
    } else {
        vec![0.0; layout.zones.len()]
    };
    let rf = ctx
        .rf
        .as_ref()
        .filter(|_| ev.rf)
        .map(|det| rf_likelihood(layout, det, d, inputs.end_us, p, &mut reasons));
    let searched = if ev.searches {
        searches(inputs, ctx, layout, d, p, &mut reasons)
    } else {
        vec![1.0; layout.cells.len()]
    };

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

/// An inmate the phone is attributed to.
#[derive(Debug, Clone)]
struct User {
    inmate: String,
    p: f64,
    numbers: u32,
    official: bool,
    visitor: bool,
}

/// The likely users of a device from the overlap of its contacts with inmates' known contacts.
fn users(inputs: &Inputs, d: &Device, p: &Params) -> Vec<User> {
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
    let mut users: Vec<User> = score
        .iter()
        .map(|(i, s)| User {
            inmate: (*i).to_owned(),
            p: s.0 / total,
            numbers: s.1,
            official: s.2,
            visitor: s.3,
        })
        .collect();
    users.sort_by(|a, b| b.p.total_cmp(&a.p).then(a.inmate.cmp(&b.inmate)));
    users
}

/// Where a user's phone is, relative to the cells the registry gave him while the phone was
/// in use: his current cell, his earlier cells, elsewhere in those wings, or anywhere.
/// The shares are learned from recorded seizures ([`Kernel::learn`]).
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    /// In the cell he occupies at the end of the period.
    pub current: f64,
    /// In a cell he occupied earlier in the period.
    pub earlier: f64,
    /// Elsewhere in the wings of those cells.
    pub wing: f64,
    /// Anywhere in the facility.
    pub elsewhere: f64,
    /// Seizures it was learned from.
    pub seizures: usize,
}

/// Before any seizure is recorded: most phones stay where their user sleeps.
const KERNEL_PRIOR: Kernel = Kernel {
    current: 0.5,
    earlier: 0.2,
    wing: 0.2,
    elsewhere: 0.1,
    seizures: 0,
};

/// Weight of [`KERNEL_PRIOR`], in seizures.
const KERNEL_PRIOR_STRENGTH: f64 = 10.0;

impl Kernel {
    /// Learns the shares from the seizures of attributed devices: where, relative to the
    /// attributed user's registry history, was the phone found? (Add-`KERNEL_PRIOR` smoothing.)
    pub fn learn(inputs: &Inputs, p: &Params) -> Kernel {
        let mut n = [0.0f64; 4];
        let mut count = 0;
        // Per facility: the zone of each cell number.
        let zones: HashMap<&str, HashMap<&str, usize>> = inputs
            .layouts
            .iter()
            .map(|l| {
                let zone_of = l.cells.iter().map(|c| (c.no.as_str(), c.zone)).collect();
                (l.facility.as_str(), zone_of)
            })
            .collect();
        for s in &inputs.seizures {
            let d = &inputs.devices[s.device];
            let (Some(cell), Some(zone_of)) = (&s.cell, zones.get(s.facility.as_str())) else {
                continue;
            };
            let Some(u) = users(inputs, d, p)
                .into_iter()
                .next()
                .filter(|u| u.p >= 0.3)
            else {
                continue;
            };
            let Some(h) = History::of(inputs, &d.facility, &u.inmate, d.first_us, s.day) else {
                continue;
            };
            let k = if h.current == *cell {
                0
            } else if h.earlier.iter().any(|e| e.0 == *cell) {
                1
            } else if zone_of
                .get(cell.as_str())
                .is_some_and(|z| h.cells().any(|c| zone_of.get(c) == Some(z)))
            {
                2
            } else {
                3
            };
            n[k] += 1.0;
            count += 1;
        }
        let w = KERNEL_PRIOR_STRENGTH;
        let t = count as f64 + w;
        Kernel {
            current: (n[0] + w * KERNEL_PRIOR.current) / t,
            earlier: (n[1] + w * KERNEL_PRIOR.earlier) / t,
            wing: (n[2] + w * KERNEL_PRIOR.wing) / t,
            elsewhere: (n[3] + w * KERNEL_PRIOR.elsewhere) / t,
            seizures: count,
        }
    }

    /// In words.
    pub fn words(&self) -> String {
        format!(
            "a user's phone is in his current cell {:.2}, in a cell he left during the period {:.2}, elsewhere in those wings {:.2}, anywhere {:.2} (learned from {} recorded seizures)",
            self.current, self.earlier, self.wing, self.elsewhere, self.seizures
        )
    }
}

/// The cells a user occupied while a phone was in use.
struct History {
    current: String,
    /// Earlier cells with the days spent there.
    earlier: Vec<(String, i32)>,
}

impl History {
    fn of(inputs: &Inputs, fac: &str, inmate: &str, first_us: i64, end: Date) -> Option<History> {
        let rows = inputs
            .records
            .history
            .get(&(fac.to_owned(), inmate.to_owned()))?;
        let start = crate::inputs::day_of(first_us).unwrap_or(end).min(end);
        let current = rows.iter().rev().find(|a| a.from <= end)?;
        let mut earlier: Vec<(String, i32)> = Vec::new();
        for a in rows {
            if a.from > end || std::ptr::eq(a, current) {
                continue;
            }
            let to = a.to.unwrap_or(end).min(end);
            if to < start {
                continue;
            }
            let days = (to - a.from.max(start)).get_days() + 1;
            if a.cell == current.cell {
                continue;
            }
            match earlier.iter_mut().find(|e| e.0 == a.cell) {
                Some(e) => e.1 += days.max(1),
                None => earlier.push((a.cell.clone(), days.max(1))),
            }
        }
        Some(History {
            current: current.cell.clone(),
            earlier,
        })
    }

    fn cells(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.current.as_str()).chain(self.earlier.iter().map(|e| e.0.as_str()))
    }
}

/// The attribution prior over cells, and the likely users.
fn attribution(
    inputs: &Inputs,
    ctx: &FacilityContext,
    layout: &Layout,
    d: &Device,
    p: &Params,
    kernel: &Kernel,
    reasons: &mut Vec<String>,
) -> (Vec<f64>, Vec<(String, f64)>) {
    let users = users(inputs, d, p);
    let mut prior: Vec<f64> = ctx.prior.clone();
    let attributed: f64 = users.iter().map(|u| u.p).sum();
    prior.iter_mut().for_each(|x| *x *= 1.0 - attributed);
    let spread = |prior: &mut Vec<f64>, cells: &[usize], mass: f64| {
        let total: f64 = cells.iter().map(|&c| ctx.prior[c]).sum();
        if total > 0.0 {
            for &c in cells {
                prior[c] += mass * ctx.prior[c] / total;
            }
        }
    };
    for u in users.iter().take(8) {
        let pu = u.p;
        let history = History::of(inputs, &d.facility, &u.inmate, d.first_us, inputs.plan_day);
        let Some(h) = history else {
            // The registry does not place him: his share stays spread over the facility.
            for (x, q) in prior.iter_mut().zip(&ctx.prior) {
                *x += pu * q;
            }
            continue;
        };
        let cur = ctx.cell_index.get(&h.current).copied();
        let earlier: Vec<(usize, i32)> = h
            .earlier
            .iter()
            .filter_map(|(c, n)| ctx.cell_index.get(c).map(|&i| (i, *n)))
            .collect();
        let own: Vec<usize> = cur.into_iter().chain(earlier.iter().map(|e| e.0)).collect();
        let mut wings: Vec<usize> = own.iter().map(|&c| layout.cells[c].zone).collect();
        wings.sort_unstable();
        wings.dedup();
        let wing_cells: Vec<usize> = wings
            .iter()
            .flat_map(|&z| ctx.zone_cells[z].iter().copied())
            .filter(|c| !own.contains(c))
            .collect();
        let all: Vec<usize> = (0..layout.cells.len()).collect();
        let parts = [
            (kernel.current, cur.is_some()),
            (kernel.earlier, !earlier.is_empty()),
            (kernel.wing, !wing_cells.is_empty()),
            (kernel.elsewhere, true),
        ];
        let norm: f64 = parts.iter().filter(|x| x.1).map(|x| x.0).sum();
        if let Some(c) = cur {
            prior[c] += pu * kernel.current / norm;
        }
        let days: i32 = earlier.iter().map(|e| e.1).sum();
        for &(c, n) in &earlier {
            prior[c] += pu * kernel.earlier / norm * f64::from(n) / f64::from(days.max(1));
        }
        spread(&mut prior, &wing_cells, pu * kernel.wing / norm);
        spread(&mut prior, &all, pu * kernel.elsewhere / norm);
        if pu >= 0.05 {
            let via = match (u.official, u.visitor) {
                (true, true) => "the official telephone and visitors' declared phones",
                (true, false) => "the official telephone",
                _ => "visitors' declared phones",
            };
            let moves = if h.earlier.is_empty() {
                String::new()
            } else {
                format!(
                    " (earlier in the period: {})",
                    h.earlier
                        .iter()
                        .map(|e| e.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            reasons.push(format!(
                "prison records: {} of its contact numbers are known contacts of inmate {} ({via}); he is its user with probability {pu:.2}; the registry has him in cell {}{moves}",
                u.numbers, u.inmate, h.current
            ));
        }
    }
    if users.is_empty() {
        reasons.push(
            "prison records: none of its contact numbers is known to the official telephone or the visits desk"
                .into(),
        );
    } else {
        reasons.push(format!("placement model: {}", kernel.words()));
    }
    (
        normalised(prior),
        users.into_iter().map(|u| (u.inmate, u.p)).collect(),
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
        let age = (inputs.plan_day - s.day).get_days().max(0);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use crate::inputs::Assignment;

    fn with_user(inputs: &mut Inputs, number: u64, inmate: &str, cells: &[(&str, &str)]) {
        inputs.records.contacts.entry(number).or_default().push((
            "F".into(),
            inmate.into(),
            Source::OfficialPhone,
        ));
        let rows = cells
            .iter()
            .enumerate()
            .map(|(i, (from, cell))| Assignment {
                from: from.parse().unwrap(),
                to: cells
                    .get(i + 1)
                    .map(|n| n.0.parse::<Date>().unwrap().yesterday().unwrap()),
                zone: cell[..2].to_owned(),
                cell: (*cell).to_owned(),
            })
            .collect();
        inputs
            .records
            .history
            .insert(("F".into(), inmate.into()), rows);
    }

    #[test]
    fn no_evidence_names_no_cell() {
        let inputs = fixture::inputs(
            vec![fixture::layout("F", 2, 10)],
            vec![fixture::device("A", "F", 0.9, false)],
        );
        let locs = locate_all(&inputs, &Params::default());
        let l = &locs[0];
        assert!((l.cells.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(l.cells.iter().all(|&c| (c - 0.05).abs() < 1e-9));
        let words = l.words(&inputs.layouts[0]);
        assert!(words.contains("does not single out"), "{words}");
    }

    #[test]
    fn records_attribute_the_phone_to_its_user_and_his_cell() {
        let mut inputs = fixture::inputs(
            vec![fixture::layout("F", 2, 10)],
            vec![fixture::device("A", "F", 0.9, false)],
        );
        inputs.devices[0].peers = vec![(33_612_345_678, 12), (33_698_765_432, 3)];
        with_user(&mut inputs, 33_612_345_678, "I1", &[("2026-01-01", "Z1-3")]);
        with_user(&mut inputs, 33_698_765_432, "I1", &[("2026-01-01", "Z1-3")]);
        let l = &locate_all(&inputs, &Params::default())[0];
        let best = argmax(&l.cells);
        assert_eq!(inputs.layouts[0].cells[best.0].no, "Z1-3");
        assert!(l.zones[1] > 0.75, "{:?}", l.zones);
        assert_eq!(l.users[0].0, "I1");
        assert!(
            l.reasons.iter().any(|r| r.contains("inmate I1")),
            "{:?}",
            l.reasons
        );
    }

    #[test]
    fn a_cell_left_during_the_period_keeps_a_share() {
        let mut inputs = fixture::inputs(
            vec![fixture::layout("F", 2, 10)],
            vec![fixture::device("A", "F", 0.9, false)],
        );
        inputs.devices[0].peers = vec![(1, 1), (2, 1)];
        with_user(
            &mut inputs,
            1,
            "I1",
            &[("2026-01-01", "Z0-2"), ("2026-03-01", "Z1-5")],
        );
        with_user(
            &mut inputs,
            2,
            "I1",
            &[("2026-01-01", "Z0-2"), ("2026-03-01", "Z1-5")],
        );
        let l = &locate_all(&inputs, &Params::default())[0];
        let idx = inputs.layouts[0].cell_index();
        let (now, before, other) = (
            l.cells[idx["Z1-5"]],
            l.cells[idx["Z0-2"]],
            l.cells[idx["Z0-7"]],
        );
        assert!(now > before && before > other, "{now} {before} {other}");
    }

    #[test]
    fn an_unsuccessful_search_lowers_the_cell() {
        let mut inputs = fixture::inputs(
            vec![fixture::layout("F", 1, 4)],
            vec![fixture::device("A", "F", 0.9, false)],
        );
        inputs.searches.push(crate::inputs::Search {
            id: "S1".into(),
            facility: "F".into(),
            zone: "Z0".into(),
            cell: Some("Z0-1".into()),
            day: inputs.plan_day.yesterday().unwrap(),
            found: false,
        });
        let l = &locate_all(&inputs, &Params::default())[0];
        // Bayes: 0.25 (1 − 0.6 e^(−1/30)) / (1 − 0.25 · 0.6 e^(−1/30)).
        let w = 0.6 * (-1.0f64 / 30.0).exp();
        let expected = 0.25 * (1.0 - w) / (1.0 - 0.25 * w);
        assert!(
            (l.cells[1] - expected).abs() < 1e-9,
            "{} vs {expected}",
            l.cells[1]
        );
    }

    #[test]
    fn rf_coincidences_point_to_the_zone() {
        let mut inputs = fixture::inputs(
            vec![fixture::layout("F", 3, 5)],
            vec![fixture::device("A", "F", 0.9, false)],
        );
        let t0 = inputs.end_us - 10 * 86_400_000_000;
        let times: Vec<i64> = (0..40).map(|k| t0 + k * 3_600_000_000).collect();
        inputs.devices[0].times = times.iter().map(|&t| (t, Some(Radio::G2))).collect();
        inputs.rf_facilities.insert("F".into());
        // Zone Z2 hears half of them two seconds later; Z0 has unrelated detections.
        let z2: Vec<(i64, String)> = times
            .iter()
            .step_by(2)
            .map(|&t| (t + 2_000_000, "GSM900".into()))
            .collect();
        let z0: Vec<(i64, String)> = (0..40)
            .map(|k| (t0 + k * 3_600_000_000 + 1_800_000_000, "GSM900".into()))
            .collect();
        inputs.rf.insert(("F".into(), "Z2".into()), z2);
        inputs.rf.insert(("F".into(), "Z0".into()), z0);
        let l = &locate_all(&inputs, &Params::default())[0];
        assert!(l.zones[2] > 0.99, "{:?}", l.zones);
        assert!(
            l.reasons
                .iter()
                .any(|r| r.contains("zone Z2 heard 20 of its 40")),
            "{:?}",
            l.reasons
        );
    }

    #[test]
    fn timing_advance_follows_the_radio_quantisation() {
        assert_eq!(ta_likelihood(100.0, 78.12, 1), 0.8);
        assert_eq!(ta_likelihood(100.0, 78.12, 2), 0.1);
        assert_eq!(ta_likelihood(100.0, 78.12, 0), 0.1);
        assert_eq!(ta_likelihood(100.0, 78.12, 5), 0.002);
    }

    #[test]
    fn evidence_lists_parse() {
        assert_eq!(
            Evidence::parse("radio,rf,records,searches"),
            Ok(Evidence::ALL)
        );
        assert!(!Evidence::parse("radio").unwrap().records);
        assert!(
            Evidence::parse("radio,magic")
                .unwrap_err()
                .contains("magic")
        );
    }
}
