//! IMEI, IMEISV and TAC (3GPP TS 23.003 §6.2).
//!
//! ```text
//!  IMEI    TAC (8) | serial (6) | check digit or spare (1)
//!  IMEISV  TAC (8) | serial (6) | software version number (2)
//!  TAC     reporting body (2) | type identifier (6)
//! ```
//!
//! The canonical form is the 14 digits of TAC and serial: the 15th digit is
//! either derived (the Luhn check digit) or meaningless (the spare `0` that
//! networks transmit), so keeping it would make the same handset look like
//! two devices depending on who delivered the value.

use std::fmt;
use std::str::FromStr;

use crate::digits::{GROUP_SEPARATORS, scan_digits, serde_as_string, to_u64};
use crate::error::{Error, IdKind};
use crate::luhn::luhn_check_digit;

/// 10^14: IMEIs are 14 digits without the check digit.
const IMEI_LIMIT: u64 = 100_000_000_000_000;
/// 10^8: TACs are 8 digits.
const TAC_LIMIT: u32 = 100_000_000;
/// 10^6: the serial number is 6 digits.
const SERIAL_LIMIT: u32 = 1_000_000;
/// TS 23.003 §6.2.2 reserves software version number 99.
const RESERVED_SVN: u8 = 99;

/// How to read the 15th digit of a 15-digit IMEI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CheckDigit {
    /// The 15th digit is the Luhn check digit and must match: what handsets
    /// display (`*#06#`), boxes print and supplier ledgers record.
    #[default]
    Verify,
    /// The 15th digit is the spare digit that the network side transmits as
    /// `0` (TS 23.003 §6.2.1: the check digit is not transmitted): what many
    /// operator deliveries contain.
    /// It must be `0` and is dropped without a Luhn check.
    Spare,
}

/// An International Mobile Equipment Identity: TAC and serial number.
///
/// Stored as the 14-digit number; `Display` prints it zero-padded, and
/// [`Imei::to_string_with_check_digit`] gives the 15-digit form with the
/// Luhn digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Imei(u64);

impl Imei {
    /// Parses an IMEI and verifies its check digit when it has one.
    ///
    /// Same as [`Imei::parse_with`] with [`CheckDigit::Verify`].
    pub fn parse(input: &str) -> Result<Imei, Error> {
        Imei::parse_with(input, CheckDigit::Verify)
    }

    /// Parses an IMEI given as 14 digits (TAC and serial), 15 digits (with
    /// the check or spare digit, read as `check` says) or 16 digits (an
    /// IMEISV, whose IMEI part is returned).
    ///
    /// Surrounding whitespace is trimmed; a space, `-`, `/` or `.` is
    /// accepted between two digits.
    /// A wrong check digit is an error, never silently fixed: it usually
    /// means a typing mistake in another digit.
    pub fn parse_with(input: &str, check: CheckDigit) -> Result<Imei, Error> {
        let input = input.trim();
        let digits = scan_digits(IdKind::Imei, input, GROUP_SEPARATORS)?;
        match digits.len() {
            14 => Ok(Imei(to_u64(&digits))),
            15 => {
                let found = digits[14];
                match check {
                    CheckDigit::Verify => {
                        let expected = luhn_check_digit(&digits[..14]);
                        if found != expected {
                            return Err(Error::WrongCheckDigit {
                                input: input.to_owned(),
                                found,
                                expected,
                            });
                        }
                    }
                    CheckDigit::Spare => {
                        if found != 0 {
                            return Err(Error::SpareDigitNotZero {
                                input: input.to_owned(),
                                found,
                            });
                        }
                    }
                }
                Ok(Imei(to_u64(&digits[..14])))
            }
            // An IMEISV: its own rules apply (SVN 99 is reserved).
            16 => Imeisv::parse(input).map(|imeisv| imeisv.imei()),
            found => Err(Error::WrongLength {
                kind: IdKind::Imei,
                input: input.to_owned(),
                found,
                expected: "14 (tac and serial), 15 (with check digit) or 16 (imeisv)",
            }),
        }
    }

