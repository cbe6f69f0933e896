//! Searches and the devices they seized: the administration's past searches, and the outcomes
//! of planned searches (`cellsweep outcomes record`, through [`import_searches`]).
//!
//! Columns (`docs/records.md`): `search_id`, `facility_id`, `zone_id`, `cell_no` (empty when a
//! whole zone was searched), `date`, `outcome` (`found` or `nothing_found`), `seized_imei`,
//! `seized_imsi`, optional `plan_ref`. A search that found several devices has one row per
//! device, all saying the same place, day and outcome:
//!
//! ```text
//!  S1,F001,B1,B1-108,2026-03-03,found,357324302161941,208106582327997 ─┬─▶ searches S1
//!                                                                      ├─▶ seizures S1/1 ─▶ custody 1 seized
//!  S1,F001,B1,B1-108,2026-03-03,found,,208101234567890 ────────────────┴─▶ seizures S1/2 ─▶ custody 1 seized
//!  S2,F001,B1,B1-206,2026-03-04,nothing_found,, ─────────────────────────▶ searches S2
//! ```
//!
//! Each accepted row is one search (its first row) and, when something was found, one seizure
//! with the exhibit reference `<search_id>/<n>` and the first custody entry (seq 1, `seized`,
//! held by the facility, on the search day). The IMEI and IMSI are stored as text and as the
//! integer keys of `cellsweep-ids`, which detection matches against devices; either may be
//! empty (the device could not be read), not both.
//!
//! Quarantined: missing or malformed values; `found` without a device, `nothing_found` with
//! one; a row of a search that disagrees with its first accepted row (place, day, outcome,
//! plan); the same device twice in a search; and a search already recorded from another file
//! (seizures and custody hang off it, so a later file never rewrites it).

use std::collections::HashMap;

use cellsweep_ids::{Imei, Imsi};
use cellsweep_store::rusqlite::{self, OptionalExtension, Transaction, params};
use cellsweep_store::{Import, Rejection, Workspace};
use jiff::civil::Date;

use crate::Error;
use crate::common::{Col, RowErr, parse_date, reject_broken, require};
use crate::import::{Ctx, ImportOutcome, ImportRequest, Loaded};
use crate::places::Places;
use crate::text::{Record, Table, field};
use crate::{Kind, import};

/// What importing a searches file added, for commands that act on new searches.
#[derive(Debug, Clone)]
pub struct SearchesImported {
    /// The import as [`import`] reports it.
    pub outcome: ImportOutcome,
    /// Ids (`searches.id`) of the searches added, in file order; empty when the file was
    /// imported before.
    pub searches: Vec<String>,
    /// Catalog ids (`seizures.id`) of the seizures added, in file order.
    pub seizures: Vec<i64>,
}

/// Imports a searches file (the prison's past searches, or the outcomes of planned searches
/// with an optional `plan_ref` column) and returns what it added. The request's `kind` is
/// ignored: the file is read as [`Kind::Searches`], so the same content imported either way is
/// recognised as the same file.
pub fn import_searches(ws: &mut Workspace, req: &ImportRequest) -> Result<SearchesImported, Error> {
    let req = ImportRequest {
        kind: Kind::Searches,
        ..req.clone()
    };
    let outcome = import(ws, &req)?;
    let ImportOutcome::Imported { source, .. } = &outcome else {
        return Ok(SearchesImported {
            outcome,
            searches: Vec::new(),
            seizures: Vec::new(),
        });
    };
    let sql = |e| {
        Error::Store(cellsweep_store::Error::Sqlite {
            path: ws.root().join(cellsweep_store::CATALOG_FILE),
            source: e,
        })
    };
    let ids = |q: &str| -> rusqlite::Result<Vec<rusqlite::types::Value>> {
        let mut stmt = ws.conn().prepare(q)?;
        let rows = stmt.query_map([source.id], |r| r.get(0))?;
        rows.collect()
    };
    let searches = ids("SELECT id FROM searches WHERE source_file_id = ?1 ORDER BY source_line")
        .map_err(sql)?
        .into_iter()
        .filter_map(|v| match v {
            rusqlite::types::Value::Text(s) => Some(s),
            _ => None,
        })
        .collect();
    let seizures = ids("SELECT id FROM seizures WHERE source_file_id = ?1 ORDER BY id")
        .map_err(sql)?
        .into_iter()
        .filter_map(|v| match v {
            rusqlite::types::Value::Integer(i) => Some(i),
            _ => None,
        })
        .collect();
    Ok(SearchesImported {
        outcome,
        searches,
        seizures,
    })
}

const COLS: [Col; 6] = [
    Col {
        name: "search_id",
        aliases: &["search_id", "search"],
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
        name: "date",
        aliases: &["date", "day"],
    },
    Col {
        name: "outcome",
        aliases: &["outcome", "result"],
    },
];

