//! MSISDN: a subscriber's phone number, normalised to E.164 (ITU-T E.164).
//!
//! Numbering plans change every year, so the rules are not written here:
//! the `phonenumber` crate (a port of Google's libphonenumber, metadata
//! 9.0.33) parses and validates, and this module only fixes the canonical
//! form `+<country code><national number>`.
//! Operator data writes the same number as `06 12 34 56 78`, `0612345678`,
//! `+33612345678`, `0033612345678` or `33612345678`; all of them normalise to
//! `+33612345678` with the default region `FR`.

use std::fmt;
use std::sync::LazyLock;

use phonenumber::PhoneNumber;
use phonenumber::country::{Id, Source};
use phonenumber::metadata::DATABASE;

use crate::digits::serde_as_string;
use crate::error::{Error, IdKind};

/// An ISO 3166-1 alpha-2 region, the default country for numbers written in
/// national form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region([u8; 2]);

impl Region {
    /// France.
    pub const FR: Region = Region(*b"FR");

    /// Parses a two-letter region code (any case, whitespace trimmed) that
    /// libphonenumber has metadata for.
    pub fn parse(input: &str) -> Result<Region, Error> {
        let trimmed = input.trim();
        let unknown = || Error::UnknownRegion {
            input: trimmed.to_owned(),
        };
        let bytes = trimmed.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(unknown());
        }
        let region = Region([bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()]);
        if region.id().is_none() || DATABASE.by_id(region.as_str()).is_none() {
            return Err(unknown());
        }
        Ok(region)
    }

    /// The two upper-case letters.
    pub fn as_str(&self) -> &str {
        // Built from ASCII letters only.
        std::str::from_utf8(&self.0).expect("region codes are ASCII")
    }

    fn id(self) -> Option<Id> {
        self.as_str().parse().ok()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Region {
    type Err = Error;

    fn from_str(s: &str) -> Result<Region, Error> {
        Region::parse(s)
    }
}

/// A valid phone number in E.164 form.
///
/// Stored as the E.164 digits (at most 15, and never with a leading zero,
/// since no country code starts with 0, so a `u64` holds them losslessly)
/// and the length of the country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Msisdn {
    e164: u64,
    cc_digits: u8,
}

/// E.164 caps a number at 15 digits, country code included.
const E164_MAX_DIGITS: usize = 15;

impl Msisdn {
    /// Parses a phone number in any form libphonenumber reads, numbers in
    /// national form being read as numbers of `default_region`, and keeps it
    /// only if libphonenumber says it is valid (right length, allocated
    /// range).
    ///
    /// Letters are rejected: libphonenumber would read them as keypad
    /// letters (`1-800-FLOWERS`) or drop them, and in operator data either
    /// would silently turn a corrupted value into somebody's number.
    pub fn parse(input: &str, default_region: Region) -> Result<Msisdn, Error> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Error::Empty {
                kind: IdKind::Msisdn,
            });
        }
        if let Some((i, found)) = input.chars().enumerate().find(|(_, c)| c.is_alphabetic()) {
            return Err(Error::NotADigit {
                kind: IdKind::Msisdn,
                input: input.to_owned(),
                found,
                position: i + 1,
            });
        }
        let number = read(input, default_region).map_err(|source| Error::NotAPhoneNumber {
            input: input.to_owned(),
            source,
        })?;
        let cc = number.code().value();
        // `NationalNumber`'s Display keeps the leading zeros that belong to
        // the number (Italian fixed lines), which E.164 keeps too.
        let digits = format!("{cc}{}", number.national());
        let invalid = || Error::InvalidPhoneNumber {
            input: input.to_owned(),
            e164: format!("+{digits}"),
            region: default_region,
        };
        if !number.is_valid() || digits.len() > E164_MAX_DIGITS {
            return Err(invalid());
        }
        let e164 = digits.parse().map_err(|_| invalid())?;
        Ok(Msisdn {
            e164,
            // A country code has 1 to 3 digits.
            cc_digits: cc.to_string().len() as u8,
        })
    }

    /// Parses the E.164 form only: a leading `+` is required, so that no
    /// default region is involved.
    pub fn parse_e164(input: &str) -> Result<Msisdn, Error> {
        let trimmed = input.trim();
        if !trimmed.starts_with('+') {
            return Err(Error::MissingPlus {
                input: trimmed.to_owned(),
            });
        }
        // With a `+` the region is never consulted.
        Msisdn::parse(trimmed, Region::FR)
    }

    /// The country calling code, e.g. 33.
    pub fn country_code(self) -> u16 {
        // At most 3 digits.
        (self.e164 / self.national_divisor()) as u16
    }

    /// The national significant number as a number, e.g. 612345678.
    ///
    /// Leading zeros that belong to the number (Italian fixed lines) are not
    /// visible in a `u64`; [`Msisdn::e164`] keeps them.
    pub fn national_number(self) -> u64 {
        self.e164 % self.national_divisor()
    }

    /// The E.164 form, `+` and digits: `+33612345678`.
    pub fn e164(self) -> String {
        self.to_string()
    }

    /// The E.164 digits as a number, for [`Msisdn::key`].
    pub(crate) fn digits(self) -> u64 {
        self.e164
    }

    fn national_divisor(self) -> u64 {
        let len = self.e164.to_string().len();
        10u64.pow((len - usize::from(self.cc_digits)) as u32)
    }
}

