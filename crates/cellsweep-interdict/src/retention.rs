//! Retention: every dataset carries a date after which its personal data are erased.
//!
//! | dataset | date | erasing it removes |
//! |---|---|---|
//! | operator events of a file | its own date (`retention set`), else import day + `events_days` | its Parquet parts and their catalog rows, its quarantined rows, the derived detection tables |
//! | quarantined rows of a file | its own date, else import day + `quarantine_days` | the rows (counts stay in the provenance row) |
//! | a block-list generation | generation day + `lists_days` | its zip and its list rows; never the latest generation, which is in force |
//!
//! Crash safety: the catalog changes first, in one transaction per dataset together with its
//! erasure audit entry; files go after. A file left behind by a crash is not listed any more,
//! and the next run removes it (the event store's orphan cleaning, and the lists directory's).
//! Provenance rows stay, marked `erased_at`, so that the audit can still say what was held.

use std::path::Path;

use cellsweep_store::rusqlite::params;
use cellsweep_store::{Action, AuditEntry, Workspace};
use jiff::civil::Date;
use serde::Serialize;

use crate::Error;
use crate::error::io;
use crate::generate::LISTS_DIR;
use crate::util::{now, parse_date, require};

/// The ingest's dataset kind for operator events.
const EVENTS_KIND: &str = "events";

/// What a dataset is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dataset {
    /// The operator events of one file.
    Events {
        /// Source id.
        source: i64,
        /// The file.
        path: String,
        /// Parquet parts.
        parts: u64,
    },
    /// The quarantined rows of one file.
    Quarantine {
        /// Source id.
        source: i64,
        /// The file.
        path: String,
        /// Rows.
        rows: u64,
    },
    /// One block-list generation.
    Lists {
        /// Generation.
        generation: i64,
    },
}

impl Dataset {
    /// `source:12:events`, `source:12:quarantine`, `lists:3`.
    pub fn object(&self) -> String {
        match self {
            Dataset::Events { source, .. } => format!("source:{source}:events"),
            Dataset::Quarantine { source, .. } => format!("source:{source}:quarantine"),
            Dataset::Lists { generation } => format!("lists:{generation}"),
        }
    }
}

/// A dataset and its retention date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retained {
    /// The dataset.
    pub dataset: Dataset,
    /// Last day it is kept.
    pub until: Date,
    /// Whether its date is its own (set by a user) rather than its kind's default.
    pub own_date: bool,
    /// Whether it has expired on the day asked.
    pub expired: bool,
}

/// Every dataset still held, with its retention date, as of `day`.
pub fn plan(ws: &Workspace, day: Date) -> Result<Vec<Retained>, Error> {
    let cfg = &ws.config().retention;
    let mut out = Vec::new();
    let mut stmt = ws.conn().prepare(
        "SELECT s.id, s.kind, s.path, s.imported_at, s.retain_until,
                (SELECT count(*) FROM event_parts p WHERE p.source_file_id = s.id),
                (SELECT count(*) FROM quarantine q WHERE q.source_file_id = s.id)
         FROM source_files s WHERE s.erased_at IS NULL OR
              EXISTS (SELECT 1 FROM quarantine q WHERE q.source_file_id = s.id)
         ORDER BY s.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, u64>(5)?,
            r.get::<_, u64>(6)?,
        ))
    })?;
    for r in rows {
        let (source, kind, path, imported, own, parts, quarantined) = r?;
        let imported_day = imported
            .parse::<jiff::Timestamp>()
            .map_err(|e| Error::Internal(format!("bad import time `{imported}`: {e}")))?
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let own = own
            .map(|d| parse_date("stored retention date", &d))
            .transpose()?;
        let after = |days: u32| -> Result<Date, Error> {
            imported_day
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .map_err(|e| Error::Internal(format!("retention date: {e}")))
        };
        if kind == EVENTS_KIND && parts > 0 {
            let until = match own {
                Some(d) => d,
                None => after(cfg.events_days)?,
            };
            out.push(Retained {
                dataset: Dataset::Events {
                    source,
                    path: path.clone(),
                    parts,
                },
                until,
                own_date: own.is_some(),
                expired: until < day,
            });
        }
        if quarantined > 0 {
            let until = match own {
                Some(d) => d,
                None => after(cfg.quarantine_days)?,
            };
            out.push(Retained {
                dataset: Dataset::Quarantine {
                    source,
                    path,
                    rows: quarantined,
                },
                until,
                own_date: own.is_some(),
                expired: until < day,
            });
        }
    }
    let latest: Option<i64> = ws.conn().query_row(
        "SELECT max(id) FROM list_generations WHERE erased_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    let mut stmt = ws.conn().prepare(
        "SELECT id, retain_until FROM list_generations WHERE erased_at IS NULL ORDER BY id",
    )?;
    for r in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (generation, until) = r?;
        let until = parse_date("stored retention date", &until)?;
        out.push(Retained {
            dataset: Dataset::Lists { generation },
            until,
            own_date: false,
            // The generation in force is never erased.
            expired: until < day && Some(generation) != latest,
        });
    }
    Ok(out)
}

