//! Mobile country and network codes, PLMN identities, and the table that says
//! how many digits an MNC has (ITU-T E.212, 3GPP TS 23.003 §2.2).
//!
//! An IMSI or a concatenated PLMN (`20801`, `310410…`) does not say where the
//! MNC ends: it is 2 digits in most countries and 3 in the Americas and a few
//! others, and a handful of countries mix both.
//! [`MncTable`] answers that question from a built-in per-MCC default plus any
//! PLMN the user registers.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::digits::{scan_digits, serde_as_string, to_u64};
use crate::error::{Error, IdKind};

/// MCCs whose MNCs are 3 digits by default.
///
/// Derived once from the `mcc-mnc-list` 1.1.11 snapshot of Wikipedia's
/// "Mobile country code" pages (late 2024, CC BY-SA; kept in the project's
/// shared reference data as `mcc_mnc/mcc_mnc.csv`): counting the MNC lengths
/// per MCC, these are the MCCs where 3-digit MNCs outnumber 2-digit ones.
/// The data file is neither copied nor read at run time.
///
/// Mixed MCCs, where both lengths occur (count of 2-digit / 3-digit MNCs):
/// - defaulting to 3 here: 310 USA (1/149), 338 Jamaica (4/8),
///   405 India (30/96), 441 Japan (4/13);
/// - defaulting to 2: 001 test (1/1), 208 France (52/18, plus 5-digit private
///   networks), 214 Spain (39/2), 250 Russia (49/1), 255 Ukraine (16/1),
///   350 Bermuda (6/1), 374 Trinidad and Tobago (4/4), 467 North Korea (2/1),
///   502 Malaysia (11/8), 710 Nicaragua (2/1), 714 Panama (5/1),
///   738 Guyana (3/3), 999 private (1/1).
///
/// For those, register the PLMNs you meet with [`MncTable::insert`]: an
/// explicit entry always wins over the default.
pub const THREE_DIGIT_MNC_MCCS: &[u16] = &[
    302, 310, 311, 312, 313, 314, 315, 316, 330, 334, 338, 342, 344, 346, 348, 352, 354, 356, 358,
    360, 365, 366, 376, 405, 441, 708, 722, 732, 750,
];

/// A Mobile Country Code: 3 digits, first digit 2 to 7 (geographic), or
/// `001` (test networks), `901` (international networks), `999` (private
/// networks, E.212 annex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mcc(u16);

impl Mcc {
    /// Parses exactly 3 digits forming a valid MCC, whitespace trimmed.
    pub fn parse(input: &str) -> Result<Mcc, Error> {
        let input = input.trim();
        let digits = scan_digits(IdKind::Mcc, input, &[])?;
        let invalid = || Error::InvalidMcc {
            kind: IdKind::Mcc,
            input: input.to_owned(),
            mcc: input.to_owned(),
        };
        if digits.len() != 3 {
            return Err(invalid());
        }
        // Three digits fit in a u16.
        Mcc::from_u16(to_u64(&digits) as u16).ok_or_else(invalid)
    }

    /// The MCC `value`, or `None` when E.212 allocates no such code.
    ///
    /// E.212 gives countries `2xx`–`7xx`; `9xx` holds the shared international codes (`901`,
    /// `902`), trial codes (`991`), some territories (`995`, British Indian Ocean Territory)
    /// and private networks (`999`); `001` is the test network. `0xx`, `1xx` and `8xx` are
    /// reserved.
    pub const fn from_u16(value: u16) -> Option<Mcc> {
        if (value >= 200 && value <= 799) || (value >= 900 && value <= 999) || value == 1 {
            Some(Mcc(value))
        } else {
            None
        }
    }

    /// The code as a number.
    pub const fn as_u16(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Mcc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

impl FromStr for Mcc {
    type Err = Error;

    fn from_str(s: &str) -> Result<Mcc, Error> {
        Mcc::parse(s)
    }
}

/// A Mobile Network Code with its digit count: `01` and `001` are different
/// networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mnc {
    value: u16,
    digits: u8,
}

impl Mnc {
    /// Parses 2 or 3 digits, whitespace trimmed.
    pub fn parse(input: &str) -> Result<Mnc, Error> {
        let input = input.trim();
        let digits = scan_digits(IdKind::Mnc, input, &[])?;
        if !(2..=3).contains(&digits.len()) {
            return Err(Error::InvalidMnc {
                kind: IdKind::Mnc,
                input: input.to_owned(),
                mnc: input.to_owned(),
            });
        }
        // Two or three digits fit in a u16, and their count in a u8.
        Ok(Mnc {
            value: to_u64(&digits) as u16,
            digits: digits.len() as u8,
        })
    }

    /// The MNC `value` written with `digits` digits, or `None` unless
    /// `digits` is 2 or 3 and `value` fits in it.
    pub const fn new(value: u16, digits: u8) -> Option<Mnc> {
        match digits {
            2 if value < 100 => Some(Mnc { value, digits }),
            3 if value < 1000 => Some(Mnc { value, digits }),
            _ => None,
        }
    }

