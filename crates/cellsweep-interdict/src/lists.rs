//! The block-list rules, as one pure function from approved pairings, the allow list and a date
//! to the three lists (blacklist, notifications, exceptions) and what was held back and why.
//!
//! The equipment-register convention: an operator's EIR allows a device unless its IMEI is
//! blacklisted, and allows a blacklisted IMEI whose (IMEI, IMSI) pairing is on its exception
//! list. The rules, in order of precedence (docs/interdiction.md, "Block lists"):
//!
//! 1. **The allow list wins.** A pairing that shares any identifier (IMEI, IMSI or MSISDN) with
//!    an allow-list entry valid on the day is never on a blacklist or a notification list.
//! 2. **An IMEI that could cut off someone else is never blacklisted**: an allow-listed IMEI,
//!    an IMEI of any pairing that touches the allow list, an IMEI shared by several devices or
//!    flagged as cloned or duplicate, an IMEI of a device reversed on appeal. Its approved
//!    pairings are notified one by one instead, and the manifest says why.
//! 3. **Grace period.** An approved pairing whose block date is still ahead is notified to its
//!    home operator (routed by the IMSI's MCC-MNC); once the date is reached, its IMEI goes on
//!    the blacklist.
//! 4. **Exceptions.** Every allow-listed pairing with an IMEI and an IMSI, and every known
//!    pairing that touches the allow list, is on its home operator's exception list.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use jiff::civil::Date;

/// Condition names that mark a cloned or duplicate IMEI (`cellsweep detect`'s shipped set).
pub const SHARED_IMEI_CONDITIONS: [&str; 2] = ["cloned-imei", "duplicate-imei"];

/// One approved (IMEI, IMSI, MSISDN) pairing of a device.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pairing {
    /// Device id (`cellsweep detect`).
    pub device: String,
    /// 14-digit IMEI.
    pub imei: Option<String>,
    /// IMSI.
    pub imsi: Option<String>,
    /// E.164 number.
    pub msisdn: Option<String>,
    /// Home operator of the IMSI (`208-01`), when known.
    pub operator: Option<String>,
    /// Condition names (the reasons).
    pub conditions: Vec<String>,
    /// The day from which it is blocked.
    pub block_date: Date,
}

impl Pairing {
    /// Whether a condition marks the pairing's IMEI as cloned or duplicate.
    pub fn shared_imei(&self) -> bool {
        self.conditions
            .iter()
            .any(|c| SHARED_IMEI_CONDITIONS.contains(&c.as_str()))
    }
}

/// One allow-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// 14-digit IMEI.
    pub imei: Option<String>,
    /// IMSI.
    pub imsi: Option<String>,
    /// E.164 number.
    pub msisdn: Option<String>,
    /// Home operator of the IMSI, when known.
    pub operator: Option<String>,
    /// First valid day.
    pub valid_from: Date,
    /// Last valid day, if any.
    pub valid_to: Option<Date>,
}

impl Allow {
    /// Whether the entry is valid on `day`.
    pub fn valid_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// What the rules start from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Approved pairings (the latest approval, plus earlier ones of IMEIs already blacklisted).
    pub pairings: Vec<Pairing>,
    /// The allow list.
    pub allow: Vec<Allow>,
    /// Devices reversed on appeal.
    pub reversed: HashSet<String>,
}

/// A blacklist row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Blacklisted {
    /// Earliest block date of its pairings.
    pub block_date: Date,
    /// Reasons, sorted.
    pub reasons: BTreeSet<String>,
    /// Devices using it.
    pub devices: BTreeSet<String>,
}

/// A notification or exception row (exceptions leave `block_date` and `reasons` unused).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PairRow {
    /// IMEI.
    pub imei: String,
    /// IMSI.
    pub imsi: String,
    /// MSISDN, empty when unknown.
    pub msisdn: String,
    /// Block date (notifications).
    pub block_date: Option<Date>,
    /// Reasons, `|`-joined (notifications).
    pub reasons: String,
    /// The device.
    pub device: String,
}

/// Why an IMEI is kept off the blacklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HoldReason {
    /// The IMEI itself is allow-listed.
    AllowListedImei,
    /// A pairing with this IMEI touches the allow list.
    SharedWithAllowListed,
    /// Detection flagged it cloned or duplicate.
    ClonedOrDuplicate,
    /// Several devices use it.
    SeveralDevices,
    /// A device using it was reversed on appeal.
    Reversed,
}

