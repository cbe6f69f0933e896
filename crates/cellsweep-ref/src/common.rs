//! Helpers every CSV reader shares: required columns, broken records, values.

use std::collections::HashMap;

use cellsweep_store::rusqlite::{self, CachedStatement, Transaction};
use cellsweep_store::{Import, Rejection};
use jiff::civil::Date;

use crate::Error;
use crate::import::Ctx;
use crate::text::{Record, Table};

/// A column the format needs, with the header spellings accepted for it.
pub(crate) struct Col {
    pub(crate) name: &'static str,
    pub(crate) aliases: &'static [&'static str],
}

/// Looks up required columns, failing the whole file when any is missing.
pub(crate) fn require(table: &Table, ctx: &Ctx<'_>, cols: &[Col]) -> Result<Vec<usize>, Error> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for c in cols {
        match table.column(c.aliases) {
            Some(i) => found.push(i),
            None => missing.push(c.name.to_owned()),
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(Error::MissingColumns {
            path: ctx.path.into(),
            format: ctx.format,
            missing,
            found: table.headers.clone(),
        })
    }
}

/// Quarantines the records the CSV parser could not split into the header's columns.
pub(crate) fn reject_broken(imp: &mut Import<'_>, table: &Table) -> Result<(), Error> {
    for (line, raw, reason) in &table.broken {
        imp.reject(Rejection::row(*line, reason.clone(), raw.clone()))?;
    }
    Ok(())
}

/// The row loop every reader shares: each item becomes a row or a rejection; rows are written
/// through one prepared statement by `bind` (given the source file id), rejections go to the
/// quarantine. Returns the accepted rows, for the reader's summary.
pub(crate) fn load<I: IntoIterator, T>(
    imp: &mut Import<'_>,
    items: I,
    sql: &str,
    mut parse: impl FnMut(I::Item) -> Result<T, Rejection>,
    bind: impl FnMut(&mut CachedStatement<'_>, &T, i64) -> rusqlite::Result<usize>,
) -> Result<Vec<T>, Error> {
    load_tx(imp, items, sql, |_, item| Ok(parse(item)), bind)
}

/// [`load`] for readers that look at the catalog while deciding (rows already recorded from
/// another file): `parse` also gets the import's transaction, and a failed lookup fails the
/// import rather than blaming the row.
pub(crate) fn load_tx<I: IntoIterator, T>(
    imp: &mut Import<'_>,
    items: I,
    sql: &str,
    mut parse: impl FnMut(&Transaction<'_>, I::Item) -> rusqlite::Result<Result<T, Rejection>>,
    mut bind: impl FnMut(&mut CachedStatement<'_>, &T, i64) -> rusqlite::Result<usize>,
) -> Result<Vec<T>, Error> {
    let source_id = imp.source_id();
    let mut accepted = Vec::new();
    let mut rejections = Vec::new();
    {
        let tx = imp.tx();
        let mut stmt = tx.prepare_cached(sql).map_err(|e| imp.sql_err(e))?;
        for item in items {
            match parse(tx, item).map_err(|e| imp.sql_err(e))? {
                Ok(row) => {
                    bind(&mut stmt, &row, source_id).map_err(|e| imp.sql_err(e))?;
                    accepted.push(row);
                }
                Err(r) => rejections.push(r),
            }
        }
    }
    for r in rejections {
        imp.reject(r)?;
    }
    Ok(accepted)
}

/// Builds field rejections for one record.
pub(crate) struct RowErr<'r> {
    pub(crate) rec: &'r Record,
}

impl RowErr<'_> {
    pub(crate) fn field(&self, name: &str, reason: impl Into<String>) -> Rejection {
        Rejection::field(self.rec.line, name, reason, self.rec.raw.clone())
    }

    pub(crate) fn row(&self, reason: impl Into<String>) -> Rejection {
        Rejection::row(self.rec.line, reason, self.rec.raw.clone())
    }
}

/// Remembers the first line of each key, to reject later duplicates with a pointer back.
pub(crate) struct FirstSeen<K>(HashMap<K, u64>);

impl<K: std::hash::Hash + Eq> FirstSeen<K> {
    pub(crate) fn new() -> Self {
        Self(HashMap::new())
    }

    /// `Some(first_line)` when the key was seen before; records it otherwise.
    pub(crate) fn check(&mut self, key: K, line: u64) -> Option<u64> {
        match self.0.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
                None
            }
        }
    }
}