    /// The code as a number.
    pub const fn value(self) -> u16 {
        self.value
    }

    /// The number of digits, 2 or 3.
    pub const fn digits(self) -> u8 {
        self.digits
    }
}

impl fmt::Display for Mnc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:0width$}",
            self.value,
            width = usize::from(self.digits)
        )
    }
}

impl FromStr for Mnc {
    type Err = Error;

    fn from_str(s: &str) -> Result<Mnc, Error> {
        Mnc::parse(s)
    }
}

/// A Public Land Mobile Network identity: an operator in a country.
///
/// Displayed as `208-01`, the TS 103 280 way of writing the PLMN part of a
/// cell identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Plmn {
    /// Mobile Country Code.
    pub mcc: Mcc,
    /// Mobile Network Code.
    pub mnc: Mnc,
}

/// Separators accepted between MCC and MNC.
const PLMN_SEPARATORS: &[char] = &['-', ' ', '/'];

impl Plmn {
    /// The PLMN of `mcc` and `mnc`.
    pub const fn new(mcc: Mcc, mnc: Mnc) -> Plmn {
        Plmn { mcc, mnc }
    }

    /// Parses `208-01`, `208 01`, `208/01`, or the concatenated `20801`
    /// (5 digits: 2-digit MNC) and `208001` (6 digits: 3-digit MNC).
    pub fn parse(input: &str) -> Result<Plmn, Error> {
        let input = input.trim();
        scan_digits(IdKind::Plmn, input, PLMN_SEPARATORS)?;
        let (mcc, mnc) = match input.split_once(PLMN_SEPARATORS) {
            Some(parts) => parts,
            None if input.len() == 5 || input.len() == 6 => input.split_at(3),
            None => {
                return Err(Error::WrongLength {
                    kind: IdKind::Plmn,
                    input: input.to_owned(),
                    found: input.len(),
                    expected: "5 or 6 (mcc and mnc), or `mcc-mnc`",
                });
            }
        };
        Plmn::from_parts(IdKind::Plmn, input, mcc, mnc)
    }

    /// Builds a PLMN from digit-only `mcc` and `mnc` strings, reporting
    /// problems against `input` parsed as `kind`.
    pub(crate) fn from_parts(
        kind: IdKind,
        input: &str,
        mcc: &str,
        mnc: &str,
    ) -> Result<Plmn, Error> {
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let mcc_value = if mcc.len() == 3 && all_digits(mcc) {
            mcc.parse().ok().and_then(Mcc::from_u16)
        } else {
            None
        };
        let Some(mcc_value) = mcc_value else {
            return Err(Error::InvalidMcc {
                kind,
                input: input.to_owned(),
                mcc: mcc.to_owned(),
            });
        };
        let mnc_value = if all_digits(mnc) {
            // `Mnc::new` rejects lengths other than 2 and 3.
            mnc.parse()
                .ok()
                .and_then(|v| Mnc::new(v, u8::try_from(mnc.len()).ok()?))
        } else {
            None
        };
        let Some(mnc_value) = mnc_value else {
            return Err(Error::InvalidMnc {
                kind,
                input: input.to_owned(),
                mnc: mnc.to_owned(),
            });
        };
        Ok(Plmn::new(mcc_value, mnc_value))
    }
}

impl fmt::Display for Plmn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.mcc, self.mnc)
    }
}

impl FromStr for Plmn {
    type Err = Error;

    fn from_str(s: &str) -> Result<Plmn, Error> {
        Plmn::parse(s)
    }
}

serde_as_string!(Plmn, Plmn::parse);

/// Says how many digits the MNC has after a given MCC.
///
/// Starts from [`THREE_DIGIT_MNC_MCCS`] (everything else defaults to 2
/// digits, the E.212 default) and learns known PLMNs, typically the
/// operator-code table of an investigation, through [`MncTable::insert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MncTable {
    known: BTreeSet<Plmn>,
}

impl MncTable {
    /// The per-MCC defaults of [`THREE_DIGIT_MNC_MCCS`], with no explicit
    /// PLMN.
    pub fn builtin() -> MncTable {
        MncTable {
            known: BTreeSet::new(),
        }
    }

    /// Registers a known PLMN; returns `false` when it was already there.
    pub fn insert(&mut self, plmn: Plmn) -> bool {
        self.known.insert(plmn)
    }

    /// The MNC length, 2 or 3, for `mcc` followed by `rest_digits` (the
    /// digits after the MCC in an IMSI or a concatenated identifier).
    ///
    /// A registered 3-digit PLMN matching the first 3 rest digits wins, then
    /// a registered 2-digit PLMN matching the first 2, then the MCC default.
    /// 3 digits are tried first so that `310-410` is not read as `310-41`
    /// when both are registered.
    pub fn mnc_len(&self, mcc: Mcc, rest_digits: &str) -> u8 {
        for digits in [3u8, 2] {
            let Some(prefix) = rest_digits.get(..usize::from(digits)) else {
                continue;
            };
            let known = prefix
                .parse()
                .ok()
                .filter(|_| prefix.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|value| Mnc::new(value, digits))
                .is_some_and(|mnc| self.known.contains(&Plmn::new(mcc, mnc)));
            if known {
                return digits;
            }
        }
        MncTable::default_mnc_len(mcc)
    }