    /// The IMEI whose 14 digits are `value`, or `None` when `value` has more
    /// than 14 digits.
    pub fn from_u64(value: u64) -> Option<Imei> {
        (value < IMEI_LIMIT).then_some(Imei(value))
    }

    /// The IMEI made of `tac` and a 6-digit `serial`, or `None` when the
    /// serial has more than 6 digits.
    pub fn from_parts(tac: Tac, serial: u32) -> Option<Imei> {
        (serial < SERIAL_LIMIT)
            .then(|| Imei(u64::from(tac.0) * u64::from(SERIAL_LIMIT) + u64::from(serial)))
    }

    /// The 14 digits as a number.
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The Type Allocation Code: the first 8 digits, which name the model.
    pub fn tac(self) -> Tac {
        // The quotient of a 14-digit number by 10^6 has 8 digits.
        Tac((self.0 / u64::from(SERIAL_LIMIT)) as u32)
    }

    /// The 6-digit serial number.
    pub fn serial(self) -> u32 {
        // The remainder by 10^6 fits in a u32.
        (self.0 % u64::from(SERIAL_LIMIT)) as u32
    }

    /// The Luhn check digit of the 14 digits.
    pub fn check_digit(self) -> u8 {
        luhn_check_digit(&self.digits())
    }

    /// The 15-digit form: the 14 digits and the Luhn check digit.
    pub fn to_string_with_check_digit(self) -> String {
        format!("{self}{}", self.check_digit())
    }

    fn digits(self) -> [u8; 14] {
        let mut digits = [0; 14];
        let mut n = self.0;
        for d in digits.iter_mut().rev() {
            // A remainder by 10 fits in a u8.
            *d = (n % 10) as u8;
            n /= 10;
        }
        digits
    }
}

impl fmt::Display for Imei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:014}", self.0)
    }
}

impl FromStr for Imei {
    type Err = Error;

    fn from_str(s: &str) -> Result<Imei, Error> {
        Imei::parse(s)
    }
}

serde_as_string!(Imei, Imei::parse);

/// A Type Allocation Code: the first 8 digits of an IMEI, allocated by a
/// GSMA reporting body to a manufacturer for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tac(u32);

impl Tac {
    /// Parses exactly 8 digits, surrounding whitespace trimmed.
    pub fn parse(input: &str) -> Result<Tac, Error> {
        let input = input.trim();
        let digits = scan_digits(IdKind::Tac, input, &[])?;
        if digits.len() != 8 {
            return Err(Error::WrongLength {
                kind: IdKind::Tac,
                input: input.to_owned(),
                found: digits.len(),
                expected: "8",
            });
        }
        // Eight digits fit in a u32.
        Ok(Tac(to_u64(&digits) as u32))
    }

    /// The TAC whose 8 digits are `value`, or `None` when it has more.
    pub fn from_u32(value: u32) -> Option<Tac> {
        (value < TAC_LIMIT).then_some(Tac(value))
    }

    /// The 8 digits as a number.
    pub fn as_u32(self) -> u32 {
        self.0
    }

    /// The reporting body identifier: the first 2 digits (35 for BABT,
    /// 86 for TAF, 01 for PTCRB, …).
    pub fn reporting_body(self) -> u8 {
        // An 8-digit number divided by 10^6 is below 100.
        (self.0 / 1_000_000) as u8
    }
}

impl fmt::Display for Tac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

impl FromStr for Tac {
    type Err = Error;

    fn from_str(s: &str) -> Result<Tac, Error> {
        Tac::parse(s)
    }
}

serde_as_string!(Tac, Tac::parse);

/// An IMEI with its 2-digit software version number, as networks report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Imeisv {
    imei: Imei,
    svn: u8,
}

