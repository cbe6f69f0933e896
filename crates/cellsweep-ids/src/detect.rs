//! Guessing what an identifier is when a file does not say: [`detect`].
//!
//! Analysts paste values from anywhere, and some operator columns mix
//! identifiers.
//! [`detect`] returns every interpretation that parses, most likely first,
//! so a caller can take the first or show the choice; [`detect_or_explain`]
//! says why nothing matched.
//!
//! The heuristics, in order:
//! 1. A leading `+` is an MSISDN and nothing else.
//!    A leading `00` (international prefix) puts the MSISDN first, but the
//!    digit interpretations below are still tried, since test IMSIs start
//!    with MCC `001`.
//! 2. A value with letters, a cell prefix or field separators is tried as a
//!    cell id (default [`CellParseOptions`]); it comes first when it parses.
//! 3. 16 digits (group separators allowed) are an IMEISV.
//! 4. 15 digits may be an IMEI (Luhn passes), an IMSI (valid MCC) or an
//!    MSISDN.
//!    The IMEI comes first when the Luhn digit passes and the TAC's reporting
//!    body is one that issues today's TACs ([`COMMON_REPORTING_BODIES`]);
//!    otherwise the IMSI comes first, since one random 15-digit string in
//!    ten passes Luhn.
//!    When the Luhn digit fails but the last digit is `0`, the value may be
//!    an IMEI with the spare digit of network deliveries
//!    ([`CheckDigit::Spare`]); it is listed after the IMSI.
//! 5. 14 digits are an IMEI, then maybe a 14-digit IMSI.
//! 6. Anything without letters is finally tried as an MSISDN in the
//!    context's region (national numbers such as `0612345678`).
//!    Values with letters are not, because libphonenumber would read them as
//!    vanity numbers (`1-800-FLOWERS`) and turn a hex cell id into a phone.

use std::fmt;

use crate::cell::{CellId, CellParseOptions};
use crate::error::{Error, IdKind};
use crate::imei::{CheckDigit, Imei, Imeisv};
use crate::imsi::Imsi;
use crate::msisdn::{Msisdn, Region};
use crate::plmn::MncTable;

/// TAC reporting bodies whose IMEIs make a 15-digit value "probably an IMEI":
/// 01 (PTCRB, USA), 35 (BABT, UK, most GSMA allocations), 49 (BZT, older
/// German approvals), 86 (TAF, China), 99 (GHA, multi-mode devices).
/// MCCs 350-359 (Caribbean) overlap 35; an IMSI there that also passes Luhn
/// is listed after the IMEI.
pub const COMMON_REPORTING_BODIES: &[u8] = &[1, 35, 49, 86, 99];

/// One interpretation of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// A handset identity.
    Imei(Imei),
    /// A handset identity with software version.
    Imeisv(Imeisv),
    /// A SIM identity.
    Imsi(Imsi),
    /// A phone number.
    Msisdn(Msisdn),
    /// A cell.
    Cell(CellId),
}

impl Identifier {
    /// Which kind of identifier this is.
    pub fn kind(&self) -> IdKind {
        match self {
            Identifier::Imei(_) => IdKind::Imei,
            Identifier::Imeisv(_) => IdKind::Imeisv,
            Identifier::Imsi(_) => IdKind::Imsi,
            Identifier::Msisdn(_) => IdKind::Msisdn,
            Identifier::Cell(_) => IdKind::Cell,
        }
    }
}

impl fmt::Display for Identifier {
    /// The kind and the canonical form, e.g. `imei 49015420323751`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identifier::Imei(v) => write!(f, "imei {v}"),
            Identifier::Imeisv(v) => write!(f, "imeisv {v}"),
            Identifier::Imsi(v) => write!(f, "imsi {v}"),
            Identifier::Msisdn(v) => write!(f, "msisdn {v}"),
            Identifier::Cell(v) => write!(f, "cell {v}"),
        }
    }
}

/// What [`detect`] needs to know beyond the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectContext {
    /// MNC lengths for IMSIs and concatenated cell ids.
    pub mnc_table: MncTable,
    /// Default region for phone numbers in national form.
    pub region: Region,
}

impl Default for DetectContext {
    /// The built-in MNC table and France.
    fn default() -> DetectContext {
        DetectContext {
            mnc_table: MncTable::builtin(),
            region: Region::FR,
        }
    }
}

/// Every plausible interpretation of `value`, most likely first; empty when
/// nothing matched (then [`detect_or_explain`] says why).
pub fn detect(value: &str, ctx: &DetectContext) -> Vec<Identifier> {
    detect_or_explain(value, ctx).unwrap_or_default()
}

