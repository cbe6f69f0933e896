//! Identity resolution: which IMEIs and IMSIs are one device.
//!
//! The rules (each tested on crafted data below):
//!
//! 1. **Pairs link.** An IMEI and an IMSI seen in the same event belong to one device. Links are
//!    transitive: a SIM moved to a new handset whose IMEI changed (or a handset that changed
//!    IMEI, the same thing on the air) and a handset given a new SIM stay one device, because
//!    the IMSI (respectively the IMEI) bridges the two periods.
//! 2. **Shared IMEIs never link.** An IMEI is *shared* when it is seen at the same time in two
//!    places too far apart for one phone (a cloned IMEI), when it has `popular_imsis` or more
//!    distinct IMSIs over the period, or when `concurrent_imsis` or more of its IMSIs are in use
//!    at once (a dual-SIM phone has two). A shared IMEI is an attribute of each device using it,
//!    not a bridge between them: a handful of fake IMEIs carried by thousands of cheap phones
//!    must not merge them into one "device".
//! 3. **Roaming SIMs never link either.** An IMSI seen with `max_imeis_per_imsi` or more
//!    distinct (unshared) IMEIs is a SIM passed around (a rented SIM in a wing); it is kept as
//!    an attribute of each handset's device.
//! 4. A pair without IMSI belongs to its IMEI's device; without IMEI, to its IMSI's device; a
//!    pair whose only link is shared makes a device of its own.
//! 5. A device's id is derived from its smallest member key, so it is stable across runs as
//!    long as its membership is.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Statistics of one (IMEI, IMSI) pairing seen in the events.
#[derive(Debug, Clone, PartialEq)]
pub struct PairStat {
    /// IMEI key, when the events had one.
    pub imei: Option<u64>,
    /// IMSI key, when the events had one.
    pub imsi: Option<u64>,
    /// The served number most seen with the pairing.
    pub msisdn: Option<u64>,
    /// First event, µs since the epoch.
    pub first: i64,
    /// Last event, µs since the epoch.
    pub last: i64,
    /// Events.
    pub events: u64,
}

/// Thresholds of the rules above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Distinct IMSIs over the period that make an IMEI shared.
    pub popular_imsis: usize,
    /// IMSIs in use at the same time that make an IMEI shared.
    pub concurrent_imsis: usize,
    /// Distinct IMEIs that make an IMSI a roaming SIM.
    pub max_imeis_per_imsi: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            popular_imsis: 6,
            concurrent_imsis: 3,
            max_imeis_per_imsi: 5,
        }
    }
}

/// Why an IMEI is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedReason {
    /// Seen at the same time in places too far apart.
    DistantAtOnce,
    /// Used by many subscribers over the period.
    Popular,
    /// Used by several subscribers at the same time.
    Concurrent,
}

impl SharedReason {
    /// Words for explanations.
    pub fn describe(self) -> &'static str {
        match self {
            SharedReason::DistantAtOnce => {
                "seen at the same time in places too far apart for one phone"
            }
            SharedReason::Popular => "used by many subscribers",
            SharedReason::Concurrent => "used by several subscribers at the same time",
        }
    }
}

/// One resolved device.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// Stable id, `D` and 16 hex digits.
    pub id: String,
    /// Indices into the pairs given to [`resolve`].
    pub pairs: Vec<usize>,
    /// IMEIs, sorted.
    pub imeis: Vec<u64>,
    /// IMSIs, sorted.
    pub imsis: Vec<u64>,
    /// Numbers, sorted.
    pub msisdns: Vec<u64>,
    /// Of the IMEIs, those shared with other devices.
    pub shared_imeis: Vec<u64>,
    /// First event, µs.
    pub first: i64,
    /// Last event, µs.
    pub last: i64,
}

