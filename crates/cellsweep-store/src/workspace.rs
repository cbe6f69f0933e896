//! Creating and opening a workspace directory, and migrating its catalog.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::import::{Import, NewSource, QuarantinedRow, SourceFile};
use crate::{CONFIG_FILE, Error, WorkspaceConfig};

/// Name of the SQLite catalog at the workspace root.
pub const CATALOG_FILE: &str = "catalog.sqlite";

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
/// Never edit a shipped migration: add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_catalog.sql"),
    include_str!("migrations/002_events.sql"),
    include_str!("migrations/003_detect.sql"),
    include_str!("migrations/004_records.sql"),
    include_str!("migrations/005_interdict.sql"),
];

/// An open workspace.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    config: WorkspaceConfig,
    conn: Connection,
}

impl Workspace {
    /// Creates a workspace in `dir`, which must not exist or be empty.
    pub fn init(dir: &Path) -> Result<Self, Error> {
        let io = |source| Error::Io {
            path: dir.into(),
            source,
        };
        if dir.exists() {
            if std::fs::read_dir(dir).map_err(io)?.next().is_some() {
                return Err(Error::NotEmpty { path: dir.into() });
            }
        } else {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let config = WorkspaceConfig::default();
        // Write to a temporary name then rename, so a crash never leaves half a settings file.
        let tmp = dir.join(format!("{CONFIG_FILE}.tmp"));
        std::fs::write(&tmp, config.render()).map_err(|source| Error::Io {
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, dir.join(CONFIG_FILE)).map_err(io)?;
        Self::open(dir)
    }

    /// Opens an existing workspace, migrating its catalog to the current schema.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let config = WorkspaceConfig::load(dir)?;
        let path = dir.join(CATALOG_FILE);
        let sql = |source| Error::Sqlite {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(sql)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(sql)?;
        // WAL lets readers (the server, `ref stats`) run while an import writes; NORMAL
        // synchronous is durable at every commit under WAL except on power loss, where the
        // last transaction may roll back, never half-apply.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(sql)?;
        migrate(&mut conn).map_err(sql)?;
        Ok(Self {
            root: dir.into(),
            config,
            conn,
        })
    }

    /// The workspace directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The settings read from `workspace.toml`.
    pub fn config(&self) -> &WorkspaceConfig {
        &self.config
    }

    /// The catalog connection, for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn sql_err(&self, source: rusqlite::Error) -> Error {
        Error::Sqlite {
            path: self.root.join(CATALOG_FILE),
            source,
        }
    }

    /// The earlier import of the same content under the same kind, if any.
    pub fn find_source(&self, kind: &str, sha256: &str) -> Result<Option<SourceFile>, Error> {
        self.conn
            .query_row(
                &format!("{} WHERE kind = ?1 AND sha256 = ?2", SourceFile::SELECT),
                params![kind, sha256],
                SourceFile::from_row,
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Every imported file, oldest first.
    pub fn sources(&self) -> Result<Vec<SourceFile>, Error> {
        let mut stmt = self
            .conn
            .prepare(&format!("{} ORDER BY id", SourceFile::SELECT))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], SourceFile::from_row)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// Quarantined rows, optionally of one source file, in file order; at most `limit`.
    pub fn quarantined(
        &self,
        source_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<QuarantinedRow>, Error> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT q.source_file_id, s.path, s.kind, q.line, q.field, q.reason, q.raw
                 FROM quarantine q JOIN source_files s ON s.id = q.source_file_id
                 WHERE ?1 IS NULL OR q.source_file_id = ?1
                 ORDER BY q.source_file_id, q.line, q.id LIMIT ?2",
            )
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![source_id, limit as i64], |r| {
            Ok(QuarantinedRow {
                source_id: r.get(0)?,
                path: r.get(1)?,
                kind: r.get(2)?,
                line: r.get(3)?,
                field: r.get(4)?,
                reason: r.get(5)?,
                raw: r.get(6)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Starts an import: one transaction that commits the file's provenance, its accepted
    /// rows and its quarantine together, or nothing.
    pub fn begin_import(&mut self, source: NewSource) -> Result<Import<'_>, Error> {
        let path = self.root.join(CATALOG_FILE);
        Import::begin(&mut self.conn, path, source)
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if done >= MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    // Re-read inside the lock: another process may have migrated meanwhile.
    let done: usize = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for sql in &MIGRATIONS[done.min(MIGRATIONS.len())..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_refuses_non_empty_and_open_refuses_non_workspace() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), "x").unwrap();
        let err = Workspace::init(dir.path()).unwrap_err();
        assert!(matches!(err, Error::NotEmpty { .. }), "{err}");
        let err = Workspace::open(dir.path()).unwrap_err();
        assert!(matches!(err, Error::NotAWorkspace { .. }), "{err}");
    }

    #[test]
    fn reopen_keeps_settings_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        Workspace::init(&ws).unwrap();
        let again = Workspace::open(&ws).unwrap();
        assert_eq!(again.config().region, "FR");
        std::fs::write(ws.join(CONFIG_FILE), "format = 1\nregoin = \"FR\"\n").unwrap();
        let err = Workspace::open(&ws).unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err}");
        std::fs::write(ws.join(CONFIG_FILE), "format = 99\n").unwrap();
        let err = Workspace::open(&ws).unwrap_err().to_string();
        assert!(err.contains("format 99"), "{err}");
    }
}