/// Like [`detect`], but when nothing matches returns
/// [`Error::Unrecognised`] with the reason each plausible interpretation
/// failed.
pub fn detect_or_explain(value: &str, ctx: &DetectContext) -> Result<Vec<Identifier>, Error> {
    let input = value.trim();
    if input.is_empty() {
        return finish(input, Vec::new(), Vec::new());
    }
    let mut found = Vec::new();
    let mut attempts = Vec::new();
    let mut record = |result: Result<Identifier, Error>, found: &mut Vec<Identifier>| match result {
        Ok(id) if !found.contains(&id) => found.push(id),
        Ok(_) => {}
        Err(e) => attempts.push(e),
    };
    let msisdn = || Msisdn::parse(input, ctx.region).map(Identifier::Msisdn);

    if input.starts_with('+') {
        record(msisdn(), &mut found);
        return finish(input, found, attempts);
    }
    let has_letters = input.chars().any(char::is_alphabetic);
    if input.starts_with("00") && !has_letters {
        record(msisdn(), &mut found);
    }

    let plain_digits = input.bytes().all(|b| b.is_ascii_digit());
    if !plain_digits {
        let cell = CellId::parse(input, &CellParseOptions::default(), &ctx.mnc_table);
        // A value that is only digit groups, like a printed IMEI, is not
        // worth explaining as a cell.
        let cell_shaped = has_letters || input.split(is_separator).count() <= 5;
        if cell.is_ok() || cell_shaped {
            record(cell.map(Identifier::Cell), &mut found);
        }
    }

    // Digits, possibly in groups: the equipment and subscriber identities.
    let digit_count = digit_groups(input);
    let imsi = || Imsi::parse(input, &ctx.mnc_table).map(Identifier::Imsi);
    match digit_count {
        Some(16) => record(Imeisv::parse(input).map(Identifier::Imeisv), &mut found),
        Some(15) => match Imei::parse(input) {
            Ok(imei) if COMMON_REPORTING_BODIES.contains(&imei.tac().reporting_body()) => {
                record(Ok(Identifier::Imei(imei)), &mut found);
                record(imsi(), &mut found);
            }
            Ok(imei) => {
                record(imsi(), &mut found);
                record(Ok(Identifier::Imei(imei)), &mut found);
            }
            Err(luhn) => {
                record(imsi(), &mut found);
                match Imei::parse_with(input, CheckDigit::Spare) {
                    Ok(imei) => record(Ok(Identifier::Imei(imei)), &mut found),
                    // The Luhn failure is the more useful explanation.
                    Err(_) => record(Err(luhn), &mut found),
                }
            }
        },
        Some(14) => {
            record(Imei::parse(input).map(Identifier::Imei), &mut found);
            record(imsi(), &mut found);
        }
        // Near misses: explain them as the identifier they nearly are.
        Some(12 | 13 | 17) => {
            record(Imei::parse(input).map(Identifier::Imei), &mut found);
            if plain_digits {
                record(imsi(), &mut found);
            }
        }
        _ => {}
    }

    if !has_letters && !input.starts_with("00") {
        record(msisdn(), &mut found);
    }
    finish(input, found, attempts)
}

fn finish(
    input: &str,
    found: Vec<Identifier>,
    attempts: Vec<Error>,
) -> Result<Vec<Identifier>, Error> {
    if found.is_empty() {
        Err(Error::Unrecognised {
            input: input.to_owned(),
            attempts,
        })
    } else {
        Ok(found)
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '/' | ':' | '.' | '_')
}

/// The number of digits when `input` is only digits and group separators.
fn digit_groups(input: &str) -> Option<usize> {
    let only_digits_and_groups = input
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '/' | '.'));
    only_digits_and_groups.then(|| input.bytes().filter(u8::is_ascii_digit).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders every interpretation, most likely first, or the explanation.
    fn check(input: &str, expected: &str) {
        let got = match detect_or_explain(input, &DetectContext::default()) {
            Ok(ids) => ids
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn phone_numbers() {
        check("+33 6 12 34 56 78", "msisdn +33612345678");
        check("0612345678", "msisdn +33612345678");
        check("06 12 34 56 78", "msisdn +33612345678");
        check("0033612345678", "msisdn +33612345678");
        check("33612345678", "msisdn +33612345678");
    }

    #[test]
    fn equipment() {
        // MCC 490 is in the geographic range, so the IMSI reading stays.
        check(
            "490154203237518",
            "imei 49015420323751, imsi 490154203237518",
        );
        check("35-209900-176148-1", "imei 35209900176148");
        check(
            "352099001761481",
            "imei 35209900176148, imsi 352099001761481",
        );
        check("3520990017614823", "imeisv 3520990017614823");
        check("35209900176148", "imei 35209900176148, imsi 35209900176148");
        // Spare digit: only an IMEI after the IMSI reading.
        check(
            "352099001761480",
            "imsi 352099001761480, imei 35209900176148",
        );
        check("862099001761480", "imei 86209900176148");
    }

    #[test]
    fn subscribers() {
        // Luhn fails: an IMSI only.
        check("208011234567891", "imsi 208011234567891");
        // Luhn fails but the last digit may be a spare digit.
        check(
            "208011234567890",
            "imsi 208011234567890, imei 20801123456789",
        );
        // Luhn passes but 20 issues no TACs: the IMSI first.
        check(
            "208011234567896",
            "imsi 208011234567896, imei 20801123456789",
        );
    }

    #[test]
    fn cells() {
        check("208-01-1a2b-3c4d", "cell 208-01-1a2b-3c4d");
        check("ecgi:208-01-0a1b2c3", "cell 208-01-0a1b2c3");
        check("sai:208-01-1a2b-3c4d", "cell sai:208-01-1a2b-3c4d");
        check("208 01 4660 33", "cell 208-01-1234-0021");
        check("ECGI 208010a1b2c3", "cell 208-01-0a1b2c3");
    }

    #[test]
    fn explanations() {
        let inputs = [
            "",
            "hello",
            "+33 6 12",
            "3520990017614",
            "862099001761482",
            "208-01-0000-3c4d",
            "208-01-1a2b-3c4d-5",
            "0x1234",
        ];
        let out: Vec<String> = inputs
            .iter()
            .map(|i| {
                format!(
                    "{i:?} => {}",
                    detect_or_explain(i, &DetectContext::default()).unwrap_err()
                )
            })
            .collect();
        insta::assert_snapshot!(out.join("\n"));
        assert!(detect("hello", &DetectContext::default()).is_empty());
    }
}
