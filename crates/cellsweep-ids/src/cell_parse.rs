//! Reading cell identifiers as operators write them: [`CellId::parse`].
//!
//! ```text
//!  "ECGI: 208 01 10101" ──split──▶ prefix "ECGI" │ "208" "01" "10101"
//!                                  kind            mcc   mnc   eci (decimal: 5 wide, no hex letter)
//!  "ecgi:208010a1b2c3"  ──split──▶ prefix "ecgi" │ "208010a1b2c3" (concatenated: 3 + 2 + 7 hex)
//! ```

use crate::cell::{CellId, CellKind, CellParseOptions, NumberBase, check_bits, check_lac};
use crate::error::{Error, Field, IdKind};
use crate::plmn::{Mcc, MncTable, Plmn};

/// Separators that delimit exactly one field boundary; whitespace runs are
/// also separators and may surround them.
const HARD_SEPARATORS: &[char] = &['-', '/', ':', '.', '_'];
/// TS 103 280 widths in hex digits.
const LAC_WIDTH: usize = 4;
const ECI_WIDTH: usize = 7;
const NCI_WIDTH: usize = 9;

impl CellId {
    /// Parses a cell identifier in the many forms operator data uses.
    ///
    /// - Fields are separated by `-`, `/`, `:`, `.`, `_` or whitespace:
    ///   `mcc mnc lac ci` (4 fields) is a CGI, or an SAI with the `sai`
    ///   kind; `mcc mnc value` (3 fields) is an ECGI or NCGI.
    /// - An optional leading `cgi`, `sai`, `ecgi` or `ncgi` (any case, then a
    ///   separator, usually `:`) sets the kind; `options.kind` must agree.
    /// - Numeric fields are read as [`NumberBase`] says; with
    ///   [`NumberBase::Auto`] a field is hex when it has a hex letter or a
    ///   `0x` prefix or exactly the TS 103 280 width (4 for LAC, CI and SAC, 7
    ///   for ECI, 9 for NCI), and decimal otherwise.
    /// - Without a kind, 3 fields are an ECGI when the value fits in 28 bits
    ///   and is not written as 9 hex digits, else an NCGI (up to 36 bits).
    /// - A value without separators (`208011a2b3c4d`) is the TS 103 280 form
    ///   run together and needs a kind.
    ///   Its length says whether the MNC has 2 or 3 digits, since the hex part
    ///   has a fixed width; with [`NumberBase::Decimal`] (ECGI and NCGI only)
    ///   the `table` decides.
    ///
    /// LAC `0000` and `fffe` are reserved (TS 23.003 §4.1); CI and SAC are 16
    /// bits, ECI 28, NCI 36.
    /// Canonical strings (the `Display` form) parse back to the same value
    /// with default options.
    pub fn parse(
        input: &str,
        options: &CellParseOptions,
        table: &MncTable,
    ) -> Result<CellId, Error> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Error::Empty { kind: IdKind::Cell });
        }
        let mut fields = split_fields(input)?;
        let mut kind = options.kind;
        // An MCC never starts with a letter, so a leading word is a prefix.
        if fields[0].starts_with(|c: char| c.is_alphabetic()) {
            let prefix = fields.remove(0);
            let found: CellKind = prefix.parse().map_err(|_| Error::UnknownCellKind {
                input: input.to_owned(),
                found: prefix.to_owned(),
            })?;
            if let Some(expected) = options.kind
                && expected != found
            {
                return Err(Error::ConflictingCellKind {
                    input: input.to_owned(),
                    found,
                    expected,
                });
            }
            kind = Some(found);
        }
        let parser = Parser {
            input,
            base: options.base,
        };
        match *fields.as_slice() {
            [one] => match kind {
                Some(kind) => parser.concatenated(one, kind, table),
                None => Err(Error::MissingCellKind {
                    input: input.to_owned(),
                }),
            },
            [mcc, mnc, value] => parser.three(mcc, mnc, value, kind),
            [mcc, mnc, lac, id] => parser.four(mcc, mnc, lac, id, kind),
            _ => Err(Error::WrongFieldCount {
                input: input.to_owned(),
                found: fields.len(),
                expected: "3 (mcc, mnc, eci or nci) or 4 (mcc, mnc, lac, ci or sac)",
            }),
        }
    }
}

