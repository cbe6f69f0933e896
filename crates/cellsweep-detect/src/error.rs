//! The crate's error type.

use std::path::PathBuf;

/// What can stop a detection run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The conditions file is invalid.
    #[error("invalid conditions `{origin}`: {reason}")]
    Conditions {
        /// File or `built-in`.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The workspace lacks what detection needs.
    #[error("{0}")]
    Missing(String),
    /// Stored data does not read back (a bug or a damaged workspace).
    #[error("unreadable workspace data: {0}")]
    Data(String),
    /// A file could not be read or written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The catalog failed.
    #[error(transparent)]
    Store(#[from] cellsweep_store::Error),
    /// A catalog query failed.
    #[error("catalog query failed")]
    Sqlite(#[from] cellsweep_store::rusqlite::Error),
    /// The query engine failed.
    #[error(transparent)]
    Query(#[from] cellsweep_query::Error),
}
