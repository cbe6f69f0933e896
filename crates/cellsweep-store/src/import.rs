//! The import protocol: provenance, quarantine and accepted rows in one transaction.

use std::path::PathBuf;

use rusqlite::{Connection, Row, Transaction, TransactionBehavior, params};

use crate::Error;

/// What an importer knows about a file before reading it.
#[derive(Debug, Clone)]
pub struct NewSource {
    /// Dataset kind (`facilities`, `tac`, ... or an operator-data kind).
    pub kind: String,
    /// Recognised or forced format name.
    pub format: String,
    /// The path as the user gave it.
    pub path: String,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Legal request reference under which the data was obtained.
    pub request_ref: Option<String>,
}

/// A file recorded in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Catalog id.
    pub id: i64,
    /// Dataset kind.
    pub kind: String,
    /// Format name.
    pub format: String,
    /// Path as given at import.
    pub path: String,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Legal request reference.
    pub request_ref: Option<String>,
    /// RFC 3339 UTC time of the import.
    pub imported_at: String,
    /// Data rows read.
    pub rows_in: u64,
    /// Rows accepted.
    pub rows_accepted: u64,
    /// Rows quarantined.
    pub rows_quarantined: u64,
    /// Importer's note (e.g. what a row produced).
    pub note: Option<String>,
    /// Earliest accepted event (operator data), RFC 3339 UTC.
    pub time_min: Option<String>,
    /// Latest accepted event (operator data), RFC 3339 UTC.
    pub time_max: Option<String>,
}

impl SourceFile {
    pub(crate) const SELECT: &'static str = "SELECT id, kind, format, path, sha256, bytes, \
        request_ref, imported_at, rows_in, rows_accepted, rows_quarantined, note, time_min, time_max \
        FROM source_files";

    pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            kind: r.get(1)?,
            format: r.get(2)?,
            path: r.get(3)?,
            sha256: r.get(4)?,
            bytes: r.get(5)?,
            request_ref: r.get(6)?,
            imported_at: r.get(7)?,
            rows_in: r.get(8)?,
            rows_accepted: r.get(9)?,
            rows_quarantined: r.get(10)?,
            note: r.get(11)?,
            time_min: r.get(12)?,
            time_max: r.get(13)?,
        })
    }
}

/// A row that was not accepted, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line (or record number for formats without lines) in the file.
    pub line: u64,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// Why, in words a reader understands.
    pub reason: String,
    /// The row as it was in the file.
    pub raw: String,
}

impl Rejection {
    /// A rejection blamed on one field.
    pub fn field(
        line: u64,
        field: impl Into<String>,
        reason: impl Into<String>,
        raw: impl Into<String>,
    ) -> Self {
        Self {
            line,
            field: Some(field.into()),
            reason: reason.into(),
            raw: raw.into(),
        }
    }

    /// A rejection of the row as a whole.
    pub fn row(line: u64, reason: impl Into<String>, raw: impl Into<String>) -> Self {
        Self {
            line,
            field: None,
            reason: reason.into(),
            raw: raw.into(),
        }
    }
}

/// A quarantined row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    /// Source file id.
    pub source_id: i64,
    /// Source path.
    pub path: String,
    /// Dataset kind.
    pub kind: String,
    /// Line in the file.
    pub line: u64,
    /// Field at fault.
    pub field: Option<String>,
    /// Why.
    pub reason: String,
    /// Raw row text.
    pub raw: String,
}

/// An import in progress. Dropping it without [`Import::commit`] rolls everything back.
pub struct Import<'c> {
    tx: Transaction<'c>,
    path: PathBuf,
    source_id: i64,
    quarantined: u64,
}