/// The outcome of identity resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// Devices, ordered by id.
    pub devices: Vec<Device>,
    /// Device index of each pair.
    pub pair_device: Vec<usize>,
    /// Shared IMEIs and why.
    pub shared: BTreeMap<u64, SharedReason>,
    /// Roaming SIMs.
    pub roaming_imsis: BTreeSet<u64>,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi] = lo;
        }
    }
}

/// Most IMSIs in use at the same time, from their first/last intervals.
fn max_concurrent(intervals: &mut [(i64, i64)]) -> usize {
    let mut points: Vec<(i64, i32)> = intervals
        .iter()
        .flat_map(|&(a, b)| [(a, 1), (b, -1)])
        .collect();
    // At equal times, ends before starts: a SIM swapped in the very second the other left is
    // not concurrent.
    points.sort_by_key(|&(t, d)| (t, d));
    let (mut cur, mut max) = (0i32, 0i32);
    for (_, d) in points {
        cur += d;
        max = max.max(cur);
    }
    max as usize
}

/// Resolves devices from pairings; `distant_at_once` lists IMEIs seen in two far-apart places
/// at once (computed from the events by the caller).
pub fn resolve(pairs: &[PairStat], distant_at_once: &HashSet<u64>, rules: Rules) -> Resolution {
    // IMEI → its IMSIs and their intervals.
    let mut by_imei: HashMap<u64, Vec<(u64, i64, i64)>> = HashMap::new();
    for p in pairs {
        if let (Some(imei), Some(imsi)) = (p.imei, p.imsi) {
            by_imei
                .entry(imei)
                .or_default()
                .push((imsi, p.first, p.last));
        }
    }
    let mut shared = BTreeMap::new();
    for (&imei, uses) in &by_imei {
        let distinct: HashSet<u64> = uses.iter().map(|u| u.0).collect();
        let mut intervals: Vec<(i64, i64)> = uses.iter().map(|u| (u.1, u.2)).collect();
        let reason = if distant_at_once.contains(&imei) {
            Some(SharedReason::DistantAtOnce)
        } else if distinct.len() >= rules.popular_imsis {
            Some(SharedReason::Popular)
        } else if max_concurrent(&mut intervals) >= rules.concurrent_imsis {
            Some(SharedReason::Concurrent)
        } else {
            None
        };
        if let Some(r) = reason {
            shared.insert(imei, r);
        }
    }
    for imei in distant_at_once {
        shared.entry(*imei).or_insert(SharedReason::DistantAtOnce);
    }
    let mut imeis_of_imsi: HashMap<u64, HashSet<u64>> = HashMap::new();
    for p in pairs {
        if let (Some(imei), Some(imsi)) = (p.imei, p.imsi)
            && !shared.contains_key(&imei)
        {
            imeis_of_imsi.entry(imsi).or_default().insert(imei);
        }
    }
    let roaming_imsis: BTreeSet<u64> = imeis_of_imsi
        .iter()
        .filter(|(_, s)| s.len() >= rules.max_imeis_per_imsi)
        .map(|(k, _)| *k)
        .collect();

    // Nodes: unshared IMEIs, non-roaming IMSIs, and one node per pair that links nothing.
    let mut node: HashMap<(u8, u64), usize> = HashMap::new();
    let mut uf = UnionFind(Vec::new());
    let new_node =
        |key: (u8, u64), uf: &mut UnionFind, node: &mut HashMap<(u8, u64), usize>| -> usize {
            *node.entry(key).or_insert_with(|| {
                uf.0.push(uf.0.len());
                uf.0.len() - 1
            })
        };
    let mut pair_node = Vec::with_capacity(pairs.len());
    for (i, p) in pairs.iter().enumerate() {
        let imei = p.imei.filter(|e| !shared.contains_key(e));
        let imsi = p.imsi.filter(|s| !roaming_imsis.contains(s));
        let n = match (imei, imsi) {
            (Some(e), Some(s)) => {
                let a = new_node((0, e), &mut uf, &mut node);
                let b = new_node((1, s), &mut uf, &mut node);
                uf.union(a, b);
                a
            }
            (Some(e), None) => new_node((0, e), &mut uf, &mut node),
            (None, Some(s)) => new_node((1, s), &mut uf, &mut node),
            (None, None) => new_node((2, i as u64), &mut uf, &mut node),
        };
        pair_node.push(n);
    }
    let mut roots: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &n) in pair_node.iter().enumerate() {
        let r = uf.find(n);
        roots.entry(r).or_default().push(i);
    }
    let mut devices: Vec<Device> = roots
        .into_values()
        .map(|members| {
            let imeis: BTreeSet<u64> = members.iter().filter_map(|&i| pairs[i].imei).collect();
            let imsis: BTreeSet<u64> = members.iter().filter_map(|&i| pairs[i].imsi).collect();
            let msisdns: BTreeSet<u64> = members.iter().filter_map(|&i| pairs[i].msisdn).collect();
            // The id hashes the identities that define the device: its own IMSIs and unshared
            // IMEIs (a shared IMEI alone names nothing).
            let anchor = members
                .iter()
                .filter_map(|&i| {
                    let p = &pairs[i];
                    let own_imei = p.imei.filter(|e| !shared.contains_key(e));
                    own_imei
                        .map(|e| e ^ 0x1111_0000_0000_0000)
                        .or(p.imsi)
                        .or(p.imei)
                })
                .min()
                .unwrap_or(0);
            Device {
                id: format!("D{anchor:016x}"),
                first: members.iter().map(|&i| pairs[i].first).min().unwrap_or(0),
                last: members.iter().map(|&i| pairs[i].last).max().unwrap_or(0),
                shared_imeis: imeis
                    .iter()
                    .copied()
                    .filter(|e| shared.contains_key(e))
                    .collect(),
                pairs: members,
                imeis: imeis.into_iter().collect(),
                imsis: imsis.into_iter().collect(),
                msisdns: msisdns.into_iter().collect(),
            }
        })
        .collect();
    devices.sort_by(|a, b| a.id.cmp(&b.id).then(a.pairs.cmp(&b.pairs)));
    // Two devices made only of shared IMEIs and roaming SIMs can have the same anchor: number
    // the later ones, so that ids stay unique (and stable while the membership is).
    for i in 1..devices.len() {
        let base = devices[i]
            .id
            .split('-')
            .next()
            .unwrap_or_default()
            .to_owned();
        if devices[i - 1].id.split('-').next() == Some(base.as_str()) {
            let n = devices[i - 1]
                .id
                .split('-')
                .nth(1)
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(1);
            devices[i].id = format!("{base}-{}", n + 1);
        }
    }
    let mut pair_device = vec![0; pairs.len()];
    for (d, dev) in devices.iter().enumerate() {
        for &p in &dev.pairs {
            pair_device[p] = d;
        }
    }
    Resolution {
        devices,
        pair_device,
        shared,
        roaming_imsis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000_000;

    fn pair(imei: u64, imsi: u64, from_day: i64, to_day: i64) -> PairStat {
        PairStat {
            imei: Some(imei),
            imsi: Some(imsi),
            msisdn: Some(33_600_000_000 + imsi % 1_000),
            first: from_day * DAY,
            last: to_day * DAY,
            events: 10,
        }
    }

    fn groups(r: &Resolution) -> Vec<Vec<usize>> {
        let mut g: Vec<Vec<usize>> = r.devices.iter().map(|d| d.pairs.clone()).collect();
        g.sort();
        g
    }

    #[test]
    fn imei_change_keeps_one_device() {
        // Handset changes IMEI on day 10; its SIM bridges both.
        let r = resolve(
            &[pair(1, 100, 0, 9), pair(2, 100, 10, 30)],
            &HashSet::new(),
            Rules::default(),
        );
        assert_eq!(groups(&r), vec![vec![0, 1]]);
        assert_eq!(r.devices[0].imeis, vec![1, 2]);
    }

    #[test]
    fn sim_swap_keeps_one_device() {
        let r = resolve(
            &[
                pair(1, 100, 0, 9),
                pair(1, 101, 10, 20),
                pair(1, 102, 21, 30),
            ],
            &HashSet::new(),
            Rules::default(),
        );
        assert_eq!(groups(&r), vec![vec![0, 1, 2]]);
        assert_eq!(r.devices[0].imsis, vec![100, 101, 102]);
        assert!(r.shared.is_empty());
    }

    #[test]
    fn dual_sim_is_one_device() {
        let r = resolve(
            &[pair(1, 100, 0, 30), pair(1, 101, 0, 30)],
            &HashSet::new(),
            Rules::default(),
        );
        assert_eq!(groups(&r), vec![vec![0, 1]]);
    }

    #[test]
    fn popular_imei_is_split_never_merged() {
        // Eight subscribers carry phones with the same fake IMEI, at different times.
        let pairs: Vec<PairStat> = (0..8)
            .map(|k| pair(7, 200 + k, k as i64 * 3, k as i64 * 3 + 2))
            .collect();
        let r = resolve(&pairs, &HashSet::new(), Rules::default());
        assert_eq!(r.devices.len(), 8);
        assert_eq!(r.shared.get(&7), Some(&SharedReason::Popular));
        assert!(r.devices.iter().all(|d| d.shared_imeis == vec![7]));
        // A subscriber of the shared IMEI who also has his own handset keeps that link.
        let mut more = pairs.clone();
        more.push(pair(9, 200, 5, 30));
        let r = resolve(&more, &HashSet::new(), Rules::default());
        assert_eq!(r.devices.len(), 8);
        let d = r.devices.iter().find(|d| d.imsis == vec![200]).unwrap();
        assert_eq!(d.imeis, vec![7, 9]);
    }

    #[test]
    fn concurrent_and_distant_imeis_are_split() {
        let pairs = vec![
            pair(5, 300, 0, 30),
            pair(5, 301, 0, 30),
            pair(5, 302, 1, 29),
        ];
        let r = resolve(&pairs, &HashSet::new(), Rules::default());
        assert_eq!(r.devices.len(), 3);
        assert_eq!(r.shared.get(&5), Some(&SharedReason::Concurrent));
        // Two subscribers only, but seen at once 200 km apart.
        let pairs = vec![pair(6, 400, 0, 30), pair(6, 401, 3, 20)];
        let r = resolve(&pairs, &HashSet::from([6]), Rules::default());
        assert_eq!(r.devices.len(), 2);
        assert_eq!(r.shared.get(&6), Some(&SharedReason::DistantAtOnce));
    }

    #[test]
    fn roaming_sim_does_not_merge_handsets() {
        let pairs: Vec<PairStat> = (0..5)
            .map(|k| pair(10 + k, 500, k as i64, k as i64 + 1))
            .collect();
        let r = resolve(&pairs, &HashSet::new(), Rules::default());
        assert_eq!(r.devices.len(), 5);
        assert!(r.roaming_imsis.contains(&500));
    }

    #[test]
    fn ids_are_stable_and_partial_pairs_attach() {
        let pairs = vec![
            pair(1, 100, 0, 9),
            PairStat {
                imei: None,
                imsi: Some(100),
                msisdn: None,
                first: 0,
                last: DAY,
                events: 1,
            },
            PairStat {
                imei: Some(1),
                imsi: None,
                msisdn: None,
                first: 0,
                last: DAY,
                events: 1,
            },
            PairStat {
                imei: None,
                imsi: None,
                msisdn: Some(33_611_111_111),
                first: 0,
                last: DAY,
                events: 1,
            },
        ];
        let a = resolve(&pairs, &HashSet::new(), Rules::default());
        let mut rev = pairs.clone();
        rev.reverse();
        let b = resolve(&rev, &HashSet::new(), Rules::default());
        assert_eq!(a.devices.len(), 2);
        let ids = |r: &Resolution| r.devices.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
    }
}
