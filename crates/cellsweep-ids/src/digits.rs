//! Shared scanning helpers: digit strings with optional group separators, and
//! the serde glue that makes every identifier travel as its canonical string.

use crate::error::{Error, IdKind};

/// Separators accepted between digit groups of an IMEI or IMEISV, as printed
/// on boxes and in spreadsheets: `35-209900-176148-1`, `35 209900 176148 1`.
pub(crate) const GROUP_SEPARATORS: &[char] = &[' ', '-', '/', '.'];

/// Returns the digit values of `input` (already trimmed).
///
/// A separator from `separators` is accepted only between two digits, so
/// that `-3520…` or `35--20…` are reported rather than quietly repaired.
/// Any other character is reported with its 1-based position.
pub(crate) fn scan_digits(
    kind: IdKind,
    input: &str,
    separators: &[char],
) -> Result<Vec<u8>, Error> {
    if input.is_empty() {
        return Err(Error::Empty { kind });
    }
    let chars: Vec<char> = input.chars().collect();
    let mut digits = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if let Some(d) = c.to_digit(10) {
            // `to_digit(10)` is below 10, so the value fits in a u8.
            digits.push(d as u8);
        } else if separators.contains(&c) {
            let after_digit = i > 0 && chars[i - 1].is_ascii_digit();
            let before_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if !(after_digit && before_digit) {
                return Err(Error::MisplacedSeparator {
                    kind,
                    input: input.to_owned(),
                    found: c,
                    position: i + 1,
                });
            }
        } else {
            return Err(Error::NotADigit {
                kind,
                input: input.to_owned(),
                found: c,
                position: i + 1,
            });
        }
    }
    Ok(digits)
}

/// Folds digit values into a number; callers bound the length so it fits.
pub(crate) fn to_u64(digits: &[u8]) -> u64 {
    digits.iter().fold(0, |n, &d| n * 10 + u64::from(d))
}

/// Implements `Serialize` as the `Display` string and `Deserialize` through
/// the given parse function, so JSON, CSV and Parquet exports all carry the
/// canonical form and a reader gets the same validation as a user.
macro_rules! serde_as_string {
    ($ty:ty, $parse:expr) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(deserializer)?;
                let parse: fn(&str) -> Result<$ty, crate::Error> = $parse;
                parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_as_string;
