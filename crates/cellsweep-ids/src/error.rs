//! The crate's one error type.
//!
//! Every variant is a problem with the input, so the person who supplied the
//! value (an analyst, an operator file, a profile) is the one who must act;
//! the crate has no internal failure modes worth a variant.
//! Variants carry the offending input, where the problem is (position or
//! field) and what was expected, so that ingest can put the reason next to a
//! quarantined row and a user can fix the value without reading code.
//! Messages follow the house format: lowercase, no trailing period, values in
//! backticks.

use std::fmt;

use crate::cell::CellKind;
use crate::msisdn::Region;

/// Which identifier an input was being parsed as: the subject of an error
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// International Mobile Equipment Identity.
    Imei,
    /// IMEI with software version number.
    Imeisv,
    /// Type Allocation Code (first 8 digits of an IMEI).
    Tac,
    /// International Mobile Subscriber Identity.
    Imsi,
    /// Public Land Mobile Network identity (MCC and MNC).
    Plmn,
    /// Mobile Country Code.
    Mcc,
    /// Mobile Network Code.
    Mnc,
    /// E.164 subscriber number.
    Msisdn,
    /// ISO 3166 alpha-2 region.
    Region,
    /// Cell identifier (CGI, SAI, ECGI, NCGI).
    Cell,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Imei => "imei",
            IdKind::Imeisv => "imeisv",
            IdKind::Tac => "tac",
            IdKind::Imsi => "imsi",
            IdKind::Plmn => "plmn",
            IdKind::Mcc => "mcc",
            IdKind::Mnc => "mnc",
            IdKind::Msisdn => "msisdn",
            IdKind::Region => "region",
            IdKind::Cell => "cell",
        })
    }
}

/// A named field of a cell identifier, used to say where a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// Mobile Country Code.
    Mcc,
    /// Mobile Network Code.
    Mnc,
    /// Location Area Code (CGI, SAI).
    Lac,
    /// Cell Identity (CGI).
    Ci,
    /// Service Area Code (SAI).
    Sac,
    /// E-UTRAN Cell Identity, 28 bits (ECGI).
    Eci,
    /// NR Cell Identity, 36 bits (NCGI).
    Nci,
    /// eNodeB identity, the top 20 bits of an ECI.
    EnbId,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Mcc => "mcc",
            Field::Mnc => "mnc",
            Field::Lac => "lac",
            Field::Ci => "ci",
            Field::Sac => "sac",
            Field::Eci => "eci",
            Field::Nci => "nci",
            Field::EnbId => "enb id",
        })
    }
}

