//! Instants in prison records and RF logs: RFC 3339 with an offset, or a local reading resolved
//! in the workspace's time zone with the same explicit daylight-saving policy as operator-data
//! ingest's default (`docs/ingest.md`, "Time zones"):
//!
//! ```text
//!  "2026-03-02T08:00:27+01:00" ──offset──────────────▶ 2026-03-02T07:00:27Z
//!  "2026-03-02 08:00:27"       ──Europe/Paris──▶ one instant ──▶ 2026-03-02T07:00:27Z
//!                                              ──▶ gap  (spring, 02:xx never happened) ──▶ quarantine
//!                                              ──▶ fold (autumn, 02:xx happened twice)  ──▶ quarantine
//! ```
//!
//! The ingest reader has its own fast parser for billions of rows and a configurable fold policy;
//! prison records are smaller and carry offsets in practice, so this reader uses `jiff` directly
//! and keeps ingest's default, `reject`: a repeated local time is quarantined, never guessed.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};

use crate::Error;
use crate::import::Ctx;

/// The workspace's time zone, for readings without an offset.
pub(crate) struct Clock {
    tz: TimeZone,
    name: String,
}

impl Clock {
    /// The zone named by the workspace settings; an unknown name fails the file, since every
    /// offset-less reading would otherwise be quarantined for a configuration mistake.
    pub(crate) fn new(ctx: &Ctx<'_>) -> Result<Clock, Error> {
        let tz = TimeZone::get(&ctx.timezone).map_err(|source| Error::TimeZone {
            name: ctx.timezone.clone(),
            source,
        })?;
        Ok(Clock {
            tz,
            name: ctx.timezone.clone(),
        })
    }

    /// Parses `2026-03-02T08:00:27+01:00`, `...Z`, or a local `2026-03-02T08:00:27` /
    /// `2026-03-02 08:00:27` (fractions of a second allowed) into an instant.
    pub(crate) fn instant(&self, text: &str) -> Result<Timestamp, String> {
        let s = text.trim();
        let iso = s.replacen(' ', "T", 1);
        if let Ok(ts) = iso.parse::<Timestamp>() {
            return Ok(ts);
        }
        let dt: DateTime = iso.parse().map_err(|_| {
            format!(
                "`{s}` is not a time (expected RFC 3339 such as 2026-03-02T08:00:27+01:00, or a local YYYY-MM-DD HH:MM:SS)"
            )
        })?;
        match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset
                .to_timestamp(dt)
                .map_err(|e| format!("`{s}` is out of range: {e}")),
            AmbiguousOffset::Gap { before, after } => Err(format!(
                "nonexistent local time `{s}` in {}: clocks jumped from {} to {} (daylight saving)",
                self.name,
                fmt_offset(before),
                fmt_offset(after)
            )),
            AmbiguousOffset::Fold { before, after } => Err(format!(
                "ambiguous local time `{s}` in {}: it occurs twice ({} then {}) and records are read with the `reject` policy; write the offset",
                self.name,
                fmt_offset(before),
                fmt_offset(after)
            )),
        }
    }
}

/// `+01:00`, as in ingest's messages.
fn fmt_offset(o: Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> Clock {
        Clock {
            tz: TimeZone::get("Europe/Paris").unwrap(),
            name: "Europe/Paris".into(),
        }
    }

    #[test]
    fn offsets_and_local_readings() {
        let c = paris();
        let utc = |s: &str| c.instant(s).map(|t| t.to_string());
        assert_eq!(
            utc("2026-03-02T08:00:27+01:00").unwrap(),
            "2026-03-02T07:00:27Z"
        );
        assert_eq!(utc("2026-03-02T07:00:27Z").unwrap(), "2026-03-02T07:00:27Z");
        assert_eq!(utc("2026-03-02 08:00:27").unwrap(), "2026-03-02T07:00:27Z");
        assert_eq!(utc("2026-07-02T08:00:27").unwrap(), "2026-07-02T06:00:27Z");
        assert_eq!(
            utc("2026-03-29 03:30:00.5").unwrap(),
            "2026-03-29T01:30:00.5Z"
        );
        assert_eq!(
            utc("2026-03-29 02:30:00").unwrap_err(),
            "nonexistent local time `2026-03-29 02:30:00` in Europe/Paris: clocks jumped from +01:00 to +02:00 (daylight saving)"
        );
        assert_eq!(
            utc("2026-10-25 02:30:00").unwrap_err(),
            "ambiguous local time `2026-10-25 02:30:00` in Europe/Paris: it occurs twice (+02:00 then +01:00) and records are read with the `reject` policy; write the offset"
        );
        // With an offset, the autumn's repeated hour is unambiguous.
        assert_eq!(
            utc("2026-10-25T02:30:00+01:00").unwrap(),
            "2026-10-25T01:30:00Z"
        );
        assert!(utc("2026-02-30T08:00:00+01:00").is_err());
        assert!(utc("yesterday").is_err());
        assert!(utc("").is_err());
    }
}
