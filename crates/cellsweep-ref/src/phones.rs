//! The official in-cell telephone: the numbers each inmate may call, and the calls made.
//!
//! Authorised numbers (`docs/records.md`): `inmate_id`, `facility_id`, `number`, optional
//! `relation`. Calls: `inmate_id`, `facility_id`, `time`, `number`, `duration_s`. Numbers are
//! read with the workspace's region when national (`06 47 09 51 15`) and stored in E.164;
//! times become RFC 3339 UTC (`clock.rs` for readings without an offset).
//!
//! Calls have no natural key, so a call already in the workspace (same inmate, instant and
//! number, from another file: an overlapping export) is quarantined with a pointer to where it
//! was recorded, and so is the same call listed twice in one file.

use std::collections::HashMap;

use cellsweep_ids::{Msisdn, Region};
use cellsweep_store::rusqlite::{OptionalExtension, params};
use cellsweep_store::{Import, Rejection};

use crate::Error;
use crate::clock::Clock;
use crate::common::{Col, FirstSeen, RowErr, load, load_tx, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::places::Places;
use crate::text::{Record, Table, field};

/// Parses phone numbers once per distinct text: call logs repeat the same few numbers per
/// inmate thousands of times, and a full libphonenumber parse is the costliest step of a row.
pub(crate) struct Numbers {
    region: Region,
    memo: HashMap<String, Result<Msisdn, String>>,
}

impl Numbers {
    pub(crate) fn new(region: Region) -> Numbers {
        Numbers {
            region,
            memo: HashMap::new(),
        }
    }

    pub(crate) fn parse(&mut self, text: &str) -> Result<Msisdn, String> {
        if let Some(r) = self.memo.get(text) {
            return r.clone();
        }
        let r = Msisdn::parse(text, self.region).map_err(|e| e.to_string());
        self.memo.insert(text.to_owned(), r.clone());
        r
    }
}

const NUMBER: Col = Col {
    name: "number",
    aliases: &["number", "msisdn", "phone"],
};
const INMATE: Col = Col {
    name: "inmate_id",
    aliases: &["inmate_id", "inmate"],
};
const FACILITY: Col = Col {
    name: "facility_id",
    aliases: &["facility_id", "facility"],
};

/// A required field or a rejection naming it.
fn need<'r>(rec: &'r Record, col: usize, name: &str) -> Result<&'r str, Rejection> {
    field(rec, Some(col)).ok_or_else(|| RowErr { rec }.field(name, format!("missing {name}")))
}

pub(crate) fn import_authorised(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let c = require(&table, ctx, &[INMATE, FACILITY, NUMBER])?;
    let relation = table.column(&["relation", "relationship"]);
    reject_broken(imp, &table)?;
    let places = Places::load(imp)?;
    let mut numbers = Numbers::new(ctx.region);
    let mut seen = FirstSeen::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO authorised_numbers (inmate_id, facility_id, msisdn, relation, source_file_id,
                                         source_line)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (inmate_id, msisdn) DO UPDATE SET facility_id = excluded.facility_id,
             relation = excluded.relation, source_file_id = excluded.source_file_id,
             source_line = excluded.source_line",
        |rec| {
            let e = RowErr { rec };
            let inmate = need(rec, c[0], "inmate_id")?;
            let facility = need(rec, c[1], "facility_id")?;
            let number = numbers
                .parse(need(rec, c[2], "number")?)
                .map_err(|x| e.field("number", x))?;
            places
                .check(facility, None, None)
                .map_err(|(f, why)| e.field(f, why))?;
            if let Some(first) = seen.check((inmate, number), rec.line) {
                return Err(e.row(format!(
                    "number {number} is already authorised for inmate `{inmate}` (first at line {first})"
                )));
            }
            Ok((inmate, facility, number, field(rec, relation), rec.line))
        },
        |stmt, (inmate, facility, number, relation, line), source| {
            stmt.execute(params![
                inmate,
                facility,
                number.e164(),
                relation,
                source,
                line
            ])
        },
    )?;
    let mut inmates: Vec<&str> = rows.iter().map(|r| r.0).collect();
    inmates.sort_unstable();
    inmates.dedup();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!(
            "{} authorised numbers of {} inmates",
            rows.len(),
            inmates.len()
        ),
    })
}

