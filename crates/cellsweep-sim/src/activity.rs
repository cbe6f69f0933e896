//! What phones do in a day: periodic location updates, calls, SMS and data sessions, with daily
//! rhythms (contraband phones are busiest at night), served by the best cell of the place the
//! phone is at, with a timing advance when the record carries one.

use cellsweep_geo::Radio;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};

use crate::clock::Day;
use crate::rng::{self, Rng};
use crate::scenario::Scenario;
use crate::world::catalog::Form;
use crate::world::people::{Handset, Plan, Sim};
use crate::world::radio::{Net, timing_advance};

/// Event kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Call,
    Sms,
    Data,
    LocationUpdate,
}

/// Direction seen from the served party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Mo,
    Mt,
    None,
}

/// Short codes and alphanumeric senders; a peer below `SHORT_CODES.len()` indexes this table.
pub(crate) const SHORT_CODES: &[&str] = &["3179", "22222", "36180", "INFO", "AMELI", "LaPoste"];

/// No timing advance in the record.
pub(crate) const NO_TA: u16 = u16::MAX;

/// One network event of one handset, compact (32 bytes) because a facility-day holds hundreds
/// of thousands of them and they are bucketed and sorted: the time is the elapsed second of the
/// local day, and the handset's identities of the day are looked up when the row is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    /// Elapsed seconds in the local day (for night windows and local formatting).
    pub(crate) e: u32,
    pub(crate) handset: u32,
    /// Order of generation within the handset's day: with `e` and `handset`, a unique key.
    pub(crate) seq: u32,
    pub(crate) cell: u32,
    pub(crate) duration: u32,
    /// E.164 digits, or an index into `SHORT_CODES`, or 0 for none.
    pub(crate) peer: u64,
    pub(crate) ta: u16,
    pub(crate) kind: Kind,
    pub(crate) dir: Dir,
}

/// An event with its absolute time and the identities of its handset that day: what a
/// delivery row is written from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// UTC seconds.
    pub(crate) t: i64,
    pub(crate) e: u32,
    pub(crate) handset: u32,
    pub(crate) kind: Kind,
    pub(crate) dir: Dir,
    pub(crate) duration: u32,
    pub(crate) peer: u64,
    pub(crate) cell: u32,
    pub(crate) ta: u16,
    pub(crate) imei: u64,
    pub(crate) sim: Sim,
}

impl Row {
    pub(crate) fn new(ev: &Event, midnight: i64, imei: u64, sim: Sim) -> Row {
        Row {
            t: midnight + i64::from(ev.e),
            e: ev.e,
            handset: ev.handset,
            kind: ev.kind,
            dir: ev.dir,
            duration: ev.duration,
            peer: ev.peer,
            cell: ev.cell,
            ta: ev.ta,
            imei,
            sim,
        }
    }
}

/// Relative activity per local hour for contraband phones (night owls, hidden by day).
const INMATE_RHYTHM: [f64; 24] = [
    8.0, 7.0, 5.0, 3.0, 2.0, 1.0, 1.0, 0.8, 0.6, 0.6, 0.8, 1.0, 2.0, 2.0, 1.0, 1.0, 1.2, 2.0, 3.0,
    4.0, 5.0, 6.0, 7.5, 8.0,
];
/// Relative activity per local hour for everyone else.
const NORMAL_RHYTHM: [f64; 24] = [
    0.6, 0.3, 0.2, 0.15, 0.15, 0.3, 1.0, 3.0, 5.0, 6.0, 6.0, 6.0, 6.5, 6.0, 5.5, 5.5, 6.0, 7.0,
    8.0, 8.0, 7.0, 5.0, 3.0, 1.5,
];

/// Segments of a day: `(from_e, place)`, sorted, the first from 0.
pub(crate) type Segments = Vec<(u32, u32)>;

fn at(day: &Day, tod_minutes: u32) -> u32 {
    let tod = (tod_minutes.min(24 * 60 - 1)) * 60;
    day.elapsed(tod, false)
        .or_else(|| day.elapsed(tod + 3_600, false))
        .unwrap_or(tod)
        .min(day.len - 1)
}

