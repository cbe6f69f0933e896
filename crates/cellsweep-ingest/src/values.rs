//! Field values shared by every reader: identifiers through a memo (the same IMSI, IMEI,
//! number or cell appears thousands of times in a delivery, and `phonenumber` takes
//! microseconds per number), durations and small integers.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use cellsweep_ids::{CellId, CellParseOptions, Imei, Imsi, MncTable, Msisdn, Region};

use crate::profile::{DurationUnit, IdOptions, MsisdnForm};

/// Entries per memo before it is emptied, which bounds memory on files with millions of
/// distinct identities (tower dumps of busy cells).
const MEMO_CAPACITY: usize = 1 << 20;

/// A memo from raw field bytes to a parsed value; only successes are kept.
///
/// Values of at most 15 bytes (nearly every identifier as written) are keyed by the bytes
/// packed into a `u128`, so a lookup is one integer hash and compare, not a `memcmp`.
#[derive(Debug, Clone)]
pub(crate) struct Memo<T> {
    small: HashMap<u128, T, foldhash::fast::FixedState>,
    map: HashMap<Box<[u8]>, T, foldhash::fast::FixedState>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Self {
            small: HashMap::with_hasher(foldhash::fast::FixedState::default()),
            map: HashMap::with_hasher(foldhash::fast::FixedState::default()),
        }
    }
}

/// The bytes and their length packed into a `u128`, for at most 15 bytes.
#[inline]
pub(crate) fn pack(b: &[u8]) -> Option<u128> {
    if b.len() > 15 {
        return None;
    }
    let mut k = [0u8; 16];
    k[..b.len()].copy_from_slice(b);
    k[15] = b.len() as u8;
    Some(u128::from_le_bytes(k))
}

impl<T: Clone> Memo<T> {
    #[inline]
    pub(crate) fn get(
        &mut self,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, String> {
        let packed = pack(raw.as_bytes());
        let hit = match packed {
            Some(k) => self.small.get(&k),
            None => self.map.get(raw.as_bytes()),
        };
        if let Some(v) = hit {
            return Ok(v.clone());
        }
        let v = parse(raw)?;
        if self.small.len() + self.map.len() >= MEMO_CAPACITY {
            self.small.clear();
            self.map.clear();
        }
        match packed {
            Some(k) => self.small.insert(k, v.clone()),
            None => self.map.insert(raw.as_bytes().into(), v.clone()),
        };
        Ok(v)
    }
}

impl<T: Clone> Memo<T> {
    /// A lookup by packed key ([`pack`]) without inserting.
    #[inline]
    pub(crate) fn peek_packed(&self, key: u128) -> Option<T> {
        self.small.get(&key).cloned()
    }

    /// A lookup without inserting.
    #[inline]
    pub(crate) fn peek(&self, raw: &str) -> Option<T> {
        match pack(raw.as_bytes()) {
            Some(k) => self.peek_packed(k),
            None => self.map.get(raw.as_bytes()).cloned(),
        }
    }
}

/// ASCII digits only: their value and count (at most 19).
#[inline]
fn ascii_digits(b: &[u8]) -> Option<(u64, usize)> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some((v, b.len()))
}

/// Luhn check digit of the first 14 bytes (ASCII digits).
#[inline]
fn luhn14(b: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &c) in b[..14].iter().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    ((10 - sum % 10) % 10) as u8
}

/// A memo of phone numbers shared by the workers: `phonenumber` takes about 9 µs per number
/// and serialises on an internal lock, so each distinct number is parsed once per process, not
/// once per worker and file (a delivery is often hundreds of files of a few MiB that share
/// their subscribers; BENCHMARKS.md, "Ingest").
type SharedNumbers = Arc<RwLock<Memo<Option<u64>>>>;

/// The process's number memos, one per way of reading numbers. A number's reading depends on
/// its text, form and region only, so the memo never goes stale; its size is bounded like any
/// memo's.
fn shared_numbers(form: MsisdnForm, region: Region) -> SharedNumbers {
    static MEMOS: std::sync::LazyLock<
        std::sync::Mutex<HashMap<(MsisdnForm, Region), SharedNumbers>>,
    > = std::sync::LazyLock::new(Default::default);
    let mut memos = MEMOS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    memos.entry((form, region)).or_default().clone()
}

