//! Simulated days in local time, with daylight-saving changes done right: a day lasts 23, 24 or
//! 25 hours, spring's missing hour never occurs, and autumn's repeated hour occurs twice.
//!
//! Times inside a day are "elapsed seconds since local midnight" (`e`); the local clock reading
//! (`tod`) equals `e` before the day's transition and `e + delta` after it.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// One local day.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Day {
    /// UTC seconds of local midnight.
    pub(crate) midnight: i64,
    /// Real length in seconds.
    pub(crate) len: u32,
    /// UTC offset (seconds) at midnight.
    pub(crate) offset: i32,
    /// Elapsed seconds at which the offset changes, and the change (seconds).
    pub(crate) transition: Option<(u32, i32)>,
    /// 0 = Monday ... 6 = Sunday.
    pub(crate) weekday: u8,
}

impl Day {
    /// Local clock reading (seconds since local midnight) at elapsed `e`.
    pub(crate) fn tod(&self, e: u32) -> i64 {
        match self.transition {
            Some((t, delta)) if e >= t => i64::from(e) + i64::from(delta),
            _ => i64::from(e),
        }
    }

    /// UTC offset in seconds at elapsed `e`.
    pub(crate) fn offset_at(&self, e: u32) -> i32 {
        match self.transition {
            Some((t, delta)) if e >= t => self.offset + delta,
            _ => self.offset,
        }
    }

    /// Elapsed seconds of a local clock reading; `second_pass` picks the later of the two
    /// instants of an autumn repeated hour. `None` for spring's missing hour.
    pub(crate) fn elapsed(&self, tod: u32, second_pass: bool) -> Option<u32> {
        let Some((t, delta)) = self.transition else {
            return Some(tod);
        };
        let tod = i64::from(tod);
        let t = i64::from(t);
        let d = i64::from(delta);
        let e = if d > 0 {
            if tod < t {
                tod
            } else if tod < t + d {
                return None;
            } else {
                tod - d
            }
        } else if tod < t + d {
            tod
        } else if tod < t {
            if second_pass { tod - d } else { tod }
        } else {
            tod - d
        };
        u32::try_from(e).ok().filter(|&e| e < self.len)
    }
}

/// All days of a simulation.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    pub(crate) days: Vec<Day>,
    pub(crate) start: Date,
}

impl Clock {
    pub(crate) fn new(start: Date, n: u32, tz: &TimeZone) -> Clock {
        let days = (0..n)
            .map(|d| {
                let date = start
                    .checked_add(i64::from(d).days())
                    .expect("dates in range");
                let next = date.checked_add(1.days()).expect("dates in range");
                let m0 = midnight(date, tz);
                let m1 = midnight(next, tz);
                let off0 = tz
                    .to_offset(Timestamp::from_second(m0).expect("in range"))
                    .seconds();
                let off1 = tz
                    .to_offset(Timestamp::from_second(m1).expect("in range"))
                    .seconds();
                let transition = (off0 != off1).then(|| {
                    // Find the change to the second by bisection over the day.
                    let (mut lo, mut hi) = (m0, m1);
                    while hi - lo > 1 {
                        let mid = (lo + hi) / 2;
                        let off = tz
                            .to_offset(Timestamp::from_second(mid).expect("in range"))
                            .seconds();
                        if off == off0 { lo = mid } else { hi = mid }
                    }
                    ((hi - m0) as u32, off1 - off0)
                });
                Day {
                    midnight: m0,
                    len: (m1 - m0) as u32,
                    offset: off0,
                    transition,
                    weekday: date.weekday().to_monday_zero_offset() as u8,
                }
            })
            .collect();
        Clock { days, start }
    }
}

fn midnight(date: Date, tz: &TimeZone) -> i64 {
    date.to_zoned(tz.clone())
        .expect("midnight exists")
        .timestamp()
        .as_second()
}

/// Weekday (0 = Monday) of day `d` after `start`.
pub(crate) fn weekday(start: Date, d: u32) -> u8 {
    start
        .checked_add(i64::from(d).days())
        .map_or(0, |x| x.weekday().to_monday_zero_offset() as u8)
}

/// Civil date and time of a UTC instant shifted by `offset`: (y, m, d, hh, mm, ss).
pub(crate) fn civil(utc: i64, offset: i32) -> (i32, u32, u32, u32, u32, u32) {
    let t = utc + i64::from(offset);
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y } as i32;
    (y, m, d, secs / 3_600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    #[test]
    fn dst_days() {
        // 2026-03-29: spring forward at 02:00; 2026-10-25: back at 03:00.
        let c = Clock::new(jiff::civil::date(2026, 3, 28), 3, &paris());
        assert_eq!(c.days[0].len, 86_400);
        let spring = c.days[1];
        assert_eq!(spring.len, 82_800);
        assert_eq!(spring.transition, Some((7_200, 3_600)));
        assert_eq!(spring.elapsed(2 * 3600 + 1800, false), None);
        assert_eq!(spring.elapsed(4 * 3600, false), Some(3 * 3600));
        assert_eq!(spring.tod(3 * 3600), 4 * 3600);
        let c = Clock::new(jiff::civil::date(2026, 10, 25), 1, &paris());
        let autumn = c.days[0];
        assert_eq!(autumn.len, 90_000);
        assert_eq!(autumn.transition, Some((10_800, -3_600)));
        assert_eq!(autumn.elapsed(2 * 3600 + 60, false), Some(2 * 3600 + 60));
        assert_eq!(autumn.elapsed(2 * 3600 + 60, true), Some(3 * 3600 + 60));
        assert_eq!(autumn.tod(3 * 3600 + 60), 2 * 3600 + 60);
        assert_eq!(autumn.offset_at(0), 7_200);
        assert_eq!(autumn.offset_at(11_000), 3_600);
    }

    #[test]
    fn civil_matches_jiff() {
        for t in [0i64, 1_772_000_000, 1_800_000_123, 951_782_400] {
            let z = Timestamp::from_second(t).unwrap().to_zoned(TimeZone::UTC);
            let (y, m, d, hh, mm, ss) = civil(t, 0);
            assert_eq!(
                (y, m, d, hh, mm, ss),
                (
                    z.year() as i32,
                    z.month() as u32,
                    z.day() as u32,
                    z.hour() as u32,
                    z.minute() as u32,
                    z.second() as u32
                )
            );
        }
    }
}
