//! The crate's error type, split by who must act: the user (a file, a reference, a state that
//! does not allow what was asked) or us (`Internal`).

use std::path::PathBuf;

/// A bad row of a candidates file: where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column at fault.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, field `{}`: {}",
            self.line, self.field, self.reason
        )
    }
}

/// What can stop an interdiction command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not a candidates file (wrong columns).
    #[error("`{}` is not a candidates file: expected the columns `{expected}`, found `{found}`", path.display())]
    NotCandidates {
        /// The file.
        path: PathBuf,
        /// The columns `detect` writes.
        expected: String,
        /// The header found.
        found: String,
    },
    /// The file was not written by `cellsweep detect` on this workspace.
    #[error("`{}` was not written by `cellsweep detect` on this workspace (sha256 {sha256}); approve only the files detect writes, unedited", path.display())]
    UnknownCandidates {
        /// The file.
        path: PathBuf,
        /// Its content hash.
        sha256: String,
    },
    /// The file is older than what the workspace now knows.
    #[error("`{}` is stale: {why}", path.display())]
    StaleCandidates {
        /// The file.
        path: PathBuf,
        /// What happened since it was written.
        why: String,
    },
    /// Rows of the file are not valid.
    #[error("`{}` has {total} invalid rows; nothing was approved:\n  {}", path.display(), rows.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    BadCandidates {
        /// The file.
        path: PathBuf,
        /// The first bad rows.
        rows: Vec<RowError>,
        /// How many rows are bad.
        total: usize,
    },
    /// No row meets the approval policy.
    #[error("no row of `{}` meets the policy ({policy}); nothing was approved", path.display())]
    NothingApproved {
        /// The file.
        path: PathBuf,
        /// The policy in words.
        policy: String,
    },
    /// An argument is invalid (a date, a probability, an empty reason).
    #[error("{0}")]
    Invalid(String),
    /// The workspace lacks what the command needs.
    #[error("{0}")]
    Missing(String),
    /// A disable request reference is unknown.
    #[error("no disable request `{0}` in the workspace")]
    UnknownRequest(String),
    /// A disable request reference is already used.
    #[error("a disable request `{0}` already exists; references are unique")]
    DuplicateRequest(String),
    /// A device is not part of a request.
    #[error("device `{device}` is not part of disable request `{reference}`")]
    NotInRequest {
        /// The request.
        reference: String,
        /// The device.
        device: String,
    },
    /// A transition the state machine does not allow.
    #[error(
        "device `{device}` in request `{reference}` is `{from}`; it cannot become `{to}` (allowed from `{from}`: {allowed})"
    )]
    Transition {
        /// The request.
        reference: String,
        /// The device.
        device: String,
        /// Its state.
        from: String,
        /// The state asked for.
        to: String,
        /// What the state allows.
        allowed: String,
    },
    /// A file could not be read or written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The zip archive could not be written.
    #[error("cannot write the archive `{}`", path.display())]
    Zip {
        /// The archive.
        path: PathBuf,
        /// What the zip writer said.
        #[source]
        source: zip::result::ZipError,
    },
    /// A candidates file could not be parsed as CSV.
    #[error("cannot read `{}` as CSV", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV reader said.
        #[source]
        source: csv::Error,
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
    /// A bug in cellsweep.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Wraps an IO error with its path.
pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.into(),
        source,
    }
}