/// Parses identifiers as a profile says, with memos.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    opts: IdOptions,
    region: Region,
    table: MncTable,
    cell_opts: CellParseOptions,
    imei: Memo<u64>,
    imsi: Memo<u64>,
    msisdn: Memo<u64>,
    peer: Memo<Option<u64>>,
    cell: Memo<CellId>,
    numbers: SharedNumbers,
}

impl Ids {
    pub(crate) fn new(opts: &IdOptions, region: Region) -> Ids {
        let region = opts
            .region
            .as_deref()
            .and_then(|r| Region::parse(r).ok())
            .unwrap_or(region);
        Ids {
            opts: opts.clone(),
            region,
            table: MncTable::builtin(),
            cell_opts: CellParseOptions {
                kind: None,
                base: opts.cell_base.number_base(),
            },
            imei: Memo::default(),
            imsi: Memo::default(),
            msisdn: Memo::default(),
            peer: Memo::default(),
            cell: Memo::default(),
            numbers: shared_numbers(opts.msisdn, region),
        }
    }

    /// A number through the shared memo: `Some(key)` for a valid number.
    fn number(
        numbers: &SharedNumbers,
        s: &str,
        form: MsisdnForm,
        region: Region,
    ) -> Result<Option<u64>, cellsweep_ids::Error> {
        if let Some(v) = numbers.read().ok().and_then(|m| m.peek(s)) {
            return Ok(v);
        }
        let r = read_number(s, form, region);
        let v = r.as_ref().ok().copied();
        if let Ok(mut m) = numbers.write() {
            let _ = m.get(s, |_| Ok(v));
        }
        r.map(Some)
    }

    /// `Imei::key` of 14, 15 (check or spare digit, as the profile says) or 16 (IMEISV) digits.
    #[inline]
    pub(crate) fn imei(&mut self, s: &str) -> Result<u64, String> {
        // Fast path for plain digits, exactly as `Imei::parse_with` decides; anything else
        // (separators, errors) goes the full way for its message.
        if let Some((v, n)) = ascii_digits(s.as_bytes()) {
            let b = s.as_bytes();
            match (n, self.opts.imei_check) {
                (14, _) => return Ok(v),
                (15, crate::profile::ImeiCheck::Verify) if luhn14(b) == b[14] - b'0' => {
                    return Ok(v / 10);
                }
                (15, crate::profile::ImeiCheck::Spare) if b[14] == b'0' => return Ok(v / 10),
                (16, _) if v % 100 != 99 => return Ok(v / 100),
                _ => {}
            }
        }
        let check = self.opts.imei_check.check_digit();
        self.imei.get(s, |s| {
            Imei::parse_with(s, check)
                .map(Imei::key)
                .map_err(|e| e.to_string())
        })
    }

    /// `Imsi::key`.
    #[inline]
    pub(crate) fn imsi(&mut self, s: &str) -> Result<u64, String> {
        if let Some((v, n @ (14 | 15))) = ascii_digits(s.as_bytes()) {
            // Division by a constant per length (a multiplication), not by a variable power.
            let mcc = if n == 14 {
                v / 100_000_000_000
            } else {
                v / 1_000_000_000_000
            } as u16;
            if cellsweep_ids::Mcc::from_u16(mcc).is_some() {
                return Ok(if n == 14 {
                    v + 1_000_000_000_000_000
                } else {
                    v
                });
            }
        }
        let table = &self.table;
        self.imsi.get(s, |s| {
            Imsi::parse(s, table)
                .map(Imsi::key)
                .map_err(|e| e.to_string())
        })
    }

    /// `Msisdn::key` of the served party.
    #[inline]
    pub(crate) fn msisdn(&mut self, s: &str) -> Result<u64, String> {
        let (form, region, numbers) = (self.opts.msisdn, self.region, &self.numbers);
        self.msisdn
            .get(s, |s| match Ids::number(numbers, s, form, region) {
                Ok(Some(k)) => Ok(k),
                // Known invalid: parse again for the message (rare).
                Ok(None) => read_number(s, form, region).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            })
    }

