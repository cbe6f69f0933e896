//! Visits as the visiting desk recorded them.
//!
//! Columns (`docs/records.md`): `visit_id`, `facility_id`, `inmate_id`, `visitor_id`, `date`,
//! `start`, `end` (local `HH:MM`, kept local: visiting hours are a local notion), optional
//! `visitor_phone`. An empty phone is common (not declared) and stored as NULL; a phone that
//! is not a valid number is quarantined, as is an end before the start and a visit id listed
//! twice in the file. A later file updates the visit with the same id.

use cellsweep_ids::Msisdn;
use cellsweep_store::rusqlite::params;
use cellsweep_store::{Import, Rejection};
use jiff::civil::{Date, Time};

use crate::Error;
use crate::common::{Col, FirstSeen, RowErr, load, parse_date, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::phones::Numbers;
use crate::places::Places;
use crate::text::{Record, Table, field};

struct Visit<'r> {
    id: &'r str,
    facility: &'r str,
    inmate: &'r str,
    visitor: &'r str,
    day: Date,
    start: Time,
    end: Time,
    phone: Option<Msisdn>,
    line: u64,
}

/// Column names and the header spellings accepted for them, in `Visit` order.
const COLS: [Col; 7] = [
    Col {
        name: "visit_id",
        aliases: &["visit_id"],
    },
    Col {
        name: "facility_id",
        aliases: &["facility_id", "facility"],
    },
    Col {
        name: "inmate_id",
        aliases: &["inmate_id", "inmate"],
    },
    Col {
        name: "visitor_id",
        aliases: &["visitor_id", "visitor"],
    },
    Col {
        name: "date",
        aliases: &["date", "day"],
    },
    Col {
        name: "start",
        aliases: &["start", "start_local"],
    },
    Col {
        name: "end",
        aliases: &["end", "end_local"],
    },
];

pub(crate) fn import_visits(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let c = require(&table, ctx, &COLS)?;
    let phone = table.column(&["visitor_phone", "phone", "visitor_msisdn"]);
    reject_broken(imp, &table)?;
    let places = Places::load(imp)?;
    let mut numbers = Numbers::new(ctx.region);
    let mut seen = FirstSeen::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO visits (id, facility_id, inmate_id, visitor_id, day, start_local, end_local,
                             visitor_msisdn, source_file_id, source_line)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET facility_id = excluded.facility_id,
             inmate_id = excluded.inmate_id, visitor_id = excluded.visitor_id, day = excluded.day,
             start_local = excluded.start_local, end_local = excluded.end_local,
             visitor_msisdn = excluded.visitor_msisdn, source_file_id = excluded.source_file_id,
             source_line = excluded.source_line",
        |rec| {
            let v = visit(rec, &c, phone, &places, &mut numbers)?;
            if let Some(first) = seen.check(v.id, rec.line) {
                return Err(RowErr { rec }.row(format!(
                    "duplicate visit `{}` (first at line {first})",
                    v.id
                )));
            }
            Ok(v)
        },
        |stmt, v, source| {
            stmt.execute(params![
                v.id,
                v.facility,
                v.inmate,
                v.visitor,
                v.day.to_string(),
                hhmm(v.start),
                hhmm(v.end),
                v.phone.map(Msisdn::e164),
                source,
                v.line
            ])
        },
    )?;
    let with_phone = rows.iter().filter(|v| v.phone.is_some()).count();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!(
            "{} visits ({with_phone} with the visitor's phone)",
            rows.len()
        ),
    })
}

fn visit<'r>(
    rec: &'r Record,
    c: &[usize],
    phone: Option<usize>,
    places: &Places,
    numbers: &mut Numbers,
) -> Result<Visit<'r>, Rejection> {
    let e = RowErr { rec };
    let need = |i: usize| {
        let name = COLS[i].name;
        field(rec, Some(c[i])).ok_or_else(|| e.field(name, format!("missing {name}")))
    };
    let (id, facility, inmate, visitor) = (need(0)?, need(1)?, need(2)?, need(3)?);
    let day = parse_date(need(4)?).map_err(|x| e.field("date", x))?;
    let start = parse_hhmm(need(5)?).map_err(|x| e.field("start", x))?;
    let end = parse_hhmm(need(6)?).map_err(|x| e.field("end", x))?;
    if end < start {
        return Err(e.field(
            "end",
            format!(
                "the visit ends at {} before it starts at {}",
                hhmm(end),
                hhmm(start)
            ),
        ));
    }
    let phone = field(rec, phone)
        .map(|p| numbers.parse(p).map_err(|x| e.field("visitor_phone", x)))
        .transpose()?;
    places
        .check(facility, None, None)
        .map_err(|(f, why)| e.field(f, why))?;
    Ok(Visit {
        id,
        facility,
        inmate,
        visitor,
        day,
        start,
        end,
        phone,
        line: rec.line,
    })
}

/// Reads a local time of day: `HH:MM` or `HH:MM:SS` (seconds are dropped: the desk records
/// minutes), hours 0-23.
fn parse_hhmm(s: &str) -> Result<Time, String> {
    let bad = || format!("`{s}` is not a time of day (expected HH:MM)");
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 2) {
        return Err(bad());
    }
    let num = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse::<i8>().ok())
            .flatten()
            .ok_or_else(bad)
    };
    let (h, m) = (num(parts[0])?, num(parts[1])?);
    if parts.len() == 3 && num(parts[2])? > 59 {
        return Err(bad());
    }
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day() {
        assert_eq!(hhmm(parse_hhmm("13:30").unwrap()), "13:30");
        assert_eq!(hhmm(parse_hhmm("9:05").unwrap()), "09:05");
        assert_eq!(hhmm(parse_hhmm("09:05:59").unwrap()), "09:05");
        for bad in [
            "24:00",
            "12:60",
            "1230",
            "12:3a",
            "",
            ":30",
            "12:30:00:00",
            "+1:30",
            "12:30:60",
        ] {
            assert!(parse_hhmm(bad).is_err(), "{bad}");
        }
    }
}
