//! The event store's part list: which Parquet files under `WS/events/` hold accepted operator
//! events, and the removal of files an interrupted ingest left behind.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rusqlite::params;

use crate::import::Import;
use crate::{Error, Workspace};

/// Directory of the event store, relative to the workspace root.
pub const EVENTS_DIR: &str = "events";

/// Staging directory for parts being written, relative to the workspace root.
pub const STAGING_DIR: &str = "events/.staging";

/// One Parquet part of the event store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPart {
    /// Path relative to the workspace root, `/`-separated.
    pub path: String,
    /// Delivering operator, `208-01`.
    pub operator: String,
    /// UTC day of its events, `2026-03-01`.
    pub day: String,
    /// Rows.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// Earliest event, µs since the epoch.
    pub time_min: i64,
    /// Latest event, µs since the epoch.
    pub time_max: i64,
}

/// The event paths of one UTC day ([`Workspace::event_scan_days`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanDay {
    /// `2026-03-01`.
    pub day: String,
    /// Rows listed for that day.
    pub rows: u64,
    /// Partition directories (with a trailing `/`) or parts.
    pub paths: Vec<PathBuf>,
}

impl Import<'_> {
    /// Lists a part of this file in the catalog (visible once the import commits).
    pub fn add_event_part(&mut self, p: &EventPart) -> Result<(), Error> {
        self.tx()
            .prepare_cached(
                "INSERT INTO event_parts (source_file_id, path, operator, day, rows, bytes,
                                          time_min, time_max)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    self.source_id(),
                    p.path,
                    p.operator,
                    p.day,
                    p.rows,
                    p.bytes,
                    p.time_min,
                    p.time_max
                ])
            })
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Sets the file's SHA-256 once known (an importer may hash while it reads, after
    /// beginning with a placeholder). Fails if the same content under the same kind was
    /// imported meanwhile.
    pub fn set_sha256(&mut self, sha256: &str) -> Result<(), Error> {
        self.tx()
            .execute(
                "UPDATE source_files SET sha256 = ?1 WHERE id = ?2",
                params![sha256, self.source_id()],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Records the time range of the file's accepted events (RFC 3339 UTC).
    pub fn set_time_range(&mut self, min: &str, max: &str) -> Result<(), Error> {
        self.tx()
            .execute(
                "UPDATE source_files SET time_min = ?1, time_max = ?2 WHERE id = ?3",
                params![min, max, self.source_id()],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }
}

impl Workspace {
    /// Whether a file of this kind and exactly this size was imported: when not, a new file
    /// cannot be a re-import, and its SHA-256 can be computed while it is read.
    pub fn has_source_of_size(&self, kind: &str, bytes: u64) -> Result<bool, Error> {
        self.conn()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM source_files WHERE kind = ?1 AND bytes = ?2)",
                params![kind, bytes],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
    }

    /// Event parts, optionally of one source file, ordered by path.
    pub fn event_parts(&self, source_id: Option<i64>) -> Result<Vec<EventPart>, Error> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT path, operator, day, rows, bytes, time_min, time_max FROM event_parts
                 WHERE ?1 IS NULL OR source_file_id = ?1 ORDER BY path",
            )
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([source_id], |r| {
            Ok(EventPart {
                path: r.get(0)?,
                operator: r.get(1)?,
                day: r.get(2)?,
                rows: r.get(3)?,
                bytes: r.get(4)?,
                time_min: r.get(5)?,
                time_max: r.get(6)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// The paths a query engine should read to see exactly the listed parts, as few as
    /// possible: a partition directory whose files on disk are exactly its listed parts is
    /// returned whole (with a trailing `/`), otherwise its listed parts one by one. Engines
    /// that open or stat every path of a table at planning time (DataFusion does) then stay
    /// within the process's open-file limit however many parts a delivery produced, and an
    /// interrupted ingest's orphans are still never read.
    pub fn event_scan_paths(&self) -> Result<Vec<PathBuf>, Error> {
        Ok(self
            .event_scan_days()?
            .into_iter()
            .flat_map(|d| d.paths)
            .collect())
    }

    /// [`Workspace::event_scan_paths`] grouped by UTC day (every operator's partition of that
    /// day), in day order, with the rows of each day: a statement whose result for one day
    /// does not depend on the other days can run day by day.
    pub fn event_scan_days(&self) -> Result<Vec<ScanDay>, Error> {
        let root = self.root();
        // (day, partition directory) -> listed parts; rows per day.
        let mut by_dir: std::collections::BTreeMap<(String, PathBuf), Vec<PathBuf>> =
            Default::default();
        let mut rows: std::collections::BTreeMap<String, u64> = Default::default();
        for p in self.event_parts(None)? {
            let path = root.join(&p.path);
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            *rows.entry(p.day.clone()).or_default() += p.rows;
            by_dir.entry((p.day, dir)).or_default().push(path);
        }
        let mut out: Vec<ScanDay> = Vec::new();
        for ((day, dir), listed) in by_dir {
            let mut on_disk = Vec::new();
            for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
                on_disk.push(entry.map_err(io(&dir))?.path());
            }
            let listed_set: HashSet<&PathBuf> = listed.iter().collect();
            let paths = if on_disk.len() == listed.len()
                && on_disk.iter().all(|f| listed_set.contains(f))
            {
                let mut d = dir.into_os_string();
                d.push("/");
                vec![PathBuf::from(d)]
            } else {
                listed
            };
            match out.last_mut() {
                Some(last) if last.day == day => last.paths.extend(paths),
                _ => out.push(ScanDay {
                    rows: rows.get(&day).copied().unwrap_or(0),
                    day,
                    paths,
                }),
            }
        }
        Ok(out)
    }

    /// Removes what interrupted ingests left under `events/`: the staging directory and every
    /// file the catalog does not list. Holds the catalog's write lock meanwhile, so no ingest
    /// is writing parts at the same time. Returns how many files were removed.
    pub fn clean_event_orphans(&mut self) -> Result<u64, Error> {
        let root = self.root().to_path_buf();
        let events = root.join(EVENTS_DIR);
        if !events.exists() {
            return Ok(0);
        }
        let catalog = root.join(crate::CATALOG_FILE);
        let sql = |source| Error::Sqlite {
            path: catalog.clone(),
            source,
        };
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        let listed: HashSet<String> = {
            let mut stmt = tx.prepare("SELECT path FROM event_parts").map_err(sql)?;
            stmt.query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect())
                .map_err(sql)?
        };
        let mut removed = 0;
        let staging = root.join(STAGING_DIR);
        if staging.exists() {
            removed += count_files(&staging)?;
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        let mut files = Vec::new();
        walk(&events, &mut files)?;
        for f in files {
            let rel = f
                .strip_prefix(&root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if !listed.contains(&rel) {
                std::fs::remove_file(&f).map_err(io(&f))?;
                removed += 1;
            }
        }
        remove_empty_dirs(&events)?;
        tx.commit().map_err(sql)?;
        Ok(removed)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.into(),
        source,
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if entry.file_type().map_err(io(&path))?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn count_files(dir: &Path) -> Result<u64, Error> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    Ok(files.len() as u64)
}

/// Removes empty directories below `dir` (not `dir` itself).
fn remove_empty_dirs(dir: &Path) -> Result<bool, Error> {
    let mut empty = true;
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if entry.file_type().map_err(io(&path))?.is_dir() && remove_empty_dirs(&path)? {
            std::fs::remove_dir(&path).map_err(io(&path))?;
        } else {
            empty = false;
        }
    }
    Ok(empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewSource;

    /// Starts the import of one events file.
    fn begin_events(ws: &mut Workspace) -> Import<'_> {
        ws.begin_import(NewSource {
            kind: "events".into(),
            format: "en-comma".into(),
            path: "x.csv".into(),
            sha256: "aa".into(),
            bytes: 1,
            request_ref: None,
        })
        .unwrap()
    }

    #[test]
    fn orphans_go_and_listed_parts_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
        let root = ws.root().to_path_buf();
        let part = EventPart {
            path: "events/operator=208-01/day=2026-03-01/aa-000000.parquet".into(),
            operator: "208-01".into(),
            day: "2026-03-01".into(),
            rows: 3,
            bytes: 10,
            time_min: 1,
            time_max: 2,
        };
        let mut imp = begin_events(&mut ws);
        imp.add_event_part(&part).unwrap();
        imp.set_time_range("2026-03-01T00:00:00Z", "2026-03-01T01:00:00Z")
            .unwrap();
        let s = imp.commit(3, None).unwrap();
        assert_eq!(s.time_min.as_deref(), Some("2026-03-01T00:00:00Z"));
        for f in [
            part.path.as_str(),
            "events/operator=208-01/day=2026-03-01/bb-000000.parquet",
            "events/operator=208-10/day=2026-03-02/bb-000001.parquet",
            "events/.staging/bb/000001-208-10-2026-03-02.parquet",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        // An orphan beside a listed part: the engine gets the part itself, not its directory.
        assert_eq!(ws.event_scan_paths().unwrap(), [root.join(&part.path)]);
        assert_eq!(ws.clean_event_orphans().unwrap(), 3);
        let dir = root.join("events/operator=208-01/day=2026-03-01/");
        assert_eq!(ws.event_scan_paths().unwrap(), [dir]);
        assert!(root.join(&part.path).exists());
        assert!(!root.join("events/operator=208-10").exists());
        assert!(!root.join(STAGING_DIR).exists());
        assert_eq!(ws.event_parts(None).unwrap(), [part]);
    }

    #[test]
    fn scan_days_gather_every_operator_of_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
        let root = ws.root().to_path_buf();
        let part = |op: &str, day: &str, rows: u64| EventPart {
            path: format!("events/operator={op}/day={day}/aa-{rows:06}.parquet"),
            operator: op.into(),
            day: day.into(),
            rows,
            bytes: 10,
            time_min: 1,
            time_max: 2,
        };
        let parts = [
            part("208-10", "2026-03-02", 5),
            part("208-01", "2026-03-01", 3),
            part("208-10", "2026-03-01", 4),
            part("208-10", "2026-03-01", 6),
        ];
        let mut imp = begin_events(&mut ws);
        for p in &parts {
            imp.add_event_part(p).unwrap();
            let f = root.join(&p.path);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, "x").unwrap();
        }
        imp.commit(18, None).unwrap();
        // An orphan in one directory of the first day: that directory is listed part by part.
        std::fs::write(
            root.join("events/operator=208-01/day=2026-03-01/zz-000000.parquet"),
            "x",
        )
        .unwrap();
        let days = ws.event_scan_days().unwrap();
        let d = |s: &str| root.join(s);
        assert_eq!(
            days,
            [
                ScanDay {
                    day: "2026-03-01".into(),
                    rows: 13,
                    paths: vec![
                        d(&parts[1].path),
                        d("events/operator=208-10/day=2026-03-01/"),
                    ],
                },
                ScanDay {
                    day: "2026-03-02".into(),
                    rows: 5,
                    paths: vec![d("events/operator=208-10/day=2026-03-02/")],
                },
            ]
        );
        let flat: Vec<PathBuf> = days.into_iter().flat_map(|d| d.paths).collect();
        assert_eq!(ws.event_scan_paths().unwrap(), flat);
    }
}
