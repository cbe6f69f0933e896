//! Simulating one facility's area from start to end: the world, past searches, the first pass
//! that decides which identities get a traffic-data request, and the second pass that writes
//! the deliveries, the truth, the records and the sensor logs.

use std::collections::HashSet;
use std::path::Path;

use rand::RngExt;
use rand::seq::IndexedRandom;
use rand_distr::{Distribution, Poisson};

use crate::Error;
use crate::activity::{Event, Gen, Kind, Row};
use crate::clock::Clock;
use crate::deliver::text::imei15;
use crate::deliver::{Deliveries, LayoutKind, ManifestRow};
use crate::local::{Frame, Xy};
use crate::rng;
use crate::scenario::Scenario;
use crate::world::catalog::Form;
use crate::world::layout::{self, Layout};
use crate::world::nation::{self, FacilityPlan, Nation};
use crate::world::people::{self, Category, Population};
use crate::world::radio::{self, Net};

/// A past search: `(day, prison_cell, seized handsets)`.
pub(crate) type Search = (u32, usize, Vec<usize>);

/// Everything one facility produced besides its delivery files.
pub(crate) struct FacilityResult {
    pub(crate) plan: FacilityPlan,
    pub(crate) frame: Frame,
    pub(crate) layout: Layout,
    pub(crate) net: Net,
    pub(crate) pop: Population,
    pub(crate) searches: Vec<Search>,
    pub(crate) manifest: Vec<ManifestRow>,
    /// Delivered IMEI–IMSI pairings: `(imei, imsi, msisdn) -> handset`.
    pub(crate) pairings: Vec<((u64, u64, u64), usize)>,
    /// RF detections: `(utc, offset, wing index, band)`.
    pub(crate) rf: Vec<(i64, i32, usize, &'static str)>,
    /// Official telephone calls: `(utc, offset, inmate, number, seconds)`.
    pub(crate) official_calls: Vec<(i64, i32, usize, u64, u32)>,
    pub(crate) stats: Stats,
}

/// Counts for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) events: u64,
    pub(crate) tower_rows: u64,
    pub(crate) traffic_rows: u64,
    pub(crate) handsets: u64,
    pub(crate) contraband: u64,
}

/// Buckets of a day: 15 minutes each, so that one bucket's events sort within the CPU caches.
const BUCKET_SECONDS: u32 = 900;

/// Orders a day's events by time, then handset, then generation order: events are first
/// spread into 15-minute buckets (sequential writes), then each bucket is sorted while it fits
/// in cache. Sorting the whole day at once, or sorting indices and gathering, was dominated by
/// cache misses.
fn sort_day(events: &mut Vec<Event>, buckets: &mut Vec<Vec<Event>>) {
    let n = 25 * 3_600 / BUCKET_SECONDS as usize + 1;
    buckets.resize_with(n, Vec::new);
    for b in buckets.iter_mut() {
        b.clear();
    }
    for ev in events.drain(..) {
        buckets[(ev.e / BUCKET_SECONDS) as usize].push(ev);
    }
    for b in buckets.iter_mut() {
        b.sort_unstable_by_key(|e| (e.e, e.handset, e.seq));
    }
}

/// Night of an event (local 22:00–06:00 belongs to the night starting that evening).
fn night_of(day: u32, tod: i64) -> Option<u32> {
    if tod >= 22 * 3_600 {
        Some(day)
    } else if tod < 6 * 3_600 {
        day.checked_sub(1)
    } else {
        None
    }
}

