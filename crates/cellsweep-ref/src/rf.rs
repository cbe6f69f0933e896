//! In-prison RF detector logs: one row per detected transmission burst, false alarms included.
//!
//! Columns (`docs/records.md`): `detector_id`, `facility_id`, `zone_id` (where the detector
//! is), `time` (RFC 3339, or local in the workspace's zone: `clock.rs`), optional `band`.
//! Stored as microseconds since the epoch, UTC.
//!
//! Two phones in one wing can burst in the same second on the same band, so identical rows
//! within a file are kept. A row identical to one already recorded from another file (an
//! overlapping export) is quarantined with a pointer to it.

use std::collections::BTreeSet;

use cellsweep_store::rusqlite::{OptionalExtension, params};
use cellsweep_store::{Import, Rejection};

use crate::Error;
use crate::clock::Clock;
use crate::common::{Col, RowErr, load_tx, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::phones::has_rows;
use crate::places::Places;
use crate::text::{Record, Table, field};

struct Burst<'r> {
    detector: &'r str,
    facility: &'r str,
    zone: &'r str,
    at_us: i64,
    band: Option<&'r str>,
    line: u64,
}

const COLS: [Col; 4] = [
    Col {
        name: "detector_id",
        aliases: &["detector_id", "detector"],
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
        name: "time",
        aliases: &["time", "at"],
    },
];

pub(crate) fn import_rf(imp: &mut Import<'_>, ctx: &Ctx<'_>, text: &str) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let c = require(&table, ctx, &COLS)?;
    let band = table.column(&["band"]);
    reject_broken(imp, &table)?;
    let clock = Clock::new(ctx)?;
    let places = Places::load(imp)?;
    let earlier = has_rows(imp, "rf_detections")?;
    let source_id = imp.source_id();
    let rows = load_tx(
        imp,
        &table.records,
        "INSERT INTO rf_detections (detector_id, facility_id, zone_id, at_us, band, source_file_id,
                                    source_line)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        |tx, rec| {
            let b = match burst(rec, &c, band, &clock, &places) {
                Ok(b) => b,
                Err(r) => return Ok(Err(r)),
            };
            if earlier
                && let Some((path, line)) = tx
                    .prepare_cached(
                        "SELECT f.path, d.source_line FROM rf_detections d
                         JOIN source_files f ON f.id = d.source_file_id
                         WHERE d.facility_id = ?1 AND d.zone_id = ?2 AND d.at_us = ?3
                           AND d.detector_id = ?4 AND d.band IS ?5 AND d.source_file_id != ?6
                         LIMIT 1",
                    )?
                    .query_row(
                        params![b.facility, b.zone, b.at_us, b.detector, b.band, source_id],
                        |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)),
                    )
                    .optional()?
            {
                return Ok(Err(RowErr { rec }.row(format!(
                    "detection already recorded from `{path}` line {line}"
                ))));
            }
            Ok(Ok(b))
        },
        |stmt, b, source| {
            stmt.execute(params![
                b.detector, b.facility, b.zone, b.at_us, b.band, source, b.line
            ])
        },
    )?;
    let detectors: BTreeSet<&str> = rows.iter().map(|b| b.detector).collect();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!("{} detections by {} detectors", rows.len(), detectors.len()),
    })
}

fn burst<'r>(
    rec: &'r Record,
    c: &[usize],
    band: Option<usize>,
    clock: &Clock,
    places: &Places,
) -> Result<Burst<'r>, Rejection> {
    let e = RowErr { rec };
    let need = |i: usize| {
        let name = COLS[i].name;
        field(rec, Some(c[i])).ok_or_else(|| e.field(name, format!("missing {name}")))
    };
    let (detector, facility, zone) = (need(0)?, need(1)?, need(2)?);
    let at_us = clock
        .instant(need(3)?)
        .map_err(|x| e.field("time", x))?
        .as_microsecond();
    places
        .check(facility, Some(zone), None)
        .map_err(|(f, why)| e.field(f, why))?;
    Ok(Burst {
        detector,
        facility,
        zone,
        at_us,
        band: field(rec, band),
        line: rec.line,
    })
}
