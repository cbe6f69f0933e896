//! Radio access technologies and the documented defaults used when a cell list omits a
//! sector's shape or reach.

use std::fmt;
use std::str::FromStr;

/// A radio access technology generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Radio {
    /// GSM.
    G2,
    /// UMTS.
    G3,
    /// LTE.
    G4,
    /// NR.
    G5,
}

/// Beam width assumed for a sector whose width is not given: the common 65° panel antenna.
pub const DEFAULT_SECTOR_BEAMWIDTH_DEG: f64 = 65.0;

impl Radio {
    /// All generations.
    pub const ALL: [Radio; 4] = [Radio::G2, Radio::G3, Radio::G4, Radio::G5];

    /// The lowercase name used in files and the event store.
    pub fn as_str(self) -> &'static str {
        match self {
            Radio::G2 => "2g",
            Radio::G3 => "3g",
            Radio::G4 => "4g",
            Radio::G5 => "5g",
        }
    }

    /// Serving range assumed when a cell list gives none, in metres. These are typical
    /// suburban reaches, deliberately generous: a too-small range would make a cell look as if
    /// it covered only the facility, which is the error that hurts innocent neighbours.
    pub fn default_range_m(self) -> f64 {
        match self {
            Radio::G2 => 4_000.0,
            Radio::G3 => 2_500.0,
            Radio::G4 => 2_500.0,
            Radio::G5 => 1_000.0,
        }
    }

    /// Distance covered by one timing-advance step, in metres, when the radio reports one:
    /// GSM bit period × c / 2 ≈ 553.5 m; LTE 16·Ts × c / 2 ≈ 78.1 m; NR at 30 kHz SCS ≈ 39 m.
    /// UMTS has no timing advance in CDRs.
    pub fn ta_step_m(self) -> Option<f64> {
        match self {
            Radio::G2 => Some(553.5),
            Radio::G3 => None,
            Radio::G4 => Some(78.12),
            Radio::G5 => Some(39.06),
        }
    }
}

impl fmt::Display for Radio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Radio {
    type Err = String;

    /// Accepts `2g`/`gsm`, `3g`/`umts`/`wcdma`, `4g`/`lte`, `5g`/`nr`, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "2g" | "gsm" | "g2" => Ok(Radio::G2),
            "3g" | "umts" | "wcdma" | "g3" => Ok(Radio::G3),
            "4g" | "lte" | "g4" => Ok(Radio::G4),
            "5g" | "nr" | "g5" => Ok(Radio::G5),
            _ => Err(format!(
                "unknown radio `{s}`; expected 2g, 3g, 4g or 5g (or gsm, umts, lte, nr)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Radio::ALL {
            assert_eq!(r.as_str().parse::<Radio>().unwrap(), r);
        }
        assert_eq!("LTE".parse::<Radio>().unwrap(), Radio::G4);
        assert!("6g".parse::<Radio>().is_err());
    }
}