/// The optional columns.
struct More {
    imei: Option<usize>,
    imsi: Option<usize>,
    plan: Option<usize>,
}

/// One row, parsed.
struct Row<'r> {
    search: &'r str,
    facility: &'r str,
    zone: &'r str,
    cell: Option<&'r str>,
    day: Date,
    found: bool,
    plan: Option<&'r str>,
    imei: Option<Imei>,
    imsi: Option<Imsi>,
}

/// A search as its first accepted row recorded it.
struct Seen {
    line: u64,
    facility: String,
    zone: String,
    cell: Option<String>,
    day: Date,
    found: bool,
    plan: Option<String>,
    /// Devices seized so far, with their line.
    devices: Vec<(Option<Imei>, Option<Imsi>, u64)>,
}

pub(crate) fn import_searches_csv(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let c = require(&table, ctx, &COLS)?;
    let more = More {
        imei: table.column(&["seized_imei", "imei"]),
        imsi: table.column(&["seized_imsi", "imsi"]),
        plan: table.column(&["plan_ref", "plan"]),
    };
    reject_broken(imp, &table)?;
    let places = Places::load(imp)?;
    let source_id = imp.source_id();
    let mut seen: HashMap<&str, Seen> = HashMap::new();
    let mut rejections = Vec::new();
    let (mut searches, mut seizures) = (0u64, 0u64);
    {
        let tx = imp.tx();
        for rec in &table.records {
            let row = match parse(rec, &c, &more, ctx, &places) {
                Ok(row) => row,
                Err(r) => {
                    rejections.push(r);
                    continue;
                }
            };
            match admit(tx, rec, &row, &mut seen).map_err(|e| imp.sql_err(e))? {
                Err(r) => rejections.push(r),
                Ok(n) => {
                    store(tx, rec, &row, n, source_id).map_err(|e| imp.sql_err(e))?;
                    searches += u64::from(n.new_search);
                    seizures += u64::from(n.device > 0);
                }
            }
        }
    }
    let accepted = table.records.len() as u64 - rejections.len() as u64;
    for r in rejections {
        imp.reject(r)?;
    }
    let found: usize = seen.values().filter(|s| s.found).count();
    Ok(Loaded {
        accepted,
        summary: format!(
            "{searches} searches ({found} found something), {seizures} devices seized"
        ),
    })
}

fn parse<'r>(
    rec: &'r Record,
    c: &[usize],
    more: &More,
    ctx: &Ctx<'_>,
    places: &Places,
) -> Result<Row<'r>, Rejection> {
    let e = RowErr { rec };
    let need = |i: usize| {
        let name = COLS[i].name;
        field(rec, Some(c[i])).ok_or_else(|| e.field(name, format!("missing {name}")))
    };
    let (search, facility, zone) = (need(0)?, need(1)?, need(2)?);
    let cell = field(rec, Some(c[3]));
    let day = parse_date(need(4)?).map_err(|x| e.field("date", x))?;
    let outcome = need(5)?;
    let found = match outcome.to_ascii_lowercase().as_str() {
        "found" => true,
        "nothing_found" => false,
        _ => {
            return Err(e.field(
                "outcome",
                format!("unknown outcome `{outcome}`; expected `found` or `nothing_found`"),
            ));
        }
    };
    let imei = field(rec, more.imei)
        .map(|v| Imei::parse(v).map_err(|x| e.field("seized_imei", x.to_string())))
        .transpose()?;
    let imsi = field(rec, more.imsi)
        .map(|v| Imsi::parse(v, &ctx.mnc).map_err(|x| e.field("seized_imsi", x.to_string())))
        .transpose()?;
    let device = imei.is_some() || imsi.is_some();
    if found && !device {
        return Err(e.field(
            "seized_imei",
            "outcome `found` needs the seized device's IMEI or IMSI (one of them may be empty, not both)",
        ));
    }
    if !found && device {
        return Err(e.field(
            "outcome",
            "outcome `nothing_found` but a seized device is listed",
        ));
    }
    places
        .check(facility, Some(zone), cell)
        .map_err(|(f, why)| e.field(f, why))?;
    Ok(Row {
        search,
        facility,
        zone,
        cell,
        day,
        found,
        plan: field(rec, more.plan),
        imei,
        imsi,
    })
}

/// What an accepted row adds.
#[derive(Clone, Copy)]
struct Adds {
    /// The row is the search's first: it creates the search.
    new_search: bool,
    /// The device's 1-based number within the search; 0 when nothing was found.
    device: usize,
}