    /// The MNC length for `mcc` when no PLMN is registered.
    pub fn default_mnc_len(mcc: Mcc) -> u8 {
        if THREE_DIGIT_MNC_MCCS.binary_search(&mcc.as_u16()).is_ok() {
            3
        } else {
            2
        }
    }

    /// The number of registered PLMNs (the built-in defaults are not counted).
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether no PLMN is registered.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

impl Default for MncTable {
    fn default() -> MncTable {
        MncTable::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let got = match Plmn::parse(input) {
            Ok(plmn) => plmn.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn plmn_forms() {
        check("208-01", "208-01");
        check("208 01", "208-01");
        check("208/01", "208-01");
        check(" 20801 ", "208-01");
        check("208001", "208-001");
        check("310-410", "310-410");
        check("001-01", "001-01");
        check("901-70", "901-70");
        check("999-999", "999-999");
    }

    #[test]
    fn plmn_errors() {
        let inputs = [
            "", "2080", "2080011", "208-1", "208-0001", "20-801", "100-01", "800-01", "099-01",
            "208-0a", "208--01", "208-01-", "208_01", "208:01",
        ];
        let out: Vec<String> = inputs
            .iter()
            .map(|i| format!("{i:?} => {}", Plmn::parse(i).unwrap_err()))
            .collect();
        insta::assert_snapshot!(out.join("\n"));
    }

    #[test]
    fn mcc_and_mnc() {
        assert_eq!(Mcc::parse("208").unwrap().as_u16(), 208);
        assert_eq!(Mcc::parse("001").unwrap().to_string(), "001");
        assert!(Mcc::parse("199").is_err());
        assert!(Mcc::parse("2080").is_err());
        assert_eq!(Mcc::from_u16(901).map(Mcc::as_u16), Some(901));
        assert_eq!(Mcc::from_u16(995).map(Mcc::as_u16), Some(995));
        assert_eq!(Mcc::from_u16(899), None);
        assert_eq!(Mcc::from_u16(0), None);
        assert_eq!(Mnc::parse("01").unwrap(), Mnc::new(1, 2).unwrap());
        assert_ne!(Mnc::parse("01").unwrap(), Mnc::parse("001").unwrap());
        assert_eq!(Mnc::parse("001").unwrap().to_string(), "001");
        assert_eq!(Mnc::new(100, 2), None);
        assert_eq!(Mnc::new(1, 4), None);
        assert_eq!(
            Mnc::parse("1").unwrap_err().to_string(),
            "mnc `1` is not a valid mobile network code, expected 2 or 3 digits"
        );
    }

    #[test]
    fn three_digit_list_is_sorted() {
        // `default_mnc_len` binary-searches it.
        assert!(THREE_DIGIT_MNC_MCCS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn mnc_len_rules() {
        let mcc = |v| Mcc::from_u16(v).unwrap();
        let mut table = MncTable::builtin();
        assert!(table.is_empty());
        assert_eq!(table.mnc_len(mcc(208), "0112345678"), 2);
        assert_eq!(table.mnc_len(mcc(310), "4101234567"), 3);
        assert_eq!(table.mnc_len(mcc(405), "8401234567"), 3);
        // India mixes lengths: 405-01 is a 2-digit network.
        table.insert(Plmn::parse("405-01").unwrap());
        assert_eq!(table.mnc_len(mcc(405), "0112345678"), 2);
        // An explicit 3-digit entry beats the 2-digit default.
        table.insert(Plmn::parse("208-701").unwrap());
        assert_eq!(table.mnc_len(mcc(208), "7011234567"), 3);
        assert_eq!(table.mnc_len(mcc(208), "7021234567"), 2);
        // And the 3-digit entry is tried before the 2-digit one.
        table.insert(Plmn::parse("208-70").unwrap());
        assert_eq!(table.mnc_len(mcc(208), "7011234567"), 3);
        assert_eq!(table.mnc_len(mcc(208), "7021234567"), 2);
        assert!(!table.insert(Plmn::parse("208-70").unwrap()));
        assert_eq!(table.len(), 3);
        // Short or non-digit rests fall back to the default.
        assert_eq!(table.mnc_len(mcc(310), "4"), 3);
        assert_eq!(table.mnc_len(mcc(208), "+1"), 2);
    }

    #[test]
    fn serde() {
        let plmn = Plmn::parse("208-01").unwrap();
        assert_eq!(serde_json::to_string(&plmn).unwrap(), r#""208-01""#);
        assert_eq!(serde_json::from_str::<Plmn>(r#""20801""#).unwrap(), plmn);
    }
}
