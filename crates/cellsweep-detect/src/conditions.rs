//! The conditions engine: declarative rules over devices, in the spirit of national device
//! registries (`conditions.toml`).
//!
//! A condition is an AND of dimensions, each possibly negated (`!allow_listed`), with a reason
//! text, a grace period (the condition is effective only once it has held that many days of
//! data), a sticky flag (once effective it stays, even if a dimension later stops holding) and
//! a cap: if it would flag more than `max_share` of the devices it is evaluated on, it is
//! refused (not applied) and reported, because a rule that suddenly flags too much is more
//! likely broken than right.
//!
//! ```toml
//! [[condition]]
//! name = "mini-phone-inside"
//! reason = "a mini phone living inside a prison"
//! all = ["mini_phone_tac", "resident_in_facility", "!allow_listed"]
//! grace_days = 0
//! sticky = true
//! max_share = 0.2
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;

use crate::Error;

/// The built-in dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// An IMEI's TAC is a mini-phone model (overlay).
    MiniPhoneTac,
    /// An IMEI is in a supplier's ledger.
    InSupplierLedger,
    /// The device lives in the facility: seen on most nights, never far away.
    ResidentInFacility,
    /// An IMEI is implausible (test or reserved reporting body, all-zero or all-nine serials).
    InvalidImei,
    /// An IMEI's TAC is in neither the TAC database nor the overlay.
    UnknownTac,
    /// An IMEI of the device is shared with other devices (cloned, popular).
    DuplicateImei,
    /// The device changed IMEI.
    ImeiChanged,
    /// The device used three SIMs or more.
    ManySims,
    /// An identifier is on the allow list.
    AllowListed,
    /// The model is marked as a known contraband model in the overlay.
    KnownContrabandModel,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Dimension; 10] = [
        Dimension::MiniPhoneTac,
        Dimension::InSupplierLedger,
        Dimension::ResidentInFacility,
        Dimension::InvalidImei,
        Dimension::UnknownTac,
        Dimension::DuplicateImei,
        Dimension::ImeiChanged,
        Dimension::ManySims,
        Dimension::AllowListed,
        Dimension::KnownContrabandModel,
    ];

    /// The name used in condition files.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::MiniPhoneTac => "mini_phone_tac",
            Dimension::InSupplierLedger => "in_supplier_ledger",
            Dimension::ResidentInFacility => "resident_in_facility",
            Dimension::InvalidImei => "invalid_imei",
            Dimension::UnknownTac => "unknown_tac",
            Dimension::DuplicateImei => "duplicate_imei",
            Dimension::ImeiChanged => "imei_changed",
            Dimension::ManySims => "many_sims",
            Dimension::AllowListed => "allow_listed",
            Dimension::KnownContrabandModel => "known_contraband_model",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A dimension, possibly negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// The dimension.
    pub dimension: Dimension,
    /// `!dimension`.
    pub negated: bool,
}

/// One condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Name, used in outputs (`conditions` column).
    pub name: String,
    /// Why, in words.
    pub reason: String,
    /// Terms, all of which must hold.
    pub all: Vec<Term>,
    /// Days of data the condition must have held before it is effective.
    pub grace_days: u32,
    /// Once effective, stays effective.
    pub sticky: bool,
    /// Largest share of evaluated devices it may flag before it is refused.
    pub max_share: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    condition: Vec<RawCondition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    name: String,
    reason: String,
    all: Vec<String>,
    #[serde(default)]
    grace_days: u32,
    #[serde(default)]
    sticky: bool,
    #[serde(default = "default_max_share")]
    max_share: f64,
}

fn default_max_share() -> f64 {
    0.25
}

/// The conditions cellsweep ships, used when a workspace has no `conditions.toml`.
pub const DEFAULT_CONDITIONS: &str = include_str!("../conditions.toml");

/// Parses a conditions file; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Condition>, Error> {
    let file: File = toml::from_str(text).map_err(|e| Error::Conditions {
        origin: origin.into(),
        reason: e.to_string(),
    })?;
    let mut names = BTreeSet::new();
    file.condition
        .into_iter()
        .map(|c| {
            let bad = |reason: String| Error::Conditions {
                origin: origin.into(),
                reason: format!("condition `{}`: {reason}", c.name),
            };
            if !names.insert(c.name.clone()) {
                return Err(bad("defined twice".into()));
            }
            if c.all.is_empty() {
                return Err(bad("`all` lists no dimension".into()));
            }
            if !(0.0..=1.0).contains(&c.max_share) {
                return Err(bad(format!(
                    "`max_share` = {} must be between 0 and 1",
                    c.max_share
                )));
            }
            let all = c
                .all
                .iter()
                .map(|t| {
                    let (negated, name) = match t.trim().strip_prefix('!') {
                        Some(n) => (true, n.trim()),
                        None => (false, t.trim()),
                    };
                    let dimension = Dimension::ALL
                        .into_iter()
                        .find(|d| d.as_str() == name)
                        .ok_or_else(|| {
                            let known: Vec<&str> =
                                Dimension::ALL.iter().map(|d| d.as_str()).collect();
                            bad(format!(
                                "unknown dimension `{name}`; known: {}",
                                known.join(", ")
                            ))
                        })?;
                    Ok::<Term, Error>(Term { dimension, negated })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            Ok(Condition {
                name: c.name.clone(),
                reason: c.reason.clone(),
                all,
                grace_days: c.grace_days,
                sticky: c.sticky,
                max_share: c.max_share,
            })
        })
        .collect()
}

/// What holds for one (device, facility): each dimension's value and its evidence in words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Dimensions that hold, with evidence.
    pub holds: BTreeMap<Dimension, String>,
    /// Days of data over which the holding dimensions have held (for grace periods).
    pub days_held: u32,
}