/// Where a handset is during day `d`; empty when it makes no events that day.
pub(crate) fn segments(h: &Handset, d: u32, day: &Day, rng: &mut Rng) -> Segments {
    match &h.plan {
        Plan::Hidden { .. } => h.hide_on(d).map(|(p, _)| vec![(0, p)]).unwrap_or_default(),
        Plan::Fixed { place } => vec![(0, *place)],
        Plan::Staff {
            home,
            post,
            night,
            phase,
            errand,
        } => {
            let on = |dd: u32| (dd + phase) % 7 < 4;
            let mut s = vec![(0, *home)];
            if *night {
                if d > 0 && on(d - 1) {
                    s = vec![
                        (0, *post),
                        (at(day, 7 * 60 + 15 + rng.random_range(0..20)), *home),
                    ];
                }
                if on(d) {
                    s.push((at(day, 18 * 60 + 30 + rng.random_range(0..20)), *post));
                }
            } else if on(d) {
                s.push((at(day, 6 * 60 + 30 + rng.random_range(0..25)), *post));
                s.push((at(day, 19 * 60 + 5 + rng.random_range(0..25)), *home));
            }
            if !on(d) && rng.random_bool(0.4) {
                s.push((at(day, 14 * 60), *errand));
                s.push((at(day, 17 * 60 + rng.random_range(0..60)), *home));
            }
            s.sort_by_key(|x| x.0);
            s
        }
        Plan::Visitor { home, room, visits } => {
            let mut s = vec![(0, *home)];
            for &(vd, start, minutes) in visits.iter().filter(|v| v.0 == d) {
                let _ = vd;
                // Phones are left in lockers at some prisons, kept at others; either way the
                // phone is within the walls' coverage during the visit.
                s.push((at(day, start.saturating_sub(20)), *room));
                s.push((at(day, start + minutes + 10), *home));
            }
            s.sort_by_key(|x| x.0);
            s
        }
        Plan::Neighbour { home, work, outing } => {
            let weekday = day.weekday < 5;
            let mut s = vec![(0, *home)];
            match work {
                Some(w) if weekday && rng.random_bool(0.9) => {
                    s.push((at(day, 7 * 60 + 20 + rng.random_range(0..60)), *w));
                    s.push((at(day, 17 * 60 + 30 + rng.random_range(0..90)), *home));
                }
                _ => {
                    if rng.random_bool(0.4) {
                        s.push((at(day, 10 * 60 + rng.random_range(0..360)), *outing));
                        s.push((at(day, 16 * 60 + rng.random_range(0..240)), *home));
                        s.sort_by_key(|x| x.0);
                    }
                }
            }
            s
        }
        Plan::Passer {
            home,
            road,
            days,
            minute,
        } => {
            if days.binary_search(&d).is_err() {
                return Vec::new();
            }
            let m = minute + rng.random_range(0..40);
            let mut s = vec![(0, *home)];
            for (i, p) in road.iter().enumerate() {
                s.push((at(day, m + 3 * i as u32), *p));
            }
            s.push((at(day, m + 12), *home));
            s
        }
    }
}

fn place_at(seg: &Segments, e: u32) -> u32 {
    let i = seg.partition_point(|(from, _)| *from <= e);
    seg[i.saturating_sub(1)].1
}

fn sample_tod(rhythm: &[f64; 24], total: f64, rng: &mut Rng) -> u32 {
    let mut x = rng.random_range(0.0..total);
    for (h, w) in rhythm.iter().enumerate() {
        if x < *w {
            return h as u32 * 3_600 + rng.random_range(0..3_600);
        }
        x -= w;
    }
    23 * 3_600 + rng.random_range(0..3_600)
}

/// Settings the generator needs beyond the handset.
pub(crate) struct Gen<'a> {
    pub(crate) s: &'a Scenario,
    pub(crate) net: &'a Net,
    /// Whether each operator's deliveries show 5G cells (otherwise 5G NSA is reported on the
    /// LTE anchor, so the phone is served by its 4G cell).
    pub(crate) nr_visible: [bool; 4],
    pub(crate) jammer_from: Option<u32>,
    pub(crate) seed: u64,
    pub(crate) facility: u32,
}

