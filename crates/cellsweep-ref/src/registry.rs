//! The inmate registry: which prison cell each inmate occupied, and when.
//!
//! Columns (`docs/records.md`): `inmate_id`, `facility_id`, `zone_id`, `cell_no`, `from`
//! (date, inclusive), `to` (date, inclusive; empty while current). Rejected: missing values,
//! bad dates, `to` before `from`, a second period of the same inmate starting the same day,
//! periods of one inmate that overlap within the file, and places the workspace's facilities
//! do not have (`places.rs`). A later file updates the period with the same inmate and start.

use std::collections::HashMap;

use cellsweep_store::Import;
use cellsweep_store::rusqlite::params;
use jiff::civil::Date;

use crate::Error;
use crate::common::{Col, RowErr, load, parse_date, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::places::Places;
use crate::text::{Table, field};

struct Period<'r> {
    inmate: &'r str,
    facility: &'r str,
    zone: &'r str,
    cell: &'r str,
    from: Date,
    to: Option<Date>,
    line: u64,
}

/// An accepted assignment period: from, to, line.
type Accepted = (Date, Option<Date>, u64);

pub(crate) fn import_registry(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let c = require(
        &table,
        ctx,
        &[
            Col {
                name: "inmate_id",
                aliases: &["inmate_id", "inmate"],
            },
            Col {
                name: "facility_id",
                aliases: &["facility_id", "facility"],
            },
            Col {
                name: "zone_id",
                aliases: &["zone_id", "zone", "wing"],
            },
            Col {
                name: "cell_no",
                aliases: &["cell_no", "cell"],
            },
            Col {
                name: "from",
                aliases: &["from", "valid_from"],
            },
        ],
    )?;
    let to_col = table.column(&["to", "valid_to"]);
    reject_broken(imp, &table)?;
    let places = Places::load(imp)?;
    // Accepted periods per inmate, to find overlaps: (from, to, line).
    let mut periods: HashMap<&str, Vec<Accepted>> = HashMap::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO inmate_cells (inmate_id, facility_id, zone_id, cell_no, valid_from, valid_to,
                                   source_file_id, source_line)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (inmate_id, valid_from) DO UPDATE SET facility_id = excluded.facility_id,
             zone_id = excluded.zone_id, cell_no = excluded.cell_no, valid_to = excluded.valid_to,
             source_file_id = excluded.source_file_id, source_line = excluded.source_line",
        |rec| {
            let e = RowErr { rec };
            let need = |i: usize, name: &str| {
                field(rec, Some(c[i])).ok_or_else(|| e.field(name, format!("missing {name}")))
            };
            let inmate = need(0, "inmate_id")?;
            let facility = need(1, "facility_id")?;
            let zone = need(2, "zone_id")?;
            let cell = need(3, "cell_no")?;
            let from = parse_date(need(4, "from")?).map_err(|x| e.field("from", x))?;
            let to = field(rec, to_col)
                .map(|v| parse_date(v).map_err(|x| e.field("to", x)))
                .transpose()?;
            if let Some(to) = to
                && to < from
            {
                return Err(e.field("to", format!("`to` {to} is before `from` {from}")));
            }
            places
                .check(facility, Some(zone), Some(cell))
                .map_err(|(f, why)| e.field(f, why))?;
            let mine = periods.entry(inmate).or_default();
            if let Some((_, _, first)) = mine.iter().find(|(f, _, _)| *f == from) {
                return Err(e.row(format!(
                    "duplicate period of inmate `{inmate}` from {from} (first at line {first})"
                )));
            }
            let end = |t: Option<Date>| t.unwrap_or(Date::MAX);
            if let Some((f, t, line)) = mine
                .iter()
                .find(|(f, t, _)| *f <= end(to) && from <= end(*t))
            {
                let t = t.map_or("open".to_owned(), |d| d.to_string());
                return Err(e.row(format!(
                    "period of inmate `{inmate}` overlaps the period {f} to {t} at line {line}"
                )));
            }
            mine.push((from, to, rec.line));
            Ok(Period {
                inmate,
                facility,
                zone,
                cell,
                from,
                to,
                line: rec.line,
            })
        },
        |stmt, p, source| {
            stmt.execute(params![
                p.inmate,
                p.facility,
                p.zone,
                p.cell,
                p.from.to_string(),
                p.to.map(|d| d.to_string()),
                source,
                p.line
            ])
        },
    )?;
    let mut inmates: Vec<&str> = rows.iter().map(|p| p.inmate).collect();
    inmates.sort_unstable();
    inmates.dedup();
    let current = rows.iter().filter(|p| p.to.is_none()).count();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!(
            "{} cell assignments of {} inmates ({current} current)",
            rows.len(),
            inmates.len()
        ),
    })
}