/// A region without national prefix: reading a `+` number with it as the
/// default strips no prefix (see `read`).
static NO_PREFIX_REGION: LazyLock<Option<Id>> = LazyLock::new(|| {
    DATABASE
        .iter()
        .filter(|m| m.national_prefix().is_none() && m.national_prefix_for_parsing().is_none())
        .filter_map(|m| m.id().parse::<Id>().ok())
        .min_by(|a, b| a.as_ref().cmp(b.as_ref()))
});

/// libphonenumber's `parse`, steered around three bugs of the Rust port
/// (`phonenumber` 0.3.10) so that it gives what libphonenumber gives; the
/// cross-check against Python `phonenumbers` (tests/phonenumbers_crosscheck.rs)
/// fails if these become wrong.
fn read(input: &str, region: Region) -> Result<PhoneNumber, phonenumber::ParseError> {
    // The port strips the national prefix of the *default* region, not of
    // the dialled country, so with region FR `+39 06…` loses the Italian
    // leading zero and `+7 8…` keeps the Russian trunk `8`.
    // With a `+` the default region has no other role, and without one the
    // port picks the metadata of the number's own country.
    if input.starts_with('+') {
        let own = phonenumber::parse(None, input)?;
        // The port also strips a national prefix when the digits without it
        // are not a number, where libphonenumber keeps them: `+7 812…` (Saint
        // Petersburg) loses its area code's `8`, the Russian trunk prefix.
        // A reading that strips nothing settles it.
        if !own.is_valid()
            && let Some(plain) =
                NO_PREFIX_REGION.and_then(|id| phonenumber::parse(Some(id), input).ok())
            && plain.is_valid()
        {
            return Ok(plain);
        }
        return Ok(own);
    }
    let first = phonenumber::parse(region.id(), input)?;
    let code = first.code().value();
    let region_meta = DATABASE.by_id(region.as_str());
    match first.code().source() {
        // Same bug after an international prefix (`00 39 06…`): read again
        // with a region of the dialled country, whose prefix rules then
        // apply, and keep that reading if it finds the same country (it may
        // not when that country dials abroad with another prefix).
        Source::Idd if region_meta.is_some_and(|m| m.country_code() != code) => {
            let other = DATABASE
                .region(&code)
                .and_then(|ids| ids.first().and_then(|id| id.parse::<Id>().ok()));
            let second = other.and_then(|id| phonenumber::parse(Some(id), input).ok());
            if let Some(second) = second
                && second.code().value() == code
                && second.code().source() == Source::Idd
            {
                return Ok(second);
            }
        }
        // Digits that start with the region's country code without a `+`
        // (`336929981`): the port always strips the code, while
        // libphonenumber keeps the digits as a national number when what is
        // left after the code is not a number (here `03 36 92 99 81`).
        Source::Number if !first.is_valid() => {
            let prefix = region_meta.and_then(|m| m.national_prefix());
            let second =
                prefix.and_then(|p| phonenumber::parse(region.id(), format!("{p}{input}")).ok());
            if let Some(second) = second
                && second.is_valid()
            {
                return Ok(second);
            }
        }
        _ => {}
    }
    Ok(first)
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.e164)
    }
}

impl std::str::FromStr for Msisdn {
    type Err = Error;

    /// Same as [`Msisdn::parse_e164`]: `FromStr` has no region to offer.
    fn from_str(s: &str) -> Result<Msisdn, Error> {
        Msisdn::parse_e164(s)
    }
}