impl Imeisv {
    /// Parses exactly 16 digits (TAC, serial, SVN), with the same trimming
    /// and separators as [`Imei::parse`]; SVN 99 is reserved and rejected.
    pub fn parse(input: &str) -> Result<Imeisv, Error> {
        let input = input.trim();
        let digits = scan_digits(IdKind::Imeisv, input, GROUP_SEPARATORS)?;
        if digits.len() != 16 {
            return Err(Error::WrongLength {
                kind: IdKind::Imeisv,
                input: input.to_owned(),
                found: digits.len(),
                expected: "16 (tac, serial and software version)",
            });
        }
        let svn = digits[14] * 10 + digits[15];
        if svn == RESERVED_SVN {
            return Err(Error::ReservedSvn {
                input: input.to_owned(),
            });
        }
        Ok(Imeisv {
            imei: Imei(to_u64(&digits[..14])),
            svn,
        })
    }

    /// The IMEISV of `imei` with software version `svn`, or `None` when
    /// `svn` is above 98 (99 is reserved).
    pub fn new(imei: Imei, svn: u8) -> Option<Imeisv> {
        (svn < RESERVED_SVN).then_some(Imeisv { imei, svn })
    }

    /// The IMEI part.
    pub fn imei(self) -> Imei {
        self.imei
    }

    /// The software version number, 0 to 98.
    pub fn svn(self) -> u8 {
        self.svn
    }
}

impl fmt::Display for Imeisv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:02}", self.imei, self.svn)
    }
}

impl FromStr for Imeisv {
    type Err = Error;

    fn from_str(s: &str) -> Result<Imeisv, Error> {
        Imeisv::parse(s)
    }
}