/// Checks a parsed row against the search's earlier rows and the catalog.
fn admit<'r>(
    tx: &Transaction<'_>,
    rec: &Record,
    row: &Row<'r>,
    seen: &mut HashMap<&'r str, Seen>,
) -> rusqlite::Result<Result<Adds, Rejection>> {
    let e = RowErr { rec };
    let Some(first) = seen.get_mut(row.search) else {
        let earlier: Option<(String, u64)> = tx
            .prepare_cached(
                "SELECT f.path, s.source_line FROM searches s
                 JOIN source_files f ON f.id = s.source_file_id WHERE s.id = ?1",
            )?
            .query_row([row.search], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((path, line)) = earlier {
            return Ok(Err(e.field(
                "search_id",
                format!(
                    "search `{}` already recorded from `{path}` line {line}",
                    row.search
                ),
            )));
        }
        seen.insert(
            row.search,
            Seen {
                line: rec.line,
                facility: row.facility.into(),
                zone: row.zone.into(),
                cell: row.cell.map(Into::into),
                day: row.day,
                found: row.found,
                plan: row.plan.map(Into::into),
                devices: vec![(row.imei, row.imsi, rec.line)],
            },
        );
        return Ok(Ok(Adds {
            new_search: true,
            device: usize::from(row.found),
        }));
    };
    let differs = |name: &str, was: &str, now: &str| {
        e.field(
            name,
            format!(
                "search `{}` has {name} `{was}` at line {}, this row says `{now}`",
                row.search, first.line
            ),
        )
    };
    let opt = |v: Option<&str>| v.unwrap_or("").to_owned();
    let checks = [
        (
            "facility_id",
            first.facility.clone(),
            row.facility.to_owned(),
        ),
        ("zone_id", first.zone.clone(), row.zone.to_owned()),
        ("cell_no", opt(first.cell.as_deref()), opt(row.cell)),
        ("date", first.day.to_string(), row.day.to_string()),
        ("plan_ref", opt(first.plan.as_deref()), opt(row.plan)),
    ];
    if let Some((name, was, now)) = checks.iter().find(|(_, was, now)| was != now) {
        return Ok(Err(differs(name, was, now)));
    }
    if first.found != row.found {
        let word = |f: bool| if f { "found" } else { "nothing_found" };
        return Ok(Err(differs("outcome", word(first.found), word(row.found))));
    }
    if !row.found {
        return Ok(Err(e.row(format!(
            "search `{}` is already recorded as nothing found at line {}",
            row.search, first.line
        ))));
    }
    // The same device twice: same IMEI, or same IMSI (a device read only partly is still the
    // same device when what was read matches).
    let same = |(imei, imsi, _): &&(Option<Imei>, Option<Imsi>, u64)| {
        (row.imei.is_some() && *imei == row.imei) || (row.imsi.is_some() && *imsi == row.imsi)
    };
    if let Some((_, _, line)) = first.devices.iter().find(same) {
        return Ok(Err(e.row(format!(
            "device already listed for search `{}` at line {line}",
            row.search
        ))));
    }
    first.devices.push((row.imei, row.imsi, rec.line));
    Ok(Ok(Adds {
        new_search: false,
        device: first.devices.len(),
    }))
}

fn store(
    tx: &Transaction<'_>,
    rec: &Record,
    row: &Row<'_>,
    adds: Adds,
    source: i64,
) -> rusqlite::Result<()> {
    if adds.new_search {
        tx.prepare_cached(
            "INSERT INTO searches (id, facility_id, zone_id, cell_no, day, found, plan_ref,
                                   source_file_id, source_line)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            row.search,
            row.facility,
            row.zone,
            row.cell,
            row.day.to_string(),
            row.found,
            row.plan,
            source,
            rec.line
        ])?;
    }
    if adds.device == 0 {
        return Ok(());
    }
    // Keys fit SQLite's signed integers: an IMEI key has 14 digits, an IMSI key at most 16.
    let key = |k: u64| i64::try_from(k).ok();
    tx.prepare_cached(
        "INSERT INTO seizures (search_id, imei, imsi, imei_key, imsi_key, exhibit_ref,
                               source_file_id, source_line)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        row.search,
        row.imei.map(|i| i.to_string()),
        row.imsi.map(|i| i.to_string()),
        row.imei.and_then(|i| key(i.key())),
        row.imsi.and_then(|i| key(i.key())),
        format!("{}/{}", row.search, adds.device),
        source,
        rec.line
    ])?;
    let seizure = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT INTO custody (seizure_id, seq, at, action, holder, note)
         VALUES (?1, 1, ?2, 'seized', ?3, ?4)",
    )?
    .execute(params![
        seizure,
        row.day.to_string(),
        row.facility,
        format!("search `{}`", row.search)
    ])?;
    Ok(())
}