/// Sets a file's own retention date (a legal hold extends it, a court order shortens it).
pub fn set(ws: &Workspace, source: i64, until: Date, by: &str, reason: &str) -> Result<(), Error> {
    require("`--by`", by)?;
    require("`--reason`", reason)?;
    let tx = ws.conn().unchecked_transaction()?;
    let n = tx.execute(
        "UPDATE source_files SET retain_until = ?1 WHERE id = ?2 AND erased_at IS NULL",
        params![until.to_string(), source],
    )?;
    if n == 0 {
        return Err(Error::Invalid(format!(
            "no source {source} with data still held in this workspace (see `cellsweep retention show`)"
        )));
    }
    ws.audit(&AuditEntry {
        actor: by.into(),
        action: Action::Alteration,
        object: format!("source:{source}"),
        justification: reason.into(),
        recipients: vec![],
        detail: format!("retention set: kept until {until}"),
    })?;
    tx.commit()?;
    Ok(())
}

/// What `apply` erased.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    /// Datasets erased.
    pub datasets: Vec<Dataset>,
    /// Event parts removed from the catalog.
    pub parts: u64,
    /// Event rows they held.
    pub event_rows: u64,
    /// Quarantined rows removed.
    pub quarantine_rows: u64,
    /// Files removed from disk (parts, zips, orphans of earlier runs, derived tables).
    pub files: u64,
}

/// Erases every expired dataset as of `day`, each with an erasure audit entry.
pub fn apply(ws: &mut Workspace, day: Date, by: &str, reason: &str) -> Result<Erased, Error> {
    require("`--by`", by)?;
    require("`--reason`", reason)?;
    let mut out = Erased::default();
    let mut events_erased = false;
    for r in plan(ws, day)?.into_iter().filter(|r| r.expired) {
        let tx = ws.conn().unchecked_transaction()?;
        let detail = match &r.dataset {
            Dataset::Events { source, path, .. } => {
                let (parts, rows): (u64, u64) = tx.query_row(
                    "SELECT count(*), coalesce(sum(rows), 0) FROM event_parts WHERE source_file_id = ?1",
                    [source],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                tx.execute(
                    "DELETE FROM event_parts WHERE source_file_id = ?1",
                    [source],
                )?;
                let q = tx.execute("DELETE FROM quarantine WHERE source_file_id = ?1", [source])?;
                tx.execute(
                    "UPDATE source_files SET erased_at = ?1 WHERE id = ?2",
                    params![now(), source],
                )?;
                out.parts += parts;
                out.event_rows += rows;
                out.quarantine_rows += q as u64;
                events_erased = true;
                format!(
                    "retention apply: events of `{path}` erased ({parts} parts, {rows} rows, {q} quarantined rows); kept until {}",
                    r.until
                )
            }
            Dataset::Quarantine { source, path, .. } => {
                let q = tx.execute("DELETE FROM quarantine WHERE source_file_id = ?1", [source])?;
                out.quarantine_rows += q as u64;
                format!(
                    "retention apply: {q} quarantined rows of `{path}` erased; kept until {}",
                    r.until
                )
            }
            Dataset::Lists { generation } => {
                let n = tx.execute(
                    "DELETE FROM list_entries WHERE generation = ?1",
                    [generation],
                )?;
                tx.execute(
                    "UPDATE list_generations SET erased_at = ?1 WHERE id = ?2",
                    params![now(), generation],
                )?;
                format!(
                    "retention apply: block-list generation {generation} erased ({n} rows); kept until {}",
                    r.until
                )
            }
        };
        ws.audit(&AuditEntry {
            actor: by.into(),
            action: Action::Erasure,
            object: r.dataset.object(),
            justification: reason.into(),
            recipients: vec![],
            detail,
        })?;
        tx.commit()?;
        out.datasets.push(r.dataset);
    }
    // Files after the catalog: what the catalog no longer lists goes.
    out.files += ws.clean_event_orphans()?;
    out.files += clean_lists(ws)?;
    if events_erased {
        let derived = ws.root().join("derived").join("detect");
        if derived.exists() {
            out.files += count_files(&derived);
            std::fs::remove_dir_all(&derived).map_err(io(&derived))?;
        }
    }
    Ok(out)
}

/// Removes zips of erased generations and files the catalog does not list.
fn clean_lists(ws: &Workspace) -> Result<u64, Error> {
    let dir = ws.root().join(LISTS_DIR);
    if !dir.exists() {
        return Ok(0);
    }
    let mut stmt = ws
        .conn()
        .prepare("SELECT zip_path FROM list_generations WHERE erased_at IS NULL")?;
    let keep: std::collections::HashSet<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut removed = 0;
    for e in std::fs::read_dir(&dir).map_err(io(&dir))? {
        let e = e.map_err(io(&dir))?;
        let rel = format!("{LISTS_DIR}/{}", e.file_name().to_string_lossy());
        if !keep.contains(&rel) {
            let p = e.path();
            std::fs::remove_file(&p).map_err(io(&p))?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn count_files(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count_files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
