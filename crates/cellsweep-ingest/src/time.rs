//! Reading event times: a small compiled strftime subset, fast civil-to-epoch arithmetic, and
//! local-time resolution with an explicit policy for the hours that daylight saving removes
//! (spring) or repeats (autumn).
//!
//! ```text
//!  "01/03/2026 23:15:02" ──TimeFormat──▶ Civil{2026-03-01 23:15:02, offset: None}
//!        ──Zone (Europe/Paris, memo per local hour)──▶ Unique(+01:00) ──▶ 2026-03-01T22:15:02Z
//!                                                       Gap          ──▶ quarantine
//!                                                       Fold(+02,+01)──▶ policy
//! ```

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

/// One item of a compiled format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Lit(u8),
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// Optional `.` or `,` then 1 to 9 digits.
    Fraction,
    /// `Z`, `±hh`, `±hhmm` or `±hh:mm`.
    Offset,
}

/// A compiled time format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFormat {
    items: Vec<Item>,
}

/// A date and time as written, validated, with its offset when the text had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year.
    pub year: i16,
    /// Month 1-12.
    pub month: i8,
    /// Day 1-31.
    pub day: i8,
    /// Hour 0-23.
    pub hour: i8,
    /// Minute 0-59.
    pub minute: i8,
    /// Second 0-59.
    pub second: i8,
    /// Microseconds.
    pub micros: i32,
    /// Offset east of UTC in seconds.
    pub offset_s: Option<i32>,
}

impl TimeFormat {
    /// Compiles `%Y %m %d %H %M %S %f %z %%` and literal characters; `%F` is `%Y-%m-%d` and
    /// `%T` is `%H:%M:%S`. `%f` also accepts no fraction at all.
    pub fn compile(format: &str) -> Result<TimeFormat, String> {
        let mut items = Vec::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                if !c.is_ascii() {
                    return Err(format!("non-ASCII literal `{c}`"));
                }
                items.push(Item::Lit(c as u8));
                continue;
            }
            match chars.next() {
                Some('Y') => items.push(Item::Year),
                Some('m') => items.push(Item::Month),
                Some('d') => items.push(Item::Day),
                Some('H') => items.push(Item::Hour),
                Some('M') => items.push(Item::Minute),
                Some('S') => items.push(Item::Second),
                Some('f') => items.push(Item::Fraction),
                Some('z') => items.push(Item::Offset),
                Some('F') => items.extend([
                    Item::Year,
                    Item::Lit(b'-'),
                    Item::Month,
                    Item::Lit(b'-'),
                    Item::Day,
                ]),
                Some('T') => items.extend([
                    Item::Hour,
                    Item::Lit(b':'),
                    Item::Minute,
                    Item::Lit(b':'),
                    Item::Second,
                ]),
                Some('%') => items.push(Item::Lit(b'%')),
                Some(o) => {
                    return Err(format!(
                        "unsupported directive `%{o}` (supported: %Y %m %d %H %M %S %f %z %F %T %%)"
                    ));
                }
                None => return Err("a lone `%` at the end".into()),
            }
        }
        for needed in [Item::Year, Item::Month, Item::Day, Item::Hour, Item::Minute] {
            if !items.contains(&needed) {
                return Err("the format needs at least %Y, %m, %d, %H and %M".into());
            }
        }
        Ok(TimeFormat { items })
    }

    /// Whether the format carries an offset.
    pub fn has_offset(&self) -> bool {
        self.items.contains(&Item::Offset)
    }

    /// Parses and validates; the error says what is wrong in words.
    pub fn parse(&self, text: &str) -> Result<Civil, String> {
        let b = text.trim().as_bytes();
        let mut i = 0;
        let mut c = Civil {
            year: 0,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            micros: 0,
            offset_s: None,
        };
        let bad = |what: &str| format!("`{}` does not match the time format: {what}", text.trim());
        for item in &self.items {
            match *item {
                Item::Lit(l) => {
                    if b.get(i) != Some(&l) {
                        return Err(bad(&format!(
                            "expected `{}` at character {}",
                            l as char,
                            i + 1
                        )));
                    }
                    i += 1;
                }
                Item::Year => {
                    c.year = digits(b, &mut i, 4, 4)
                        .ok_or_else(|| bad("expected a 4-digit year"))?
                        as i16
                }
                Item::Month => {
                    c.month = digits(b, &mut i, 1, 2).ok_or_else(|| bad("expected a month"))? as i8
                }
                Item::Day => {
                    c.day = digits(b, &mut i, 1, 2).ok_or_else(|| bad("expected a day"))? as i8
                }
                Item::Hour => {
                    c.hour = digits(b, &mut i, 1, 2).ok_or_else(|| bad("expected an hour"))? as i8
                }
                Item::Minute => {
                    c.minute = digits(b, &mut i, 2, 2)
                        .ok_or_else(|| bad("expected 2-digit minutes"))?
                        as i8
                }
                Item::Second => {
                    c.second = digits(b, &mut i, 2, 2)
                        .ok_or_else(|| bad("expected 2-digit seconds"))?
                        as i8
                }
                Item::Fraction => {
                    if matches!(b.get(i), Some(b'.' | b',')) {
                        i += 1;
                        let start = i;
                        let v = digits(b, &mut i, 1, 9)
                            .ok_or_else(|| bad("expected fraction digits"))?;
                        let n = i - start;
                        c.micros = if n <= 6 {
                            v * 10i32.pow((6 - n) as u32)
                        } else {
                            v / 10i32.pow((n - 6) as u32)
                        };
                    }
                }
                Item::Offset => {
                    c.offset_s = Some(
                        offset(b, &mut i)
                            .ok_or_else(|| bad("expected `Z` or an offset `+hh:mm`"))?,
                    )
                }
            }
        }
        if i != b.len() {
            return Err(bad(&format!(
                "unexpected `{}` at the end",
                String::from_utf8_lossy(&b[i..])
            )));
        }
        c.validate()
            .map_err(|why| format!("`{}` is not a valid time: {why}", text.trim()))?;
        Ok(c)
    }
}