serde_as_string!(Imeisv, Imeisv::parse);

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `input` as an IMEI and compares the canonical 14 digits, or the
    /// error message prefixed with `error: `.
    fn check(input: &str, expected: &str) {
        check_with(input, CheckDigit::Verify, expected);
    }

    fn check_with(input: &str, mode: CheckDigit, expected: &str) {
        let got = match Imei::parse_with(input, mode) {
            Ok(imei) => imei.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "input {input:?} ({mode:?})");
    }

    #[test]
    fn parse_accepted_forms() {
        check("49015420323751", "49015420323751");
        check("490154203237518", "49015420323751");
        check("49-015420-323751-8", "49015420323751");
        check("  49 015420 323751 8\t", "49015420323751");
        check("49/015420/323751/8", "49015420323751");
        check("49.015420.323751.8", "49015420323751");
        check("352099001761481", "35209900176148");
        check("00000000000000", "00000000000000");
        check("000000000000000", "00000000000000");
        // IMEISV: the IMEI part.
        check("3520990017614823", "35209900176148");
        check("35-209900-176148-23", "35209900176148");
    }

    #[test]
    fn parse_rejected_forms() {
        check(
            "352099001761482",
            "error: imei `352099001761482`: wrong check digit `2`, luhn gives `1`",
        );
        check(
            "35209900176148X",
            "error: imei `35209900176148X`: character `X` at position 15 is not a digit",
        );
        check(
            "3520990017614899",
            "error: imeisv `3520990017614899`: software version number `99` is reserved (3gpp ts 23.003 §6.2.2)",
        );
    }

    #[test]
    fn spare_digit() {
        check_with("352099001761480", CheckDigit::Spare, "35209900176148");
        check_with("35209900176148", CheckDigit::Spare, "35209900176148");
        // The real check digit is not a spare digit.
        check_with(
            "352099001761481",
            CheckDigit::Spare,
            "error: imei `352099001761481`: spare digit `1` should be `0` (3gpp ts 23.003 §6.2.1: the check digit is not transmitted)",
        );
        // Without `Spare` the `0` is read as a (wrong) check digit.
        check(
            "352099001761480",
            "error: imei `352099001761480`: wrong check digit `0`, luhn gives `1`",
        );
    }

    #[test]
    fn error_messages() {
        let inputs = [
            "",
            "   ",
            "3520990017614",
            "35209900176148111",
            "35209900176148  1",
            "-352099001761481",
            "352099001761481-",
            "35--2099001761481",
            "35 - 209900176148",
            "35_209900_176148_1",
            "３５２０９９００１７６１４８１",
            "0x35209900176148",
        ];
        let out: Vec<String> = inputs
            .iter()
            .map(|i| format!("{i:?} => {}", Imei::parse(i).unwrap_err()))
            .collect();
        insta::assert_snapshot!(out.join("\n"));
    }

    #[test]
    fn accessors() {
        let imei = Imei::parse("49-015420-323751-8").unwrap();
        assert_eq!(imei.as_u64(), 49_015_420_323_751);
        assert_eq!(imei.tac().to_string(), "49015420");
        assert_eq!(imei.tac().reporting_body(), 49);
        assert_eq!(imei.serial(), 323_751);
        assert_eq!(imei.check_digit(), 8);
        assert_eq!(imei.to_string_with_check_digit(), "490154203237518");
        assert_eq!(Imei::from_parts(imei.tac(), imei.serial()), Some(imei));
        assert_eq!(Imei::from_parts(imei.tac(), 1_000_000), None);
        assert_eq!("490154203237518".parse::<Imei>().unwrap(), imei);

        let small = Imei::from_u64(1_234).unwrap();
        assert_eq!(small.to_string(), "00000000001234");
        assert_eq!(small.tac().to_string(), "00000000");
        assert_eq!(
            Imei::from_u64(99_999_999_999_999).map(Imei::as_u64),
            Some(99_999_999_999_999)
        );
        assert_eq!(Imei::from_u64(100_000_000_000_000), None);
    }

    #[test]
    fn tac() {
        assert_eq!(Tac::parse(" 01234567 ").unwrap().to_string(), "01234567");
        assert_eq!(Tac::parse("01234567").unwrap().reporting_body(), 1);
        assert_eq!(Tac::from_u32(86_000_000).unwrap().reporting_body(), 86);
        assert_eq!(Tac::from_u32(100_000_000), None);
        assert_eq!(
            Tac::parse("1234567").unwrap_err().to_string(),
            "tac `1234567`: 7 digits, expected 8"
        );
        assert_eq!(
            Tac::parse("3520-9900").unwrap_err().to_string(),
            "tac `3520-9900`: character `-` at position 5 is not a digit"
        );
    }

    #[test]
    fn imeisv() {
        let sv = Imeisv::parse("35-209900-176148-23").unwrap();
        assert_eq!(sv.to_string(), "3520990017614823");
        assert_eq!(sv.svn(), 23);
        assert_eq!(sv.imei().to_string(), "35209900176148");
        assert_eq!(Imeisv::parse("3520990017614800").unwrap().svn(), 0);
        assert_eq!(Imeisv::parse("3520990017614898").unwrap().svn(), 98);
        assert_eq!(Imeisv::new(sv.imei(), 99), None);
        assert_eq!(
            Imeisv::new(sv.imei(), 5).unwrap().to_string(),
            "3520990017614805"
        );
        assert_eq!(
            Imeisv::parse("352099001761481").unwrap_err().to_string(),
            "imeisv `352099001761481`: 15 digits, expected 16 (tac, serial and software version)"
        );
    }

    #[test]
    fn serde_uses_canonical_strings() {
        let imei = Imei::parse("490154203237518").unwrap();
        assert_eq!(serde_json::to_string(&imei).unwrap(), r#""49015420323751""#);
        assert_eq!(
            serde_json::from_str::<Imei>(r#""49-015420-323751-8""#).unwrap(),
            imei
        );
        let err = serde_json::from_str::<Imei>(r#""490154203237519""#).unwrap_err();
        assert!(
            err.to_string()
                .contains("wrong check digit `9`, luhn gives `8`"),
            "{err}"
        );
        let sv = Imeisv::parse("4901542032375101").unwrap();
        assert_eq!(serde_json::to_string(&sv).unwrap(), r#""4901542032375101""#);
        assert_eq!(
            serde_json::from_str::<Imeisv>(r#""4901542032375101""#).unwrap(),
            sv
        );
        assert_eq!(serde_json::to_string(&imei.tac()).unwrap(), r#""49015420""#);
    }
}