/// Everything that can be wrong with an identifier.
///
/// `input` fields hold the value as given, after trimming surrounding
/// whitespace; positions are 1-based character positions in it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is empty or only whitespace.
    #[error("{kind} is empty")]
    Empty {
        /// What was being parsed.
        kind: IdKind,
    },

    /// A character that is neither a digit nor an accepted separator.
    #[error("{kind} `{input}`: character `{found}` at position {position} is not a digit")]
    NotADigit {
        /// What was being parsed.
        kind: IdKind,
        /// The offending value.
        input: String,
        /// The character found.
        found: char,
        /// 1-based character position in `input`.
        position: usize,
    },

    /// A separator at the start or end, or two separators in a row.
    #[error(
        "{kind} `{input}`: separator `{found}` at position {position} is not between two digits"
    )]
    MisplacedSeparator {
        /// What was being parsed.
        kind: IdKind,
        /// The offending value.
        input: String,
        /// The separator found.
        found: char,
        /// 1-based character position in `input`.
        position: usize,
    },

    /// The value has the wrong number of digits.
    #[error("{kind} `{input}`: {found} digits, expected {expected}")]
    WrongLength {
        /// What was being parsed.
        kind: IdKind,
        /// The offending value.
        input: String,
        /// How many digits it has.
        found: usize,
        /// The accepted lengths, in words.
        expected: &'static str,
    },

    /// An IMSI shorter than 14 digits: E.212 has no such IMSI, so the value
    /// was cut (often by a spreadsheet or a fixed-width export).
    #[error(
        "imsi `{input}`: {found} digits, expected 14 or 15 (a shorter value is a truncated imsi)"
    )]
    TruncatedImsi {
        /// The offending value.
        input: String,
        /// How many digits it has.
        found: usize,
    },

    /// A 15-digit IMEI whose last digit is not its Luhn check digit.
    #[error("imei `{input}`: wrong check digit `{found}`, luhn gives `{expected}`")]
    WrongCheckDigit {
        /// The offending value.
        input: String,
        /// The 15th digit as given.
        found: u8,
        /// The Luhn check digit of the first 14 digits.
        expected: u8,
    },

    /// A 15-digit IMEI read with [`crate::CheckDigit::Spare`] whose last digit
    /// is not the spare `0`.
    #[error(
        "imei `{input}`: spare digit `{found}` should be `0` (3gpp ts 23.003 §6.2.1: the check digit is not transmitted)"
    )]
    SpareDigitNotZero {
        /// The offending value.
        input: String,
        /// The 15th digit as given.
        found: u8,
    },

    /// IMEISV with software version number 99, reserved by 3GPP TS 23.003.
    #[error("imeisv `{input}`: software version number `99` is reserved (3gpp ts 23.003 §6.2.2)")]
    ReservedSvn {
        /// The offending value.
        input: String,
    },

    /// A mobile country code outside the ranges ITU-T E.212 allocates.
    #[error(
        "{}mcc `{mcc}` is not a valid mobile country code, expected 3 digits from `200` to `799` (countries), `900` to `999` (international, trial and private networks) or `001` (test)",
        context(*kind, IdKind::Mcc, input)
    )]
    InvalidMcc {
        /// What was being parsed.
        kind: IdKind,
        /// The offending value.
        input: String,
        /// The MCC part.
        mcc: String,
    },

    /// A mobile network code that is not 2 or 3 digits.
    #[error(
        "{}mnc `{mnc}` is not a valid mobile network code, expected 2 or 3 digits",
        context(*kind, IdKind::Mnc, input)
    )]
    InvalidMnc {
        /// What was being parsed.
        kind: IdKind,
        /// The offending value.
        input: String,
        /// The MNC part.
        mnc: String,
    },

    /// libphonenumber could not read a phone number in the input.
    #[error("msisdn `{input}`: not a phone number")]
    NotAPhoneNumber {
        /// The offending value.
        input: String,
        /// libphonenumber's reason.
        #[source]
        source: phonenumber::ParseError,
    },

    /// libphonenumber read a number but its numbering plan has no such
    /// number (wrong length or unallocated range).
    #[error(
        "msisdn `{input}`: `{e164}` is not a valid number (read with default region `{region}`)"
    )]
    InvalidPhoneNumber {
        /// The offending value.
        input: String,
        /// What libphonenumber read, in E.164 form.
        e164: String,
        /// The default region the input was read with.
        region: Region,
    },

    /// An E.164 string without its leading `+` where only E.164 is accepted.
    #[error("msisdn `{input}`: expected e.164 form with a leading `+`")]
    MissingPlus {
        /// The offending value.
        input: String,
    },

    /// A region code that is not an ISO 3166 alpha-2 code libphonenumber knows.
    #[error("region `{input}`: not an iso 3166 alpha-2 code known to libphonenumber")]
    UnknownRegion {
        /// The offending value.
        input: String,
    },

    /// A cell identifier with the wrong number of fields.
    #[error("cell `{input}`: {found} fields, expected {expected}")]
    WrongFieldCount {
        /// The offending value.
        input: String,
        /// How many fields it has.
        found: usize,
        /// The accepted layouts, in words.
        expected: &'static str,
    },

    /// Two separators in a row, or a separator at either end.
    #[error("cell `{input}`: separator `{separator}` at position {position} leaves an empty field")]
    EmptyField {
        /// The offending value.
        input: String,
        /// The separator.
        separator: char,
        /// 1-based character position of the separator.
        position: usize,
    },

    /// A cell prefix that names no cell kind.
    #[error("cell `{input}`: unknown cell kind `{found}`, expected `cgi`, `sai`, `ecgi` or `ncgi`")]
    UnknownCellKind {
        /// The offending value.
        input: String,
        /// The prefix found.
        found: String,
    },

    /// The prefix says one kind and the parse options another.
    #[error("cell `{input}`: prefix `{found}` contradicts the expected kind `{expected}`")]
    ConflictingCellKind {
        /// The offending value.
        input: String,
        /// The kind named by the prefix.
        found: CellKind,
        /// The kind the options asked for.
        expected: CellKind,
    },

    /// A concatenated cell identifier (no separators) without a kind.
    #[error(
        "cell `{input}`: a value without separators needs a kind, from a `cgi:`, `sai:`, `ecgi:` or `ncgi:` prefix or from the parse options"
    )]
    MissingCellKind {
        /// The offending value.
        input: String,
    },

    /// A concatenated cell identifier whose length fits no layout.
    #[error("cell `{input}`: {found} characters, a concatenated {kind} has {expected}")]
    WrongConcatenatedLength {
        /// The offending value.
        input: String,
        /// The kind being parsed.
        kind: CellKind,
        /// How many characters it has.
        found: usize,
        /// The accepted lengths, in words.
        expected: &'static str,
    },

    /// A CGI or SAI without separators read as decimal: unlike hex, decimal
    /// LAC and CI have no fixed width, so the value cannot be split.
    #[error(
        "cell `{input}`: a {kind} without separators must be hex, decimal fields have no fixed width to split on"
    )]
    DecimalConcatenated {
        /// The offending value.
        input: String,
        /// The kind being parsed.
        kind: CellKind,
    },

    /// A cell field that is not a number in the expected base.
    #[error("cell `{input}`: {field} `{value}` is not a {base} number")]
    InvalidNumber {
        /// The offending value.
        input: String,
        /// Which field.
        field: Field,
        /// The field as given.
        value: String,
        /// `hexadecimal` or `decimal`.
        base: &'static str,
    },

    /// A cell field too large for its width.
    #[error("cell `{input}`: {field} `{value}` is out of range, expected at most {max_bits} bits")]
    OutOfRange {
        /// The offending value.
        input: String,
        /// Which field.
        field: Field,
        /// The field as given.
        value: String,
        /// The field's width in bits.
        max_bits: u8,
    },

    /// LAC `0000` or `fffe`, which TS 23.003 §4.1 reserves for "no valid LAI".
    #[error("cell `{input}`: lac `{value}` is reserved (3gpp ts 23.003 §4.1)")]
    ReservedLac {
        /// The offending value.
        input: String,
        /// The field as given.
        value: String,
    },

    /// No interpretation matched; `attempts` says why each one failed.
    #[error("`{input}` is not a recognised identifier: {}", join(attempts))]
    Unrecognised {
        /// The offending value.
        input: String,
        /// One error per interpretation tried, most likely first.
        attempts: Vec<Error>,
    },
}

/// The `kind `input`: ` lead of a message about one part of a value; empty when the value is
/// that part, so that a bare MCC is not named twice.
fn context(kind: IdKind, part: IdKind, input: &str) -> String {
    if kind == part {
        String::new()
    } else {
        format!("{kind} `{input}`: ")
    }
}

fn join(errors: &[Error]) -> String {
    if errors.is_empty() {
        // Only an empty value has nothing to try.
        return "the value is empty".to_owned();
    }
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