    /// What the served-number memo holds for a packed text ([`pack`]), without parsing.
    #[inline]
    pub(crate) fn peek_served(&self, key: u128) -> Option<u64> {
        self.msisdn.peek_packed(key)
    }

    /// What the other-party memo holds for a packed text, without parsing.
    #[inline]
    pub(crate) fn peek_peer(&self, key: u128) -> Option<Option<u64>> {
        self.peer.peek_packed(key)
    }

    /// The other party: `Some(key)` for a valid number, `None` for anything else (short codes,
    /// alphanumeric senders), which the caller keeps as text.
    #[inline]
    pub(crate) fn peer(&mut self, s: &str) -> Option<u64> {
        let (form, region, numbers) = (self.opts.msisdn, self.region, &self.numbers);
        self.peer
            .get(s, |s| {
                Ok(Ids::number(numbers, s, form, region).ok().flatten())
            })
            .unwrap_or(None)
    }

    /// The serving cell.
    #[inline]
    pub(crate) fn cell(&mut self, s: &str) -> Result<CellId, String> {
        let (opts, table) = (&self.cell_opts, &self.table);
        self.cell.get(s, |s| {
            CellId::parse(s, opts, table).map_err(|e| e.to_string())
        })
    }
}

fn read_number(s: &str, form: MsisdnForm, region: Region) -> Result<u64, cellsweep_ids::Error> {
    let s = s.trim();
    let m = match form {
        MsisdnForm::National => Msisdn::parse(s, region)?,
        // International forms; the other party is sometimes written as dialled
        // (`0033 1…`, `01 44…`), which the region reads.
        MsisdnForm::International | MsisdnForm::E164 => {
            if s.starts_with('+') {
                Msisdn::parse_e164(s)?
            } else if s.starts_with('0') {
                Msisdn::parse(s, region)?
            } else {
                Msisdn::parse_e164(&format!("+{s}"))?
            }
        }
    };
    Ok(m.key())
}

/// Parses a duration to whole seconds (rounded half up).
pub(crate) fn duration(s: &str, unit: DurationUnit, decimal_comma: bool) -> Result<u32, String> {
    let t = s.trim();
    let bad = |why: &str| format!("`{t}` is not a duration: {why}");
    let seconds = match unit {
        DurationUnit::Hms => {
            let mut total = 0u64;
            let parts: Vec<&str> = t.split(':').collect();
            if !(2..=3).contains(&parts.len()) {
                return Err(bad("expected h:mm:ss or mm:ss"));
            }
            for (i, p) in parts.iter().enumerate() {
                let v: u64 = p.parse().map_err(|_| bad("expected h:mm:ss or mm:ss"))?;
                if i > 0 && v > 59 {
                    return Err(bad("minutes and seconds must be below 60"));
                }
                total = total * 60 + v;
            }
            total
        }
        DurationUnit::Seconds | DurationUnit::Minutes => {
            let scale = if unit == DurationUnit::Minutes { 60 } else { 1 };
            let (micro_units, _) = decimal_micro(t, decimal_comma).ok_or_else(|| {
                bad(if decimal_comma {
                    "expected a number with a decimal comma"
                } else {
                    "expected a number"
                })
            })?;
            (micro_units * scale + 500_000) / 1_000_000
        }
    };
    u32::try_from(seconds).map_err(|_| bad("too long"))
}

/// A non-negative decimal as millionths, with the number of fraction digits.
fn decimal_micro(t: &str, decimal_comma: bool) -> Option<(u64, usize)> {
    let sep = if decimal_comma { b',' } else { b'.' };
    let b = t.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut int: u64 = 0;
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        int = int.checked_mul(10)?.checked_add(u64::from(b[i] - b'0'))?;
        i += 1;
    }
    let int_digits = i;
    let mut frac: u64 = 0;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == sep {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            if frac_digits < 6 {
                frac = frac * 10 + u64::from(b[i] - b'0');
                frac_digits += 1;
            }
            i += 1;
        }
        if frac_digits == 0 && int_digits == 0 {
            return None;
        }
    }
    if i != b.len() || (int_digits == 0 && frac_digits == 0) {
        return None;
    }
    let micro = int.checked_mul(1_000_000)? + frac * 10u64.pow(6 - frac_digits as u32);
    Some((micro, frac_digits))
}