impl<'c> Import<'c> {
    pub(crate) fn begin(
        conn: &'c mut Connection,
        path: PathBuf,
        s: NewSource,
    ) -> Result<Self, Error> {
        let sql = |source| Error::Sqlite {
            path: path.clone(),
            source,
        };
        // IMMEDIATE takes the write lock now, so two imports of the same file cannot both
        // pass the "already imported?" check and race.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let now = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .map_err(|e| Error::Internal(format!("cannot round the current time: {e}")))?;
        tx.execute(
            "INSERT INTO source_files (kind, format, path, sha256, bytes, request_ref, imported_at,
                                       rows_in, rows_accepted, rows_quarantined)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, 0)",
            params![
                s.kind,
                s.format,
                s.path,
                s.sha256,
                s.bytes,
                s.request_ref,
                now.to_string()
            ],
        )
        .map_err(sql)?;
        let source_id = tx.last_insert_rowid();
        Ok(Self {
            tx,
            path,
            source_id,
            quarantined: 0,
        })
    }

    /// The catalog id of the file being imported; accepted rows reference it.
    pub fn source_id(&self) -> i64 {
        self.source_id
    }

    /// The transaction, for the importer's own inserts.
    pub fn tx(&self) -> &Transaction<'c> {
        &self.tx
    }

    /// Wraps a SQLite error with the catalog path.
    pub fn sql_err(&self, source: rusqlite::Error) -> Error {
        Error::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Puts a row in quarantine.
    pub fn reject(&mut self, r: Rejection) -> Result<(), Error> {
        self.tx
            .prepare_cached(
                "INSERT INTO quarantine (source_file_id, line, field, reason, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![self.source_id, r.line, r.field, r.reason, r.raw])
            })
            .map_err(|e| self.sql_err(e))?;
        self.quarantined += 1;
        Ok(())
    }

    /// Rows quarantined so far.
    pub fn quarantined(&self) -> u64 {
        self.quarantined
    }

    /// Records the counts and commits everything at once.
    pub fn commit(self, accepted: u64, note: Option<String>) -> Result<SourceFile, Error> {
        let rows_in = accepted + self.quarantined;
        let sql = |source| Error::Sqlite {
            path: self.path.clone(),
            source,
        };
        self.tx
            .execute(
                "UPDATE source_files SET rows_in = ?1, rows_accepted = ?2, rows_quarantined = ?3,
                 note = ?4 WHERE id = ?5",
                params![rows_in, accepted, self.quarantined, note, self.source_id],
            )
            .map_err(sql)?;
        let source = self
            .tx
            .query_row(
                &format!("{} WHERE id = ?1", SourceFile::SELECT),
                [self.source_id],
                SourceFile::from_row,
            )
            .map_err(sql)?;
        self.tx.commit().map_err(sql)?;
        Ok(source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    fn source(sha: &str) -> NewSource {
        NewSource {
            kind: "tac".into(),
            format: "osmocom".into(),
            path: "tacdb.csv".into(),
            sha256: sha.into(),
            bytes: 1,
            request_ref: Some("REQ-1".into()),
        }
    }

    #[test]
    fn commit_records_counts_and_quarantine() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
        let mut imp = ws.begin_import(source("aa")).unwrap();
        imp.reject(Rejection::field(7, "tac", "9 digits", "123456789,x"))
            .unwrap();
        imp.reject(Rejection::row(9, "2 columns, expected 8", "a,b"))
            .unwrap();
        let s = imp.commit(40, None).unwrap();
        assert_eq!(
            (s.rows_in, s.rows_accepted, s.rows_quarantined),
            (42, 40, 2)
        );
        assert_eq!(ws.find_source("tac", "aa").unwrap().unwrap(), s);
        assert!(ws.find_source("ledger", "aa").unwrap().is_none());
        let q = ws.quarantined(Some(s.id), 10).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!((q[0].line, q[0].field.as_deref()), (7, Some("tac")));
    }

    #[test]
    fn dropped_import_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
        {
            let mut imp = ws.begin_import(source("bb")).unwrap();
            imp.reject(Rejection::row(1, "x", "y")).unwrap();
            // Dropped: simulates a crash or an error half-way.
        }
        assert!(ws.sources().unwrap().is_empty());
        assert!(ws.quarantined(None, 10).unwrap().is_empty());
    }

    #[test]
    fn same_content_twice_is_refused_by_the_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
        ws.begin_import(source("cc"))
            .unwrap()
            .commit(1, None)
            .unwrap();
        assert!(ws.begin_import(source("cc")).is_err());
    }
}