/// Parses a calendar date in the forms reference files use: `2026-03-01`, `01/03/2026`
/// (day first, as in France), `20260301`.
pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a date (expected YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD)");
    let parts: Vec<&str> = if s.contains('-') {
        s.split('-').collect()
    } else if s.contains('/') {
        let p: Vec<&str> = s.split('/').collect();
        if p.len() != 3 {
            return Err(bad());
        }
        vec![p[2], p[1], p[0]]
    } else if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[0..4], &s[4..6], &s[6..8]]
    } else {
        return Err(bad());
    };
    if parts.len() != 3 || parts[0].len() != 4 {
        return Err(bad());
    }
    let num = |p: &str| p.parse::<i16>().map_err(|_| bad());
    let (y, m, d) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    let m = i8::try_from(m).map_err(|_| bad())?;
    let d = i8::try_from(d).map_err(|_| bad())?;
    Date::new(y, m, d).map_err(|e| format!("`{s}` is not a valid date: {e}"))
}

/// Parses a date or a date-time. Returns the canonical text stored in the catalog: `YYYY-MM-DD`
/// for dates, RFC 3339 UTC for instants with an offset, and `YYYY-MM-DDTHH:MM:SS` for local
/// date-times without an offset (kept civil: we do not guess a time zone).
pub(crate) fn parse_date_or_time(s: &str) -> Result<String, String> {
    let s = s.trim();
    if let Ok(d) = parse_date(s) {
        return Ok(d.to_string());
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.to_string());
    }
    let civil = s.replacen(' ', "T", 1);
    civil
        .parse::<jiff::civil::DateTime>()
        .map(|dt| dt.to_string())
        .map_err(|_| {
            format!(
                "`{s}` is not a date or date-time (expected YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or RFC 3339)"
            )
        })
}

/// Parses a non-negative count; `NC` (not communicated) and empty are `None`.
pub(crate) fn parse_count(s: Option<&str>) -> Result<Option<u32>, String> {
    match s {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("nc") || v.eq_ignore_ascii_case("n/a") => Ok(None),
        Some(v) => v
            .replace([' ', '\u{a0}', '\u{202f}'], "")
            .parse::<u32>()
            .map(Some)
            .map_err(|_| format!("`{v}` is not a non-negative whole number")),
    }
}

/// Parses a decimal number accepting a decimal comma (`48,8034`).
pub(crate) fn parse_decimal(s: &str) -> Result<f64, String> {
    let v = s.trim().replace(',', ".");
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("`{}` is not a number", s.trim())),
    }
}

/// Parses yes/no flags as spreadsheets write them.
pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "oui" | "x" => Ok(true),
        "0" | "false" | "no" | "n" | "non" | "" => Ok(false),
        _ => Err(format!(
            "`{s}` is not a yes/no value (expected true/false, 1/0, yes/no)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for (s, want) in [
            ("2026-03-01", "2026-03-01"),
            ("01/03/2026", "2026-03-01"),
            ("20260301", "2026-03-01"),
        ] {
            assert_eq!(parse_date(s).unwrap().to_string(), want, "{s}");
        }
        for s in ["2026-02-30", "03/2026", "1/3/26", "yesterday", ""] {
            assert!(parse_date(s).is_err(), "{s}");
        }
        assert_eq!(
            parse_date_or_time("2026-03-01 10:15:00").unwrap(),
            "2026-03-01T10:15:00"
        );
        assert_eq!(
            parse_date_or_time("2026-03-01T10:15:00+01:00").unwrap(),
            "2026-03-01T09:15:00Z"
        );
    }

    #[test]
    fn values() {
        assert_eq!(parse_count(Some("NC")).unwrap(), None);
        assert_eq!(parse_count(Some("1 338")).unwrap(), Some(1338));
        assert!(parse_count(Some("-3")).is_err());
        assert_eq!(parse_decimal("48,5").unwrap(), 48.5);
        assert!(parse_decimal("#N/A").is_err());
        assert!(parse_bool("peut-être").is_err());
    }
}