impl HoldReason {
    /// In words, for the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::AllowListedImei => "the IMEI is on the allow list",
            HoldReason::SharedWithAllowListed => {
                "the IMEI is used in a pairing that is on the allow list"
            }
            HoldReason::ClonedOrDuplicate => {
                "detection flagged the IMEI as cloned or duplicate: blocking it would cut off other phones"
            }
            HoldReason::SeveralDevices => {
                "several devices use the IMEI: blocking it would cut off other phones"
            }
            HoldReason::Reversed => "a device using the IMEI was reversed on appeal",
        }
    }
}

/// Why an approved pairing is on no list at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// It touches the allow list.
    AllowListed,
    /// Its device was reversed on appeal.
    Reversed,
    /// It has no IMEI: equipment registers list IMEIs.
    NoImei,
    /// It has no IMSI or its home operator is unknown, and its IMEI is not blacklisted.
    Unroutable,
}

impl DropReason {
    /// In words, for the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::AllowListed => "shares an identifier with the allow list",
            DropReason::Reversed => "its device was reversed on appeal",
            DropReason::NoImei => "no IMEI: equipment registers list IMEIs",
            DropReason::Unroutable => "no IMSI or unknown home operator: cannot be notified",
        }
    }
}

/// The three lists and what was held back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lists {
    /// Blacklisted IMEIs.
    pub blacklist: BTreeMap<String, Blacklisted>,
    /// Notifications per home operator.
    pub notifications: BTreeMap<String, BTreeSet<PairRow>>,
    /// Exceptions per home operator.
    pub exceptions: BTreeMap<String, BTreeSet<PairRow>>,
    /// IMEIs kept off the blacklist, and why.
    pub held: BTreeMap<String, BTreeSet<HoldReason>>,
    /// Pairings (IMEI, IMSI) on no list, and why.
    pub dropped: BTreeMap<(String, String), DropReason>,
    /// Exceptions that could not be routed (no IMSI operator): (IMEI, IMSI, MSISDN).
    pub unroutable_exceptions: BTreeSet<(String, String, String)>,
}

