//! IMSI: the subscriber identity on the SIM (ITU-T E.212, 3GPP TS 23.003 §2.2).
//!
//! ```text
//!  MCC (3) | MNC (2 or 3) | MSIN  — at most 15 digits in all
//! ```
//!
//! E.212 caps the IMSI at 15 digits.
//! Live networks issue 15-digit IMSIs and a few issue 14; anything shorter in
//! operator data is a value that lost digits on the way (a spreadsheet that
//! read it as a number, a fixed-width export), so it is rejected rather than
//! guessed at.
//! The IMSI does not say where the MNC ends: [`MncTable`] decides.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::digits::{scan_digits, serde_as_string, to_u64};
use crate::error::{Error, IdKind};
use crate::plmn::{Mcc, Mnc, MncTable, Plmn};

/// An International Mobile Subscriber Identity of 14 or 15 digits.
///
/// Equality, hashing and ordering look at the digits only, not at how the
/// [`MncTable`] split them, so the same SIM read with two tables is one SIM.
/// Ordering is the lexical order of the digit strings.
#[derive(Debug, Clone, Copy)]
pub struct Imsi {
    value: u64,
    len: u8,
    // Kept alongside the digits (they fit in the padding) so that the
    // accessors need no re-validation.
    mcc: Mcc,
    mnc: Mnc,
}

impl Imsi {
    /// Parses 14 or 15 digits (surrounding whitespace trimmed) whose first 3
    /// are a valid MCC; `table` gives the MNC length.
    pub fn parse(input: &str, table: &MncTable) -> Result<Imsi, Error> {
        let input = input.trim();
        let digits = scan_digits(IdKind::Imsi, input, &[])?;
        match digits.len() {
            14 | 15 => {}
            found @ 1..14 => {
                return Err(Error::TruncatedImsi {
                    input: input.to_owned(),
                    found,
                });
            }
            found => {
                return Err(Error::WrongLength {
                    kind: IdKind::Imsi,
                    input: input.to_owned(),
                    found,
                    expected: "14 or 15 (e.212 allows at most 15)",
                });
            }
        }
        // Three digits fit in a u16.
        let Some(mcc) = Mcc::from_u16(to_u64(&digits[..3]) as u16) else {
            return Err(Error::InvalidMcc {
                kind: IdKind::Imsi,
                input: input.to_owned(),
                mcc: input[..3].to_owned(),
            });
        };
        // The input is all ASCII digits now, so byte slicing is safe.
        let mnc_digits = table.mnc_len(mcc, &input[3..]);
        let mnc_end = 3 + usize::from(mnc_digits);
        // Two or three digits fit in a u16.
        let mnc = Mnc::new(to_u64(&digits[3..mnc_end]) as u16, mnc_digits)
            .expect("MncTable::mnc_len returns 2 or 3");
        Ok(Imsi {
            value: to_u64(&digits),
            // 14 or 15 fits in a u8.
            len: digits.len() as u8,
            mcc,
            mnc,
        })
    }

    /// The Mobile Country Code.
    pub fn mcc(self) -> Mcc {
        self.mcc
    }

    /// The Mobile Network Code, 2 or 3 digits as the table said.
    pub fn mnc(self) -> Mnc {
        self.mnc
    }

    /// The home network.
    pub fn plmn(self) -> Plmn {
        Plmn::new(self.mcc(), self.mnc())
    }

    /// The Mobile Subscription Identification Number: the digits after the
    /// MNC, leading zeros kept.
    pub fn msin(self) -> String {
        let len = usize::from(self.msin_len());
        format!("{:0len$}", self.value % pow10(self.msin_len()))
    }

    /// The digits as a number and their count, for [`Imsi::key`].
    pub(crate) fn raw(self) -> (u64, u8) {
        (self.value, self.len)
    }

    fn msin_len(self) -> u8 {
        self.len - 3 - self.mnc.digits()
    }

    /// The digits padded on the right to 15, then the length: lexical order
    /// of the digit strings.
    fn sort_key(self) -> (u64, u8) {
        (self.value * pow10(15 - self.len), self.len)
    }
}

fn pow10(exp: u8) -> u64 {
    10u64.pow(u32::from(exp))
}

impl PartialEq for Imsi {
    fn eq(&self, other: &Imsi) -> bool {
        (self.value, self.len) == (other.value, other.len)
    }
}

impl Eq for Imsi {}

impl Hash for Imsi {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.value, self.len).hash(state);
    }
}

impl PartialOrd for Imsi {
    fn partial_cmp(&self, other: &Imsi) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Imsi {
    fn cmp(&self, other: &Imsi) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl fmt::Display for Imsi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0len$}", self.value, len = usize::from(self.len))
    }
}

// Deserialising has no table at hand, so the built-in defaults decide the
// MNC length; callers with an operator table re-parse with it.
serde_as_string!(Imsi, |s| Imsi::parse(s, &MncTable::builtin()));

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses with the built-in table and renders `mcc-mnc-msin`, or the
    /// error message prefixed with `error: `.
    fn check(input: &str, expected: &str) {
        check_with(&MncTable::builtin(), input, expected);
    }

    fn check_with(table: &MncTable, input: &str, expected: &str) {
        let got = match Imsi::parse(input, table) {
            Ok(imsi) => {
                assert_eq!(imsi.to_string(), input.trim());
                format!("{}-{}", imsi.plmn(), imsi.msin())
            }
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn forms() {
        check("208011234567890", "208-01-1234567890");
        check(" 208150000000001 ", "208-15-0000000001");
        check("20801123456789", "208-01-123456789");
        check("310410123456789", "310-410-123456789");
        check("31041012345678", "310-410-12345678");
        check("001010000000001", "001-01-0000000001");
        check("405840123456789", "405-840-123456789");
        let mut table = MncTable::builtin();
        table.insert(Plmn::parse("405-01").unwrap());
        check_with(&table, "405011234567890", "405-01-1234567890");
    }

    #[test]
    fn errors() {
        let inputs = [
            "",
            "2080112345",
            "2080112345678",
            "2080112345678901",
            "108011234567890",
            "808011234567890",
            "20801123456789O",
            "208-01-1234567890",
        ];
        let out: Vec<String> = inputs
            .iter()
            .map(|i| {
                format!(
                    "{i:?} => {}",
                    Imsi::parse(i, &MncTable::builtin()).unwrap_err()
                )
            })
            .collect();
        insta::assert_snapshot!(out.join("\n"));
    }

    #[test]
    fn identity_is_the_digits() {
        let mut table = MncTable::builtin();
        table.insert(Plmn::parse("208-011").unwrap());
        let a = Imsi::parse("208011234567890", &MncTable::builtin()).unwrap();
        let b = Imsi::parse("208011234567890", &table).unwrap();
        assert_eq!(b.mnc().to_string(), "011");
        assert_eq!(a, b);
        let short = Imsi::parse("20801123456789", &table).unwrap();
        assert_ne!(a, short);
        // Lexical order: "20801123456789" < "208011234567890".
        assert!(short < a);
        let c = Imsi::parse("20801123456780", &table).unwrap();
        assert!(c < short);
    }

    #[test]
    fn serde() {
        let imsi = Imsi::parse("310410123456789", &MncTable::builtin()).unwrap();
        assert_eq!(
            serde_json::to_string(&imsi).unwrap(),
            r#""310410123456789""#
        );
        let back: Imsi = serde_json::from_str(r#""310410123456789""#).unwrap();
        assert_eq!(back.mnc().to_string(), "410");
        assert!(serde_json::from_str::<Imsi>(r#""31041012""#).is_err());
    }
}
