//! The crate's error type.

use std::path::PathBuf;

/// What can stop localisation, planning or evaluation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The workspace lacks what the stage needs.
    #[error("{0}")]
    Missing(String),
    /// Stored data does not read back (a bug or a damaged workspace).
    #[error("unreadable workspace data: {0}")]
    Data(String),
    /// An input file is unusable; the message names the file, line and field.
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Detection tables could not be read.
    #[error(transparent)]
    Detect(#[from] cellsweep_detect::Error),
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