impl Gen<'_> {
    /// Appends the events of handset `hi` on day `d`. With `local_only`, events at far towns
    /// are skipped (they can never be on a facility's cells).
    pub(crate) fn day(
        &self,
        hi: u32,
        h: &Handset,
        d: u32,
        day: &Day,
        local_only: bool,
        out: &mut Vec<Event>,
    ) {
        let mut rng = rng::stream(
            self.seed,
            "activity",
            u64::from(self.facility) << 32 | u64::from(hi),
            u64::from(d),
        );
        if h.seized.is_some_and(|sd| d > sd) {
            return;
        }
        if h.contraband && rng.random_bool(self.s.inmates.off_day_share) {
            return;
        }
        let seg = segments(h, d, day, &mut rng);
        if seg.is_empty() {
            return;
        }
        if local_only
            && seg
                .iter()
                .all(|(_, p)| self.net.places[*p as usize].town != 0)
        {
            return;
        }
        let op = usize::from(h.sim_on(d).op);
        let jam = h.contraband && self.jammer_from.is_some_and(|j| d >= j);
        let end = if h.seized == Some(d) {
            day.len.min(8 * 3_600)
        } else {
            day.len
        };
        let rhythm = if h.contraband {
            &INMATE_RHYTHM
        } else {
            &NORMAL_RHYTHM
        };
        let total: f64 = rhythm.iter().sum();
        let weekend = day.weekday >= 5;
        let scale = if weekend && !h.contraband { 0.8 } else { 1.0 };

        // Each event's radio draws come from its own stream, so that skipping an event (far
        // from the facility, in the first pass) never changes the others.
        let base = rng::mix(
            self.seed
                ^ rng::mix(u64::from(self.facility) << 40 ^ u64::from(hi) << 16 ^ u64::from(d)),
        );
        let mut seq = 0u32;
        let mut push =
            |e: u32, kind: Kind, dir: Dir, duration: u32, peer: u64, out: &mut Vec<Event>| {
                seq += 1;
                if e >= end {
                    return;
                }
                let place = place_at(&seg, e);
                if local_only && self.net.places[place as usize].town != 0 {
                    return;
                }
                let rng = &mut Rng::seed_from_u64(base ^ u64::from(seq));
                if jam && rng.random_bool(self.s.facilities.jammer_suppression) {
                    return;
                }
                let Some((radio, cand)) = self.radio_for(h, op, place, rng) else {
                    return;
                };
                let ta_p = match radio {
                    Radio::G2 => self.s.radio.ta_report_2g,
                    Radio::G3 => 0.0,
                    Radio::G4 => self.s.radio.ta_report_4g,
                    Radio::G5 => self.s.radio.ta_report_5g,
                };
                let ta = if rng.random_bool(ta_p) {
                    timing_advance(radio, cand.dist, rng).unwrap_or(NO_TA)
                } else {
                    NO_TA
                };
                out.push(Event {
                    e,
                    handset: hi,
                    seq,
                    cell: cand.cell,
                    duration,
                    peer,
                    ta,
                    kind,
                    dir,
                });
            };

        // Periodic location updates, and one on arriving in a new area.
        let period = self.s.activity.location_update_minutes * 60.0;
        let mut e = rng.random_range(0.0..period);
        while e < f64::from(day.len) {
            push(e as u32, Kind::LocationUpdate, Dir::None, 0, 0, out);
            e += period * rng.random_range(0.8..1.2);
        }
        for w in seg.windows(2) {
            if self.net.places[w[0].1 as usize].town != self.net.places[w[1].1 as usize].town {
                push(
                    w[1].0 + rng.random_range(0..300),
                    Kind::LocationUpdate,
                    Dir::None,
                    0,
                    0,
                    out,
                );
            }
        }
        let counts = |rate: f64, rng: &mut Rng| -> u32 {
            if rate <= 0.0 {
                0
            } else {
                Poisson::new(rate * scale)
                    .map(|p| p.sample(rng) as u32)
                    .unwrap_or(0)
            }
        };
        let elapsed = |rng: &mut Rng| -> Option<u32> {
            let tod = sample_tod(rhythm, total, rng);
            day.elapsed(tod, rng.random_bool(0.5))
        };
        let call_len = LogNormal::new(if h.contraband { 4.6 } else { 4.1 }, 1.0).expect("valid");
        for _ in 0..counts(h.rates[0], &mut rng) {
            let Some(e) = elapsed(&mut rng) else { continue };
            let dir = if rng.random_bool(0.55) {
                Dir::Mo
            } else {
                Dir::Mt
            };
            let peer = h.contacts.pick(&mut rng).unwrap_or(0);
            let dur = (call_len.sample(&mut rng) as u32).clamp(3, 7_200);
            push(e, Kind::Call, dir, dur, peer, out);
        }
        for _ in 0..counts(h.rates[1], &mut rng) {
            let Some(e) = elapsed(&mut rng) else { continue };
            let dir = if rng.random_bool(0.5) {
                Dir::Mo
            } else {
                Dir::Mt
            };
            let peer = if dir == Dir::Mt && rng.random_bool(0.04) {
                rng.random_range(0..SHORT_CODES.len() as u64)
            } else {
                h.contacts.pick(&mut rng).unwrap_or(0)
            };
            push(e, Kind::Sms, dir, 0, peer, out);
        }
        for _ in 0..counts(h.rates[2], &mut rng) {
            let Some(e) = elapsed(&mut rng) else { continue };
            let dur = rng.random_range(30..1_800);
            push(e, Kind::Data, Dir::None, dur, 0, out);
        }
    }

    /// The radio a handset uses for one event, and the serving cell.
    fn radio_for(
        &self,
        h: &Handset,
        op: usize,
        place: u32,
        rng: &mut Rng,
    ) -> Option<(Radio, crate::world::radio::Cand)> {
        let prefs: &[Radio] = match h.form {
            Form::Mini => &[Radio::G2],
            Form::Feature => {
                if op == 2 {
                    &[Radio::G3]
                } else {
                    &[Radio::G2]
                }
            }
            Form::Smart => {
                if self.nr_visible[op] && rng.random_bool(0.4) {
                    &[Radio::G5, Radio::G4]
                } else {
                    &[Radio::G4, Radio::G3, Radio::G2]
                }
            }
        };
        prefs
            .iter()
            .find_map(|&r| self.net.serve(place, op, r, rng).map(|c| (r, c)))
    }
}