/// Applies the rules on `day`.
pub fn build(inputs: &Inputs, day: Date) -> Lists {
    let allow: Vec<&Allow> = inputs.allow.iter().filter(|a| a.valid_on(day)).collect();
    let set = |f: fn(&Allow) -> &Option<String>| -> HashSet<&str> {
        allow.iter().filter_map(|a| f(a).as_deref()).collect()
    };
    let (a_imei, a_imsi, a_msisdn) = (set(|a| &a.imei), set(|a| &a.imsi), set(|a| &a.msisdn));
    let touches = |p: &Pairing| {
        p.imei.as_deref().is_some_and(|v| a_imei.contains(v))
            || p.imsi.as_deref().is_some_and(|v| a_imsi.contains(v))
            || p.msisdn.as_deref().is_some_and(|v| a_msisdn.contains(v))
    };

    let mut out = Lists::default();
    // Holds, from every known pairing (reversed ones included).
    let mut devices_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in &inputs.pairings {
        let Some(imei) = p.imei.as_deref() else {
            continue;
        };
        devices_of.entry(imei).or_default().insert(&p.device);
        let mut hold = |r| {
            out.held.entry(imei.to_owned()).or_default().insert(r);
        };
        if a_imei.contains(imei) {
            hold(HoldReason::AllowListedImei);
        } else if touches(p) {
            hold(HoldReason::SharedWithAllowListed);
        }
        if p.shared_imei() {
            hold(HoldReason::ClonedOrDuplicate);
        }
        if inputs.reversed.contains(&p.device) {
            hold(HoldReason::Reversed);
        }
    }
    for (imei, devices) in &devices_of {
        if devices.len() > 1 {
            out.held
                .entry((*imei).to_owned())
                .or_default()
                .insert(HoldReason::SeveralDevices);
        }
    }

    // Blacklist: live pairings past their block date whose IMEI is not held.
    let mut live = Vec::new();
    for p in &inputs.pairings {
        let key = (
            p.imei.clone().unwrap_or_default(),
            p.imsi.clone().unwrap_or_default(),
        );
        let drop = if touches(p) {
            Some(DropReason::AllowListed)
        } else if inputs.reversed.contains(&p.device) {
            Some(DropReason::Reversed)
        } else if p.imei.is_none() {
            Some(DropReason::NoImei)
        } else {
            None
        };
        match drop {
            // A pairing approved twice keeps the strongest reason to drop it.
            Some(r) => {
                let e = out.dropped.entry(key).or_insert(r);
                *e = (*e).min(r);
            }
            None => live.push(p),
        }
    }
    for p in &live {
        let imei = p.imei.as_deref().unwrap_or_default();
        if p.block_date <= day && !out.held.contains_key(imei) {
            let e = out
                .blacklist
                .entry(imei.to_owned())
                .or_insert_with(|| Blacklisted {
                    block_date: p.block_date,
                    reasons: BTreeSet::new(),
                    devices: BTreeSet::new(),
                });
            e.block_date = e.block_date.min(p.block_date);
            e.reasons.extend(p.conditions.iter().cloned());
            e.devices.insert(p.device.clone());
        }
    }

    // Notifications: live pairings whose IMEI is not blacklisted, per home operator.
    for p in &live {
        let imei = p.imei.as_deref().unwrap_or_default();
        if out.blacklist.contains_key(imei) {
            continue;
        }
        let (Some(imsi), Some(op)) = (&p.imsi, &p.operator) else {
            let key = (imei.to_owned(), p.imsi.clone().unwrap_or_default());
            out.dropped.entry(key).or_insert(DropReason::Unroutable);
            continue;
        };
        let mut reasons: Vec<&str> = p.conditions.iter().map(String::as_str).collect();
        reasons.sort_unstable();
        reasons.dedup();
        out.notifications
            .entry(op.clone())
            .or_default()
            .insert(PairRow {
                imei: imei.to_owned(),
                imsi: imsi.clone(),
                msisdn: p.msisdn.clone().unwrap_or_default(),
                block_date: Some(p.block_date),
                reasons: reasons.join("|"),
                device: p.device.clone(),
            });
    }
    // A pairing approved in several rows (two facilities) is notified once, earliest date.
    for rows in out.notifications.values_mut() {
        let mut best: BTreeMap<(String, String), PairRow> = BTreeMap::new();
        for r in std::mem::take(rows) {
            let k = (r.imei.clone(), r.imsi.clone());
            match best.get_mut(&k) {
                Some(b) => {
                    let mut rs: BTreeSet<&str> = b.reasons.split('|').collect();
                    rs.extend(r.reasons.split('|'));
                    rs.remove("");
                    let joined = rs.into_iter().collect::<Vec<_>>().join("|");
                    b.reasons = joined;
                    b.block_date = b.block_date.min(r.block_date);
                }
                None => {
                    best.insert(k, r);
                }
            }
        }
        *rows = best.into_values().collect();
    }

    // Exceptions: allow-listed pairings, and known pairings that touch the allow list.
    let mut exception = |imei: &str,
                         imsi: &str,
                         msisdn: &str,
                         op: Option<&String>,
                         device: &str| match op {
        Some(op) => {
            out.exceptions
                .entry(op.clone())
                .or_default()
                .insert(PairRow {
                    imei: imei.to_owned(),
                    imsi: imsi.to_owned(),
                    msisdn: msisdn.to_owned(),
                    block_date: None,
                    reasons: String::new(),
                    device: device.to_owned(),
                });
        }
        None => {
            out.unroutable_exceptions
                .insert((imei.to_owned(), imsi.to_owned(), msisdn.to_owned()));
        }
    };
    for a in &allow {
        if let (Some(imei), Some(imsi)) = (&a.imei, &a.imsi) {
            exception(
                imei,
                imsi,
                a.msisdn.as_deref().unwrap_or_default(),
                a.operator.as_ref(),
                "",
            );
        }
    }
    for p in &inputs.pairings {
        if let (Some(imei), Some(imsi), true) = (&p.imei, &p.imsi, touches(p)) {
            exception(
                imei,
                imsi,
                p.msisdn.as_deref().unwrap_or_default(),
                p.operator.as_ref(),
                &p.device,
            );
        }
    }
    // One exception per (IMEI, IMSI, MSISDN) whoever brought it: keep the allow-list's.
    for rows in out.exceptions.values_mut() {
        let mut seen = BTreeSet::new();
        let mut kept = BTreeSet::new();
        for r in std::mem::take(rows) {
            if seen.insert((r.imei.clone(), r.imsi.clone(), r.msisdn.clone())) {
                kept.insert(r);
            }
        }
        *rows = kept;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn p(device: &str, imei: &str, imsi: &str, block: &str, conds: &[&str]) -> Pairing {
        Pairing {
            device: device.into(),
            imei: Some(imei.into()),
            imsi: Some(imsi.into()),
            msisdn: Some(format!("+33{imsi}")),
            operator: Some("208-01".into()),
            conditions: conds.iter().map(|c| (*c).to_owned()).collect(),
            block_date: d(block),
        }
    }

    #[test]
    fn grace_then_blacklist() {
        let inputs = Inputs {
            pairings: vec![p("D1", "11", "21", "2026-03-10", &["resident"])],
            ..Inputs::default()
        };
        let before = build(&inputs, d("2026-03-09"));
        assert!(before.blacklist.is_empty());
        assert_eq!(before.notifications["208-01"].len(), 1);
        let after = build(&inputs, d("2026-03-10"));
        assert_eq!(
            after.blacklist["11"].reasons,
            BTreeSet::from(["resident".to_owned()])
        );
        assert!(after.notifications.is_empty());
    }

    #[test]
    fn allow_list_wins_and_brings_exceptions() {
        let inputs = Inputs {
            pairings: vec![
                p("D1", "11", "21", "2026-01-01", &["resident"]),
                // A staff SIM seen in the contraband handset.
                p("D1", "11", "22", "2026-01-01", &["resident"]),
            ],
            allow: vec![Allow {
                imei: None,
                imsi: Some("22".into()),
                msisdn: None,
                operator: Some("208-10".into()),
                valid_from: d("2025-01-01"),
                valid_to: None,
            }],
            ..Inputs::default()
        };
        let l = build(&inputs, d("2026-03-01"));
        assert!(l.blacklist.is_empty());
        assert_eq!(
            l.held["11"],
            BTreeSet::from([HoldReason::SharedWithAllowListed])
        );
        // The other pairing is notified instead; the allow-listed one is excepted.
        assert_eq!(l.notifications["208-01"].len(), 1);
        assert_eq!(l.notifications["208-01"].first().unwrap().imsi, "21");
        assert_eq!(l.exceptions["208-01"].first().unwrap().imsi, "22");
        assert_eq!(
            l.dropped[&("11".to_owned(), "22".to_owned())],
            DropReason::AllowListed
        );
    }

    #[test]
    fn expired_allow_entries_do_not_protect() {
        let inputs = Inputs {
            pairings: vec![p("D1", "11", "21", "2026-01-01", &["resident"])],
            allow: vec![Allow {
                imei: Some("11".into()),
                imsi: None,
                msisdn: None,
                operator: None,
                valid_from: d("2025-01-01"),
                valid_to: Some(d("2025-12-31")),
            }],
            ..Inputs::default()
        };
        assert!(build(&inputs, d("2026-03-01")).blacklist.contains_key("11"));
        assert!(build(&inputs, d("2025-06-01")).blacklist.is_empty());
    }

    #[test]
    fn shared_imeis_are_notified_per_pairing() {
        let inputs = Inputs {
            pairings: vec![
                p("D1", "11", "21", "2026-01-01", &["resident"]),
                p("D2", "11", "22", "2026-01-01", &["resident"]),
                p("D3", "12", "23", "2026-01-01", &["cloned-imei"]),
            ],
            ..Inputs::default()
        };
        let l = build(&inputs, d("2026-03-01"));
        assert!(l.blacklist.is_empty());
        assert_eq!(l.held["11"], BTreeSet::from([HoldReason::SeveralDevices]));
        assert_eq!(
            l.held["12"],
            BTreeSet::from([HoldReason::ClonedOrDuplicate])
        );
        assert_eq!(l.notifications["208-01"].len(), 3);
    }

    #[test]
    fn reversed_devices_are_dropped_and_their_imeis_held() {
        let inputs = Inputs {
            pairings: vec![p("D1", "11", "21", "2026-01-01", &["resident"])],
            reversed: HashSet::from(["D1".to_owned()]),
            ..Inputs::default()
        };
        let l = build(&inputs, d("2026-03-01"));
        assert!(l.blacklist.is_empty() && l.notifications.is_empty());
        assert_eq!(
            l.dropped[&("11".to_owned(), "21".to_owned())],
            DropReason::Reversed
        );
    }
}
