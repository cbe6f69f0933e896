//! The Luhn check digit (ISO/IEC 7812-1 annex B) that closes a 15-digit IMEI.
//!
//! 3GPP TS 23.003 annex B defines the IMEI check digit as the Luhn digit over
//! the 14 digits of TAC and serial number.
//! It is computed by the handset and printed on the box, but never sent over
//! the air, which is why network deliveries carry a spare `0` in its place
//! (see [`crate::CheckDigit::Spare`]).

/// Computes the Luhn check digit of `digits`, each a value in `0..=9`.
///
/// Starting from the rightmost payload digit, every second digit is doubled
/// (and 9 subtracted when the double exceeds 9); the check digit brings the
/// sum to a multiple of 10.
///
/// ```
/// use cellsweep_ids::luhn_check_digit;
///
/// // The IMEI 49-015420-323751-8.
/// assert_eq!(luhn_check_digit(&[4, 9, 0, 1, 5, 4, 2, 0, 3, 2, 3, 7, 5, 1]), 8);
/// ```
///
/// # Panics
///
/// Panics in debug builds when a value is not a decimal digit, which is a bug
/// in the caller rather than bad input.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            debug_assert!(d <= 9, "luhn_check_digit takes digit values, got {d}");
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    // `sum % 10` is below 10, so the result fits in a u8.
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::luhn_check_digit;

    fn check(payload: &str, expected: u8) {
        let digits: Vec<u8> = payload.bytes().map(|b| b - b'0').collect();
        assert_eq!(luhn_check_digit(&digits), expected, "payload {payload}");
    }

    #[test]
    fn known_values() {
        // Well-known IMEI examples and the classic credit-card test number.
        check("49015420323751", 8);
        check("35209900176148", 1);
        check("7992739871", 3);
        check("00000000000000", 0);
        check("", 0);
        check("0", 0);
        check("5", 9);
        check("9", 1);
    }
}