/// Splits on separators: a run of whitespace with at most one hard separator
/// is one boundary; a second hard separator, or one at either end, would
/// leave an empty field and is reported.
fn split_fields(input: &str) -> Result<Vec<&str>, Error> {
    let mut fields = Vec::new();
    let mut start = None;
    let mut hard: Option<char> = None;
    let empty_field = |separator, position| Error::EmptyField {
        input: input.to_owned(),
        separator,
        position,
    };
    for (position, (i, c)) in input.char_indices().enumerate() {
        let hard_separator = HARD_SEPARATORS.contains(&c);
        if hard_separator || c.is_whitespace() {
            if let Some(s) = start.take() {
                fields.push(&input[s..i]);
                hard = None;
            }
            if hard_separator {
                if hard.is_some() || fields.is_empty() {
                    return Err(empty_field(c, position + 1));
                }
                hard = Some(c);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    match start {
        Some(s) => fields.push(&input[s..]),
        // The input is trimmed, so it ends with a hard separator.
        None => {
            let last = input.chars().last().unwrap_or('-');
            return Err(empty_field(last, input.chars().count()));
        }
    }
    Ok(fields)
}

/// A numeric field as read.
struct Number {
    value: u64,
    /// Read as hex.
    hex: bool,
    /// Digits, without a `0x` prefix.
    width: usize,
}

struct Parser<'a> {
    input: &'a str,
    base: NumberBase,
}

impl Parser<'_> {
    fn plmn(&self, mcc: &str, mnc: &str) -> Result<Plmn, Error> {
        Plmn::from_parts(IdKind::Cell, self.input, mcc, mnc)
    }

    /// Reads `text` as the base says; `hex_widths` are the widths that make a
    /// field hex under [`NumberBase::Auto`].
    /// Only a value too large for a u64 is rejected here (as wider than
    /// `max_bits`); callers check the real range.
    fn number(
        &self,
        field: Field,
        text: &str,
        hex_widths: &[usize],
        max_bits: u8,
    ) -> Result<Number, Error> {
        let unprefixed = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
        let (digits, hex) = match (self.base, unprefixed) {
            (NumberBase::Decimal, _) => (text, false),
            (NumberBase::Hex, _) => (unprefixed.unwrap_or(text), true),
            (NumberBase::Auto, Some(digits)) => (digits, true),
            (NumberBase::Auto, None) => {
                let hex_letter = text.bytes().any(|b| matches!(b, b'a'..=b'f' | b'A'..=b'F'));
                (text, hex_letter || hex_widths.contains(&text.len()))
            }
        };
        let radix = if hex { 16 } else { 10 };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return Err(Error::InvalidNumber {
                input: self.input.to_owned(),
                field,
                value: text.to_owned(),
                base: match self.base {
                    NumberBase::Auto => "hexadecimal or decimal",
                    NumberBase::Hex => "hexadecimal",
                    NumberBase::Decimal => "decimal",
                },
            });
        }
        let value = u64::from_str_radix(digits, radix).map_err(|_| Error::OutOfRange {
            input: self.input.to_owned(),
            field,
            value: text.to_owned(),
            max_bits,
        })?;
        Ok(Number {
            value,
            hex,
            width: digits.len(),
        })
    }

    /// Under [`NumberBase::Auto`], decides one base for fields written together: hex when any
    /// field has a hex letter or a `0x` prefix, or when every field has the TS 103 280 width;
    /// decimal otherwise.
    fn one_base(&self, fields: &[&str], hex_width: usize) -> Parser<'_> {
        let base = match self.base {
            NumberBase::Auto => {
                let marked = |f: &&str| {
                    f.starts_with("0x")
                        || f.starts_with("0X")
                        || f.bytes().any(|b| matches!(b, b'a'..=b'f' | b'A'..=b'F'))
                };
                if fields.iter().any(marked) || fields.iter().all(|f| f.len() == hex_width) {
                    NumberBase::Hex
                } else {
                    NumberBase::Decimal
                }
            }
            fixed => fixed,
        };
        Parser {
            input: self.input,
            base,
        }
    }

    /// A field of at most `max_bits` bits.
    fn bounded(
        &self,
        field: Field,
        text: &str,
        hex_width: usize,
        max_bits: u8,
    ) -> Result<u64, Error> {
        let number = self.number(field, text, &[hex_width], max_bits)?;
        check_bits(self.input, field, number.value, max_bits, || {
            text.to_owned()
        })?;
        Ok(number.value)
    }

    /// A 16-bit field.
    fn u16(&self, field: Field, text: &str) -> Result<u16, Error> {
        let value = self.bounded(field, text, LAC_WIDTH, 16)?;
        // `bounded` checked 16 bits.
        Ok(value as u16)
    }

    fn lac(&self, text: &str) -> Result<u16, Error> {
        let lac = self.u16(Field::Lac, text)?;
        check_lac(self.input, lac).map_err(|_| Error::ReservedLac {
            input: self.input.to_owned(),
            value: text.to_owned(),
        })?;
        Ok(lac)
    }

    fn four(
        &self,
        mcc: &str,
        mnc: &str,
        lac: &str,
        id: &str,
        kind: Option<CellKind>,
    ) -> Result<CellId, Error> {
        let kind = kind.unwrap_or(CellKind::Cgi);
        if matches!(kind, CellKind::Ecgi | CellKind::Ncgi) {
            return Err(self.wrong_count(4, kind));
        }
        let plmn = self.plmn(mcc, mnc)?;
        // LAC and CI are written in one base: `1000-10001` is two decimals, not hex then decimal.
        let this = self.one_base(&[lac, id], LAC_WIDTH);
        let lac = this.lac(lac)?;
        Ok(match kind {
            CellKind::Sai => CellId::Sai {
                plmn,
                lac,
                sac: this.u16(Field::Sac, id)?,
            },
            _ => CellId::Cgi {
                plmn,
                lac,
                ci: this.u16(Field::Ci, id)?,
            },
        })
    }

    fn three(
        &self,
        mcc: &str,
        mnc: &str,
        value: &str,
        kind: Option<CellKind>,
    ) -> Result<CellId, Error> {
        let plmn = self.plmn(mcc, mnc)?;
        match kind {
            Some(kind @ (CellKind::Cgi | CellKind::Sai)) => Err(self.wrong_count(3, kind)),
            Some(CellKind::Ecgi) => self.ecgi(plmn, value),
            Some(CellKind::Ncgi) => self.ncgi(plmn, value),
            None => {
                // Read once with both widths counting as hex, then decide.
                // A value too large for any cell is reported as an NCI, the
                // widest kind.
                let number = self
                    .number(Field::Eci, value, &[ECI_WIDTH, NCI_WIDTH], 36)
                    .map_err(|e| match e {
                        Error::OutOfRange {
                            input,
                            value,
                            max_bits,
                            ..
                        } => Error::OutOfRange {
                            input,
                            field: Field::Nci,
                            value,
                            max_bits,
                        },
                        other => other,
                    })?;
                let nine_hex = number.hex && number.width == NCI_WIDTH;
                if !nine_hex && number.value >> 28 == 0 {
                    // Fits in 28 bits.
                    Ok(CellId::Ecgi {
                        plmn,
                        eci: number.value as u32,
                    })
                } else {
                    check_bits(self.input, Field::Nci, number.value, 36, || {
                        value.to_owned()
                    })?;
                    Ok(CellId::Ncgi {
                        plmn,
                        nci: number.value,
                    })
                }
            }
        }
    }

    fn ecgi(&self, plmn: Plmn, text: &str) -> Result<CellId, Error> {
        let eci = self.bounded(Field::Eci, text, ECI_WIDTH, 28)?;
        // `bounded` checked 28 bits.
        Ok(CellId::Ecgi {
            plmn,
            eci: eci as u32,
        })
    }

    fn ncgi(&self, plmn: Plmn, text: &str) -> Result<CellId, Error> {
        let nci = self.bounded(Field::Nci, text, NCI_WIDTH, 36)?;
        Ok(CellId::Ncgi { plmn, nci })
    }

    fn wrong_count(&self, found: usize, kind: CellKind) -> Error {
        Error::WrongFieldCount {
            input: self.input.to_owned(),
            found,
            expected: match kind {
                CellKind::Cgi | CellKind::Sai => "4 for a cgi or sai (mcc, mnc, lac, ci or sac)",
                CellKind::Ecgi | CellKind::Ncgi => "3 for an ecgi or ncgi (mcc, mnc, eci or nci)",
            },
        }
    }

    /// The TS 103 280 form without separators, e.g. `208011a2b3c4d`.
    fn concatenated(&self, text: &str, kind: CellKind, table: &MncTable) -> Result<CellId, Error> {
        if let Some((position, found)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
            // `text` is a slice of the input: count the characters before it
            // so the position is in the value the user sees.
            let offset = text.as_ptr() as usize - self.input.as_ptr() as usize;
            let before = self.input[..offset].chars().count();
            return Err(Error::NotADigit {
                kind: IdKind::Cell,
                input: self.input.to_owned(),
                found,
                position: before + position + 1,
            });
        }
        // All ASCII from here, so byte offsets are character offsets.
        let mcc_text = text.get(..3).unwrap_or(text);
        let mcc = mcc_text
            .parse()
            .ok()
            .filter(|_| mcc_text.len() == 3 && mcc_text.bytes().all(|b| b.is_ascii_digit()))
            .and_then(Mcc::from_u16)
            .ok_or_else(|| Error::InvalidMcc {
                kind: IdKind::Cell,
                input: self.input.to_owned(),
                mcc: mcc_text.to_owned(),
            })?;
        let rest = &text[3..];
        if self.base == NumberBase::Decimal {
            if matches!(kind, CellKind::Cgi | CellKind::Sai) {
                return Err(Error::DecimalConcatenated {
                    input: self.input.to_owned(),
                    kind,
                });
            }
            // Decimal has no fixed width: only the table can split the MNC.
            let mnc_len = usize::from(table.mnc_len(mcc, rest));
            let (mnc, value) = rest.split_at(mnc_len.min(rest.len()));
            let plmn = self.plmn(mcc_text, mnc)?;
            return match kind {
                CellKind::Ecgi => self.ecgi(plmn, value),
                _ => self.ncgi(plmn, value),
            };
        }
        let (hex_len, expected) = match kind {
            CellKind::Cgi | CellKind::Sai => (2 * LAC_WIDTH, "13 or 14 (mcc, mnc, 8 hex digits)"),
            CellKind::Ecgi => (ECI_WIDTH, "12 or 13 (mcc, mnc, 7 hex digits)"),
            CellKind::Ncgi => (NCI_WIDTH, "14 or 15 (mcc, mnc, 9 hex digits)"),
        };
        let mnc_len = rest
            .len()
            .checked_sub(hex_len)
            .filter(|n| (2..=3).contains(n));
        let Some(mnc_len) = mnc_len else {
            return Err(Error::WrongConcatenatedLength {
                input: self.input.to_owned(),
                kind,
                found: text.len(),
                expected,
            });
        };
        let (mnc, hex) = rest.split_at(mnc_len);
        let plmn = self.plmn(mcc_text, mnc)?;
        // The fixed-width form is hex whatever the base option says.
        let parser = Parser {
            input: self.input,
            base: NumberBase::Hex,
        };
        match kind {
            CellKind::Cgi | CellKind::Sai => {
                let (lac, id) = hex.split_at(LAC_WIDTH);
                parser.four(mcc_text, mnc, lac, id, Some(kind))
            }
            CellKind::Ecgi => parser.ecgi(plmn, hex),
            CellKind::Ncgi => parser.ncgi(plmn, hex),
        }
    }
}