/// Reads `min..=max` ASCII digits.
#[inline]
fn digits(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<i32> {
    let mut v = 0i32;
    let start = *i;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        v = v * 10 + i32::from(b[*i] - b'0');
        *i += 1;
    }
    (*i - start >= min).then_some(v)
}

fn offset(b: &[u8], i: &mut usize) -> Option<i32> {
    match b.get(*i)? {
        b'Z' | b'z' => {
            *i += 1;
            Some(0)
        }
        s @ (b'+' | b'-') => {
            let sign = if *s == b'-' { -1 } else { 1 };
            *i += 1;
            let h = digits(b, i, 2, 2)?;
            if b.get(*i) == Some(&b':') {
                *i += 1;
            }
            let m = digits(b, i, 2, 2).unwrap_or(0);
            (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
        }
        _ => None,
    }
}

impl Civil {
    fn validate(&self) -> Result<(), String> {
        if !(1..=12).contains(&self.month) {
            return Err(format!("month {} is not 1-12", self.month));
        }
        let dim = days_in_month(self.year, self.month);
        if self.day < 1 || self.day > dim {
            return Err(format!(
                "day {} is not in month {} of {} (1-{dim})",
                self.day, self.month, self.year
            ));
        }
        if self.hour > 23 || self.minute > 59 || self.second > 59 {
            return Err(format!(
                "{:02}:{:02}:{:02} is not a time of day",
                self.hour, self.minute, self.second
            ));
        }
        if !(1900..=2200).contains(&self.year) {
            return Err(format!("year {} is out of range (1900-2200)", self.year));
        }
        Ok(())
    }

    /// Seconds since the epoch of this wall-clock reading taken as UTC.
    #[inline]
    pub fn wall_seconds(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Microseconds since the epoch, for a reading at `offset_s` east of UTC.
    #[inline]
    pub fn to_micros(&self, offset_s: i32) -> i64 {
        (self.wall_seconds() - i64::from(offset_s)) * 1_000_000 + i64::from(self.micros)
    }

    fn datetime(&self) -> DateTime {
        DateTime::new(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            0,
        )
        .expect("validated")
    }

    /// The reading as written, for messages.
    pub fn display(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn is_leap(y: i16) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i16, m: i8) -> i8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
#[inline]
pub(crate) fn days_from_civil(y: i16, m: i8, d: i8) -> i64 {
    let (y, m, d) = (i64::from(y), i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// How a local reading maps to an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Local {
    /// One instant.
    Unique(i64),
    /// The reading does not exist (clocks jumped over it).
    Gap {
        /// Offset before the jump, seconds.
        before: i32,
        /// Offset after.
        after: i32,
    },
    /// The reading occurs twice.
    Fold {
        /// The first occurrence (offset before the change), µs.
        earlier: i64,
        /// The second occurrence, µs.
        later: i64,
    },
}

/// A time zone with a memo of the last local hour, which in a time-ordered file answers almost
/// every row without asking the zone database.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    tz: TimeZone,
    /// (wall seconds of the hour's start, offset) when the whole hour has one offset.
    memo: Option<(i64, i32)>,
}

impl Zone {
    /// The zone.
    pub(crate) fn new(tz: TimeZone) -> Zone {
        Zone { tz, memo: None }
    }

    /// The IANA name, for messages.
    pub(crate) fn name(&self) -> &str {
        self.tz.iana_name().unwrap_or("the profile's time zone")
    }

    /// Resolves a reading without offset.
    #[inline]
    pub(crate) fn resolve(&mut self, c: &Civil) -> Local {
        let wall = c.wall_seconds();
        let hour_start = wall - wall.rem_euclid(3600);
        if let Some((h, off)) = self.memo
            && h == hour_start
        {
            return Local::Unique(c.to_micros(off));
        }
        let at = |dt: DateTime| self.tz.to_ambiguous_timestamp(dt).offset();
        let start = DateTime::new(c.year, c.month, c.day, c.hour, 0, 0, 0).expect("validated");
        let end = DateTime::new(c.year, c.month, c.day, c.hour, 59, 59, 0).expect("validated");
        if let (
            AmbiguousOffset::Unambiguous { offset: a },
            AmbiguousOffset::Unambiguous { offset: b },
        ) = (at(start), at(end))
            && a == b
        {
            self.memo = Some((hour_start, a.seconds()));
            return Local::Unique(c.to_micros(a.seconds()));
        }
        match at(c.datetime()) {
            AmbiguousOffset::Unambiguous { offset } => Local::Unique(c.to_micros(offset.seconds())),
            AmbiguousOffset::Gap { before, after } => Local::Gap {
                before: before.seconds(),
                after: after.seconds(),
            },
            AmbiguousOffset::Fold { before, after } => Local::Fold {
                earlier: c.to_micros(before.seconds()),
                later: c.to_micros(after.seconds()),
            },
        }
    }
}

/// `+01:00` for messages.
pub(crate) fn fmt_offset(s: i32) -> String {
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// RFC 3339 UTC text of microseconds since the epoch.
pub(crate) fn fmt_micros(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| format!("{us}µs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> Zone {
        Zone::new(TimeZone::get("Europe/Paris").unwrap())
    }

    #[test]
    fn formats_parse_and_reject() {
        let fr = TimeFormat::compile("%d/%m/%Y %H:%M:%S").unwrap();
        let c = fr.parse("01/03/2026 23:15:02").unwrap();
        assert_eq!(fmt_micros(c.to_micros(3600)), "2026-03-01T22:15:02Z");
        let iso = TimeFormat::compile("%Y-%m-%dT%H:%M:%S%f%z").unwrap();
        let c = iso.parse("2026-03-01T23:15:02.25+01:00").unwrap();
        assert_eq!(c.to_micros(c.offset_s.unwrap()) % 1_000_000, 250_000);
        assert_eq!(
            fmt_micros(c.to_micros(c.offset_s.unwrap())),
            "2026-03-01T22:15:02.25Z"
        );
        let gt = TimeFormat::compile("%Y%m%d%H%M%S%z").unwrap();
        let c = gt.parse("20260301231502+0100").unwrap();
        assert_eq!(c.offset_s, Some(3600));
        insta::assert_snapshot!(
            [
                fr.parse("31/02/2026 25:61:00").unwrap_err(),
                fr.parse("01/03/2026 10:00:00 extra").unwrap_err(),
                fr.parse("2026-03-01").unwrap_err(),
                iso.parse("2026-03-01T23:15:02").unwrap_err(),
                TimeFormat::compile("%d %b %Y").unwrap_err(),
            ]
            .join("\n")
        );
    }

    #[test]
    fn epoch_days_match_jiff() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2026, 3, 29),
            (2199, 12, 31),
            (1900, 3, 1),
        ] {
            let j = jiff::civil::date(y, m, d)
                .to_zoned(TimeZone::UTC)
                .unwrap()
                .timestamp()
                .as_second();
            assert_eq!(days_from_civil(y, m, d) * 86400, j, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn daylight_saving_in_paris() {
        let f = TimeFormat::compile("%d/%m/%Y %H:%M:%S").unwrap();
        let mut z = paris();
        let r = |z: &mut Zone, s: &str| z.resolve(&f.parse(s).unwrap());
        assert_eq!(
            r(&mut z, "29/03/2026 02:30:00"),
            Local::Gap {
                before: 3600,
                after: 7200
            }
        );
        let Local::Unique(t) = r(&mut z, "29/03/2026 03:30:00") else {
            panic!()
        };
        assert_eq!(fmt_micros(t), "2026-03-29T01:30:00Z");
        let Local::Fold { earlier, later } = r(&mut z, "25/10/2026 02:30:00") else {
            panic!()
        };
        assert_eq!(fmt_micros(earlier), "2026-10-25T00:30:00Z");
        assert_eq!(fmt_micros(later), "2026-10-25T01:30:00Z");
        // The memo never answers for a transition hour.
        let Local::Unique(t) = r(&mut z, "25/10/2026 01:59:59") else {
            panic!()
        };
        assert_eq!(fmt_micros(t), "2026-10-24T23:59:59Z");
        assert!(matches!(
            r(&mut z, "25/10/2026 02:00:00"),
            Local::Fold { .. }
        ));
    }
}