serde_as_string!(Msisdn, Msisdn::parse_e164);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        check_in(Region::FR, input, expected);
    }

    fn check_in(region: Region, input: &str, expected: &str) {
        let got = match Msisdn::parse(input, region) {
            Ok(m) => m.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "input {input:?} in {region}");
    }

    #[test]
    fn french_forms() {
        for input in [
            "06 12 34 56 78",
            "0612345678",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "+33 6 12 34 56 78",
            "+33612345678",
            "+33 (0)6 12 34 56 78",
            "0033612345678",
            "0033 6 12 34 56 78",
            "33612345678",
            " 0612345678 ",
        ] {
            check(input, "+33612345678");
        }
        check("07 81 23 45 67", "+33781234567");
        check("01 42 68 53 00", "+33142685300");
        check("09 70 12 34 56", "+33970123456");
        check("0800 123 456", "+33800123456");
    }

    #[test]
    fn other_countries() {
        check("+44 7400 123456", "+447400123456");
        check("+49 1512 3456789", "+4915123456789");
        check("+1 202 555 0123", "+12025550123");
        check("+39 06 6982 1234", "+390669821234");
        check_in(
            Region::parse("be").unwrap(),
            "0470 12 34 56",
            "+32470123456",
        );
        check_in(
            Region::parse("GB").unwrap(),
            "07400 123456",
            "+447400123456",
        );
    }

    #[test]
    fn errors() {
        let inputs = [
            "",
            "hello",
            "06 12 34 5A 78",
            "06 12 34 56",
            "06 12 34 56 78 90",
            "+33 0 12 34 56 78",
            "+999 1234 5678",
        ];
        let out: Vec<String> = inputs
            .iter()
            .map(|i| format!("{i:?} => {}", Msisdn::parse(i, Region::FR).unwrap_err()))
            .collect();
        insta::assert_snapshot!(out.join("\n"));
    }

    /// The port applies the default region's national prefix to foreign
    /// numbers; `read` steers around it.
    #[test]
    fn foreign_national_prefixes() {
        check("+39 06 6982 1234", "+390669821234");
        check("0039 06 6982 1234", "+390669821234");
        check("+39 312 345 6789", "+393123456789");
        check("+7 8 982 379 70 12", "+79823797012");
        check("+7 982 379 70 12", "+79823797012");
        check("+7 812 123 45 67", "+78121234567");
        // Country code of the region without `+`, then a French number.
        check("336929981", "+33336929981");
        check("33 6 12 34 56 78", "+33612345678");
    }

    #[test]
    fn parts() {
        let m = Msisdn::parse("06 12 34 56 78", Region::FR).unwrap();
        assert_eq!(m.country_code(), 33);
        assert_eq!(m.national_number(), 612_345_678);
        assert_eq!(m.e164(), "+33612345678");
        let us = Msisdn::parse_e164("+1 202 555 0123").unwrap();
        assert_eq!(
            (us.country_code(), us.national_number()),
            (1, 2_025_550_123)
        );
        let it = Msisdn::parse_e164("+39 06 6982 1234").unwrap();
        assert_eq!((it.country_code(), it.national_number()), (39, 669_821_234));
        assert_eq!(it.e164(), "+390669821234");
        let ma = Msisdn::parse_e164("+212 6 12 34 56 78").unwrap();
        assert_eq!(
            (ma.country_code(), ma.national_number()),
            (212, 612_345_678)
        );
    }

    #[test]
    fn regions() {
        assert_eq!(Region::parse(" fr ").unwrap(), Region::FR);
        assert_eq!(Region::FR.to_string(), "FR");
        for bad in ["", "F", "FRA", "XX", "1A", "ÉÉ"] {
            let err = Region::parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("region `"), "{err}");
        }
    }

    #[test]
    fn serde_requires_e164() {
        let m = Msisdn::parse("0612345678", Region::FR).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#""+33612345678""#);
        assert_eq!(
            serde_json::from_str::<Msisdn>(r#""+33612345678""#).unwrap(),
            m
        );
        let err = serde_json::from_str::<Msisdn>(r#""0612345678""#).unwrap_err();
        assert!(err.to_string().contains("leading `+`"), "{err}");
        assert_eq!("+33612345678".parse::<Msisdn>().unwrap(), m);
    }
}