struct Call<'r> {
    inmate: &'r str,
    facility: &'r str,
    at: String,
    number: Msisdn,
    duration: i64,
    line: u64,
}

pub(crate) fn import_calls(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let c = require(
        &table,
        ctx,
        &[
            INMATE,
            FACILITY,
            Col {
                name: "time",
                aliases: &["time", "at", "started_at"],
            },
            NUMBER,
            Col {
                name: "duration_s",
                aliases: &["duration_s", "duration"],
            },
        ],
    )?;
    reject_broken(imp, &table)?;
    let clock = Clock::new(ctx)?;
    let places = Places::load(imp)?;
    let mut numbers = Numbers::new(ctx.region);
    let mut seen = FirstSeen::new();
    // Only a workspace that already holds calls needs the per-row lookup.
    let earlier = has_rows(imp, "official_calls")?;
    let rows = load_tx(
        imp,
        &table.records,
        "INSERT INTO official_calls (inmate_id, facility_id, at, msisdn, duration_s,
                                     source_file_id, source_line)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        |tx, rec| {
            let call = match call(rec, &c, &clock, &places, &mut numbers) {
                Ok(call) => call,
                Err(r) => return Ok(Err(r)),
            };
            let e = RowErr { rec };
            if let Some(first) = seen.check((call.inmate, call.number, call.at.clone()), rec.line) {
                return Ok(Err(e.row(format!(
                    "duplicate call of inmate `{}` to {} at {} (first at line {first})",
                    call.inmate, call.number, call.at
                ))));
            }
            if earlier
                && let Some((path, line)) = tx
                    .prepare_cached(
                        "SELECT f.path, c.source_line FROM official_calls c
                         JOIN source_files f ON f.id = c.source_file_id
                         WHERE c.msisdn = ?1 AND c.inmate_id = ?2 AND c.at = ?3 LIMIT 1",
                    )?
                    .query_row(params![call.number.e164(), call.inmate, call.at], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?))
                    })
                    .optional()?
            {
                return Ok(Err(
                    e.row(format!("call already recorded from `{path}` line {line}"))
                ));
            }
            Ok(Ok(call))
        },
        |stmt, call, source| {
            stmt.execute(params![
                call.inmate,
                call.facility,
                call.at,
                call.number.e164(),
                call.duration,
                source,
                call.line
            ])
        },
    )?;
    let minutes: i64 = rows.iter().map(|c| c.duration).sum::<i64>() / 60;
    let mut called: Vec<Msisdn> = rows.iter().map(|c| c.number).collect();
    called.sort_unstable();
    called.dedup();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!(
            "{} official calls to {} numbers, {minutes} minutes",
            rows.len(),
            called.len()
        ),
    })
}

fn call<'r>(
    rec: &'r Record,
    c: &[usize],
    clock: &Clock,
    places: &Places,
    numbers: &mut Numbers,
) -> Result<Call<'r>, Rejection> {
    let e = RowErr { rec };
    let inmate = need(rec, c[0], "inmate_id")?;
    let facility = need(rec, c[1], "facility_id")?;
    let at = clock
        .instant(need(rec, c[2], "time")?)
        .map_err(|x| e.field("time", x))?
        .to_string();
    let number = numbers
        .parse(need(rec, c[3], "number")?)
        .map_err(|x| e.field("number", x))?;
    let d = need(rec, c[4], "duration_s")?;
    let duration = d.parse::<u32>().map_err(|_| {
        e.field(
            "duration_s",
            format!("`{d}` is not a whole number of seconds (0 or more)"),
        )
    })?;
    places
        .check(facility, None, None)
        .map_err(|(f, why)| e.field(f, why))?;
    Ok(Call {
        inmate,
        facility,
        at,
        number,
        duration: i64::from(duration),
        line: rec.line,
    })
}

/// Whether a table already has rows (from earlier files: this import's rows come later).
pub(crate) fn has_rows(imp: &Import<'_>, table: &str) -> Result<bool, Error> {
    imp.tx()
        .query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
            r.get(0)
        })
        .map_err(|e| Error::Store(imp.sql_err(e)))
}