pub(crate) fn simulate(
    s: &Scenario,
    nation: &Nation,
    fp: &FacilityPlan,
    clock: &Clock,
    real_sites: &[(usize, f64, f64)],
    out: &Path,
) -> Result<FacilityResult, Error> {
    let seed = nation.seed;
    let f = u64::from(fp.index);
    let frame = Frame::new(fp.lon, fp.lat);
    let mut lrng = rng::stream(seed, "layout", f, 0);
    let layout = layout::build(s, fp.capacity, fp.dense, fp.by_wall, &mut lrng);
    let mut trng = rng::stream(seed, "towns", f, 0);
    let towns = nation::far_towns(s, &mut trng);
    let local_sites: Vec<(usize, Xy)> = real_sites
        .iter()
        .map(|&(op, lon, lat)| {
            let x = (lon - fp.lon) * 111_320.0 * fp.lat.to_radians().cos();
            let y = (lat - fp.lat) * 111_320.0;
            (op, Xy::new(x, y))
        })
        .filter(|(_, p)| p.dist(Xy::new(0.0, 0.0)) <= s.radio.area_radius_m)
        .collect();
    let mut rrng = rng::stream(seed, "radio", f, 0);
    let mut net = radio::build(
        s,
        fp.index,
        &fp.town,
        layout.dense,
        towns,
        &local_sites,
        &mut rrng,
    );
    let samples: Vec<Xy> = (0..5)
        .flat_map(|i| (0..5).map(move |j| (i, j)))
        .map(|(i, j)| {
            layout
                .footprint
                .at(-0.9 + 0.45 * f64::from(i), -0.9 + 0.45 * f64::from(j))
        })
        .collect();
    net.mark_covering(&samples);
    let mut prng = rng::stream(seed, "people", f, 0);
    let mut pop = people::populate(s, nation, fp, &layout, &mut net, &mut prng);

    // Past searches: some on tips (a phone really is there), some at random.
    let mut orng = rng::stream(seed, "searches", f, 0);
    let mut searches = Vec::new();
    let contraband: Vec<usize> = (0..pop.handsets.len())
        .filter(|&h| pop.handsets[h].contraband)
        .collect();
    for _ in 0..s.operations.past_searches {
        if layout.cells.is_empty() {
            break;
        }
        let day = orng.random_range(0..s.days);
        let live: Vec<usize> = contraband
            .iter()
            .copied()
            .filter(|&h| pop.handsets[h].seized.is_none())
            .collect();
        let cell = match live.choose(&mut orng) {
            Some(&h) if orng.random_bool(0.6) => pop.handsets[h].hide_on(day).map_or(0, |(_, c)| c),
            _ => orng.random_range(0..layout.cells.len()),
        };
        let mut seized = Vec::new();
        for &h in &live {
            if pop.handsets[h].hide_on(day).is_some_and(|(_, c)| c == cell) {
                let p = if pop.handsets[h].form == Form::Mini {
                    s.operations.p_detect_mini
                } else {
                    s.operations.p_detect
                };
                if orng.random_bool(p) {
                    pop.handsets[h].seized = Some(day);
                    seized.push(h);
                }
            }
        }
        searches.push((day, cell, seized));
    }
    searches.sort_by_key(|x| (x.0, x.1));

    let jammer_from = fp.jammer.then_some(s.facilities.jammer_from_day);
    let layouts = [0, 1, 2, 3].map(|i| LayoutKind::parse(&s.delivery.formats[i]));
    let generator = Gen {
        s,
        net: &net,
        nr_visible: layouts.map(LayoutKind::shows_nr),
        jammer_from,
        seed,
        facility: fp.index,
    };
    let mut stats = Stats {
        handsets: pop.handsets.len() as u64,
        contraband: contraband.len() as u64,
        ..Stats::default()
    };

    // Pass A: every handset's events in the facility's area. Tower dumps are written, nights
    // on the facility's cells are counted per identity (the analyst's basis for the second
    // round of requests), and RF detectors listen.
    let dir = out.join("operator");
    let drng = rng::stream(seed, "deliver", f, 0);
    let mut deliveries = Deliveries::new(&dir, s, &fp.id, &net.cells, &frame, clock, drng);
    let mut tallies: Vec<Vec<(u64, u32, u32)>> = vec![Vec::new(); pop.handsets.len()];
    let mut last_pair: Vec<(u64, u64)> = vec![(u64::MAX, u64::MAX); pop.handsets.len()];
    let mut pairings: Vec<((u64, u64, u64), usize)> = Vec::new();
    let mut note_pair = |ev: &Row, last_pair: &mut Vec<(u64, u64)>| {
        let h = ev.handset as usize;
        if last_pair[h] != (ev.imei, ev.sim.imsi) {
            last_pair[h] = (ev.imei, ev.sim.imsi);
            pairings.push(((ev.imei, ev.sim.imsi, ev.sim.msisdn), h));
        }
    };
    let mut rf = Vec::new();
    let mut rf_rng = rng::stream(seed, "rf", f, 0);
    let mut events: Vec<Event> = Vec::new();
    let mut buckets: Vec<Vec<Event>> = Vec::new();
    let mut ids: Vec<(u64, people::Sim)> = Vec::new();
    let mut local_events = vec![0u64; pop.handsets.len()];
    for (d, day) in clock.days.iter().enumerate() {
        let d = d as u32;
        deliveries.start_day(d)?;
        ids.clear();
        ids.extend(pop.handsets.iter().map(|h| (h.imei_on(d), h.sim_on(d))));
        events.clear();
        for (hi, h) in pop.handsets.iter().enumerate() {
            let before = events.len();
            generator.day(hi as u32, h, d, day, true, &mut events);
            local_events[hi] += (events.len() - before) as u64;
        }
        sort_day(&mut events, &mut buckets);
        for ev in buckets.iter().flatten() {
            let (imei, sim) = ids[ev.handset as usize];
            let ev = &Row::new(ev, day.midnight, imei, sim);
            if net.covering[ev.cell as usize] {
                deliveries.write(ev, d, true, false)?;
                stats.tower_rows += 1;
                let etsi_lu = layouts[usize::from(ev.sim.op)] == LayoutKind::Etsi
                    && ev.kind == Kind::LocationUpdate;
                if !etsi_lu {
                    note_pair(ev, &mut last_pair);
                }
                if let Some(n) = night_of(d, day.tod(ev.e)) {
                    let t = &mut tallies[ev.handset as usize];
                    for key in [ev.sim.imsi, ev.imei | 1 << 63] {
                        match t.iter_mut().find(|x| x.0 == key) {
                            Some(x) if x.1 != n => {
                                x.1 = n;
                                x.2 += 1;
                            }
                            Some(_) => {}
                            None => t.push((key, n, 1)),
                        }
                    }
                }
            }
            // In-prison RF detectors hear every transmission of a phone inside their wing.
            if fp.rf
                && pop.handsets[ev.handset as usize].contraband
                && let Some((_, c)) = pop.handsets[ev.handset as usize].hide_on(d)
                && rf_rng.random_bool(s.operations.rf_detect_prob)
            {
                let band = match net.cells[ev.cell as usize].radio {
                    cellsweep_geo::Radio::G2 => "GSM900",
                    cellsweep_geo::Radio::G3 => "UMTS2100",
                    cellsweep_geo::Radio::G4 => "LTE800",
                    cellsweep_geo::Radio::G5 => "NR3500",
                };
                let t = ev.t + rf_rng.random_range(0..4);
                rf.push((t, day.offset_at(ev.e), layout.cells[c].wing_idx, band));
            }
        }
        if fp.rf {
            for w in 0..layout.wings.len() {
                let n = Poisson::new(s.operations.rf_false_alarms_per_day.max(1e-9))
                    .map(|p| p.sample(&mut rf_rng) as u32)
                    .unwrap_or(0);
                for _ in 0..n {
                    let e = rf_rng.random_range(0..day.len);
                    rf.push((
                        day.midnight + i64::from(e),
                        day.offset_at(e),
                        w,
                        ["GSM900", "LTE800", "DCS1800"][rf_rng.random_range(0..3)],
                    ));
                }
            }
        }
    }
    rf.sort_by_key(|r| (r.0, r.2));
    deliveries.close_tower_dumps()?;

    // Pass B: the traffic data of the identities seen on enough nights, everywhere. Events are
    // regenerated identically (same streams), far ones included.
    let min = s.delivery.traffic_min_nights;
    let qualified: HashSet<u64> = tallies
        .iter()
        .flatten()
        .filter(|(_, _, c)| *c >= min)
        .map(|(k, _, _)| *k)
        .collect();
    let wanted =
        |imsi: u64, imei: u64| qualified.contains(&imsi) || qualified.contains(&(imei | 1 << 63));
    let requested: Vec<usize> = (0..pop.handsets.len())
        .filter(|&h| tallies[h].iter().any(|(k, _, _)| qualified.contains(k)))
        .collect();
    let mut all_events: u64 = local_events.iter().sum();
    for (d, day) in clock.days.iter().enumerate() {
        let d = d as u32;
        ids.clear();
        ids.extend(pop.handsets.iter().map(|h| (h.imei_on(d), h.sim_on(d))));
        events.clear();
        for &hi in &requested {
            generator.day(hi as u32, &pop.handsets[hi], d, day, false, &mut events);
        }
        all_events += events.len() as u64;
        sort_day(&mut events, &mut buckets);
        for ev in buckets.iter().flatten() {
            let (imei, sim) = ids[ev.handset as usize];
            let ev = &Row::new(ev, day.midnight, imei, sim);
            if wanted(ev.sim.imsi, ev.imei) {
                deliveries.write(ev, d, false, true)?;
                stats.traffic_rows += 1;
                let etsi_lu = layouts[usize::from(ev.sim.op)] == LayoutKind::Etsi
                    && ev.kind == Kind::LocationUpdate;
                if !etsi_lu {
                    note_pair(ev, &mut last_pair);
                }
            }
        }
    }
    all_events -= requested.iter().map(|&h| local_events[h]).sum::<u64>();
    stats.events = all_events;
    let manifest = deliveries.finish()?;

    // The official in-cell telephone: calls to authorised numbers, by day.
    let mut crng = rng::stream(seed, "official-calls", f, 0);
    let mut official_calls = Vec::new();
    for (i, inmate) in pop.inmates.iter().enumerate() {
        let n =
            Poisson::new((s.records.official_calls_per_week * f64::from(s.days) / 7.0).max(1e-9))
                .map(|p| p.sample(&mut crng) as u32)
                .unwrap_or(0);
        for _ in 0..n {
            let d = crng.random_range(0..s.days) as usize;
            let day = &clock.days[d];
            let e = crng.random_range(8 * 3_600..20 * 3_600).min(day.len - 1);
            let Some(&(number, _)) = inmate.authorised.choose(&mut crng) else {
                continue;
            };
            official_calls.push((
                day.midnight + i64::from(e),
                day.offset_at(e),
                i,
                number,
                crng.random_range(60..1_200),
            ));
        }
    }
    official_calls.sort_by_key(|c| (c.0, c.2));

    pairings.sort_unstable();
    pairings.dedup_by_key(|p| p.0);
    Ok(FacilityResult {
        plan: fp.clone(),
        frame,
        layout,
        net,
        pop,
        searches,
        manifest,
        pairings,
        rf,
        official_calls,
        stats,
    })
}

/// The 15-digit form used in records (seized devices, allow lists).
pub(crate) fn imei_text(imei: u64) -> String {
    format!("{:015}", imei15(imei))
}

/// Category of a handset as written in the truth file.
pub(crate) fn category(c: Category) -> &'static str {
    c.as_str()
}
