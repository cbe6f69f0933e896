//! Telecom identifiers for cellsweep: parse, validate, normalise, display and
//! (de)serialise the values that operator data is made of.
//!
//! | type | what | canonical form |
//! | --- | --- | --- |
//! | [`Imei`] | handset (TAC and serial) | 14 digits, `49015420323751` |
//! | [`Imeisv`] | handset and software version | 16 digits |
//! | [`Tac`] | handset model | 8 digits |
//! | [`Imsi`] | SIM | 14 or 15 digits |
//! | [`Plmn`] ([`Mcc`], [`Mnc`]) | network | `208-01` |
//! | [`Msisdn`] | phone number | E.164, `+33612345678` |
//! | [`CellId`] | CGI, SAI, ECGI, NCGI | ETSI TS 103 280, `208-01-0a1b2c3` |
//!
//! Parsers accept the forms found in real files (separators, national phone
//! numbers, hex or decimal cell fields) and reject everything else with an
//! [`Error`] that names the value, the position or field, and what was
//! expected, so ingest can quarantine a row with a reason a person can act
//! on.
//! Nothing is silently repaired: a wrong IMEI check digit is an error, not a
//! fix.
//! `Display` gives the canonical form, the one that serde writes, so the same
//! identifier from two operators compares equal.
//! [`detect`] guesses what an unlabelled value is.
//!
//! **Architecture Invariant:** this crate does no IO and knows no file
//! format; numbering-plan rules come from the `phonenumber` crate, never from
//! hand-written tables.
//!
//! ```
//! use cellsweep_ids::{CellId, CellParseOptions, Imei, Imsi, MncTable, Msisdn, Region};
//!
//! # fn main() -> Result<(), cellsweep_ids::Error> {
//! let imei = Imei::parse("49-015420-323751-8")?;
//! assert_eq!(imei.to_string(), "49015420323751");
//! assert_eq!(imei.tac().to_string(), "49015420");
//! assert_eq!(imei.to_string_with_check_digit(), "490154203237518");
//!
//! let err = Imei::parse("352099001761482").unwrap_err();
//! assert_eq!(err.to_string(), "imei `352099001761482`: wrong check digit `2`, luhn gives `1`");
//!
//! let imsi = Imsi::parse("208011234567890", &MncTable::builtin())?;
//! assert_eq!(imsi.plmn().to_string(), "208-01");
//!
//! let msisdn = Msisdn::parse("06 12 34 56 78", Region::FR)?;
//! assert_eq!(msisdn.to_string(), "+33612345678");
//!
//! let cell = CellId::parse("ECGI: 208 01 A1B2C3", &CellParseOptions::default(), &MncTable::builtin())?;
//! assert_eq!(cell.to_string(), "208-01-0a1b2c3");
//! assert_eq!(cell.enb_id(), Some(0x0a1b2));
//! # Ok(())
//! # }
//! ```

mod cell;
mod cell_parse;
mod detect;
mod digits;
mod error;
mod imei;
mod imsi;
mod key;
mod luhn;
mod msisdn;
mod plmn;

#[cfg(test)]
mod cell_tests;

pub use cell::{CellId, CellKind, CellParseOptions, NumberBase};
pub use detect::{COMMON_REPORTING_BODIES, DetectContext, Identifier, detect, detect_or_explain};
pub use error::{Error, Field, IdKind};
pub use imei::{CheckDigit, Imei, Imeisv, Tac};
pub use imsi::Imsi;
pub use luhn::luhn_check_digit;
pub use msisdn::{Msisdn, Region};
pub use plmn::{Mcc, Mnc, MncTable, Plmn, THREE_DIGIT_MNC_MCCS};