/// A small non-negative integer (timing advance).
pub(crate) fn small_uint<T: TryFrom<u64>>(s: &str) -> Result<T, String> {
    let t = s.trim();
    if t.is_empty() || t.len() > 10 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{t}` is not a whole number"));
    }
    let v: u64 = t
        .parse()
        .map_err(|_| format!("`{t}` is not a whole number"))?;
    T::try_from(v).map_err(|_| format!("`{t}` is too large"))
}

/// A small value map (record types, directions, radios) with a memo of raw values: most
/// rows hit the memo with one hash lookup.
#[derive(Debug, Clone)]
pub(crate) struct ValueMap<V: Copy> {
    entries: Vec<(String, V)>,
    memo: Memo<Option<V>>,
}

impl<V: Copy> ValueMap<V> {
    pub(crate) fn new(entries: Vec<(String, V)>) -> Self {
        Self {
            entries,
            memo: Memo::default(),
        }
    }

    #[inline]
    pub(crate) fn get(&mut self, raw: &str) -> Option<V> {
        let entries = &self.entries;
        self.memo
            .get(raw, |r| Ok(lookup(entries, r)))
            .unwrap_or(None)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }
}

/// Looks a trimmed value up in a small map: exact first, then ignoring ASCII case.
pub(crate) fn lookup<'a, V: Copy + 'a>(
    map: impl IntoIterator<Item = &'a (String, V)> + Clone,
    value: &str,
) -> Option<V> {
    let v = value.trim();
    map.clone()
        .into_iter()
        .find(|(k, _)| k == v)
        .or_else(|| map.into_iter().find(|(k, _)| k.eq_ignore_ascii_case(v)))
        .map(|(_, x)| *x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{CellBase, ImeiCheck};

    #[test]
    fn durations() {
        assert_eq!(duration("1,5", DurationUnit::Minutes, true), Ok(90));
        assert_eq!(duration("0,25", DurationUnit::Minutes, true), Ok(15));
        assert_eq!(duration("90", DurationUnit::Seconds, false), Ok(90));
        assert_eq!(duration("2.5", DurationUnit::Seconds, false), Ok(3));
        assert_eq!(duration("1:02:03", DurationUnit::Hms, false), Ok(3723));
        assert!(duration("1.5", DurationUnit::Minutes, true).is_err());
        assert!(duration("-3", DurationUnit::Seconds, false).is_err());
        assert!(duration(",", DurationUnit::Minutes, true).is_err());
        assert!(duration("", DurationUnit::Seconds, false).is_err());
    }

    #[test]
    fn identifiers_through_the_memo() {
        let mut ids = Ids::new(
            &IdOptions {
                imei_check: ImeiCheck::Verify,
                msisdn: MsisdnForm::National,
                region: None,
                cell_base: CellBase::Decimal,
            },
            Region::FR,
        );
        for _ in 0..2 {
            assert_eq!(ids.imei("490154203237518"), Ok(49015420323751));
            assert_eq!(ids.msisdn("06 12 34 56 78"), Ok(33612345678));
            assert_eq!(ids.peer("0033 1 44 55 66 77"), Some(33144556677));
            assert_eq!(ids.peer("3179"), None);
            assert_eq!(
                ids.cell("208-01-6699-15437").unwrap().to_string(),
                "208-01-1a2b-3c4d"
            );
        }
        assert!(
            ids.imei("490154203237519")
                .unwrap_err()
                .contains("check digit")
        );
        assert!(ids.imsi("208011234").unwrap_err().contains("208011234"));
        assert!(ids.cell("208-01-ZZZZ").is_err());
    }
}