/// The outcome of evaluating conditions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Per subject (by index), effective condition names.
    pub flagged: Vec<Vec<String>>,
    /// Conditions refused for flagging too much: (name, would-flag count, evaluated count).
    pub refused: Vec<(String, usize, usize)>,
}

/// Evaluates `conditions` on every subject. `history(subject, condition)` tells whether the
/// condition was effective for the subject before (sticky conditions keep it).
pub fn evaluate(
    conditions: &[Condition],
    facts: &[Facts],
    history: impl Fn(usize, &str) -> bool,
) -> Outcome {
    let mut out = Outcome {
        flagged: vec![Vec::new(); facts.len()],
        refused: Vec::new(),
    };
    for c in conditions {
        let hits: Vec<usize> = facts
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                c.all
                    .iter()
                    .all(|t| f.holds.contains_key(&t.dimension) != t.negated)
                    && f.days_held >= c.grace_days
            })
            .map(|(i, _)| i)
            .collect();
        if !facts.is_empty() && hits.len() as f64 > c.max_share * facts.len() as f64 {
            out.refused.push((c.name.clone(), hits.len(), facts.len()));
            continue;
        }
        let mut effective: BTreeSet<usize> = hits.into_iter().collect();
        if c.sticky {
            effective.extend((0..facts.len()).filter(|&i| history(i, &c.name)));
        }
        for i in effective {
            out.flagged[i].push(c.name.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(dims: &[Dimension], days: u32) -> Facts {
        Facts {
            holds: dims.iter().map(|d| (*d, format!("{d} evidence"))).collect(),
            days_held: days,
        }
    }

    #[test]
    fn shipped_conditions_parse() {
        let c = parse(DEFAULT_CONDITIONS, "built-in").unwrap();
        assert!(c.len() >= 3);
        assert!(
            c.iter().all(|c| c
                .all
                .iter()
                .any(|t| t.dimension == Dimension::AllowListed && t.negated)),
            "every shipped condition excludes allow-listed devices"
        );
    }

    #[test]
    fn and_negation_grace_sticky_and_cap() {
        let text = r#"
[[condition]]
name = "mini-inside"
reason = "mini phone living inside"
all = ["mini_phone_tac", "resident_in_facility", "!allow_listed"]
grace_days = 5
sticky = true
max_share = 0.6
"#;
        let c = parse(text, "t").unwrap();
        let subjects = vec![
            facts(
                &[Dimension::MiniPhoneTac, Dimension::ResidentInFacility],
                10,
            ),
            facts(
                &[
                    Dimension::MiniPhoneTac,
                    Dimension::ResidentInFacility,
                    Dimension::AllowListed,
                ],
                10,
            ),
            facts(&[Dimension::MiniPhoneTac, Dimension::ResidentInFacility], 2),
            facts(&[Dimension::MiniPhoneTac], 30),
        ];
        let o = evaluate(&c, &subjects, |i, _| i == 3);
        assert_eq!(
            o.flagged,
            vec![
                vec!["mini-inside".to_string()],
                vec![],
                vec![],
                vec!["mini-inside".to_string()]
            ]
        );
        // The same rule on a population it would mostly flag is refused.
        let many: Vec<Facts> = (0..10)
            .map(|_| {
                facts(
                    &[Dimension::MiniPhoneTac, Dimension::ResidentInFacility],
                    10,
                )
            })
            .collect();
        let o = evaluate(&c, &many, |_, _| false);
        assert_eq!(o.refused, vec![("mini-inside".to_string(), 10, 10)]);
        assert!(o.flagged.iter().all(Vec::is_empty));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let e = parse(
            "[[condition]]\nname = \"x\"\nreason = \"r\"\nall = [\"mini_phon\"]\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown dimension `mini_phon`"), "{e}");
        let e = parse(
            "[[condition]]\nname = \"x\"\nreasn = \"r\"\nall = []\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("reasn"), "{e}");
    }
}
