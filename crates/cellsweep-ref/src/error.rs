//! The crate's error type: problems with a file as a whole. Problems with single rows are not
//! errors; they are quarantined (see `cellsweep_store::Rejection`).

use std::path::PathBuf;

use crate::{Format, Kind};

/// A reference file that cannot be imported at all, or a workspace failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Nothing in the file says which format it is.
    #[error("`{}`: cannot recognise the format of this {kind} file ({why}); pass `--format`, one of: {}", path.display(), Format::names_for(*kind))]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// The kind asked for.
        kind: Kind,
        /// What was seen.
        why: String,
    },
    /// `--format` names a format of another kind.
    #[error("format `{format}` holds {} data, not {kind}; formats for {kind}: {}", format.kind(), Format::names_for(*kind))]
    FormatKindMismatch {
        /// The format given.
        format: Format,
        /// The kind asked for.
        kind: Kind,
    },
    /// Required columns are absent.
    #[error("`{}`: missing column(s) {} for format `{format}`; found: {}", path.display(), quoted(missing), quoted(found))]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The format being read.
        format: Format,
        /// Columns that must be there.
        missing: Vec<String>,
        /// Columns that are there.
        found: Vec<String>,
    },
    /// The file is not valid JSON / GeoJSON at all.
    #[error("`{}` is not valid {what}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// `JSON` or `GeoJSON`.
        what: &'static str,
        /// The parser's message.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The file parses but its top-level structure is not what the format needs.
    #[error("`{}`: {reason}", path.display())]
    Structure {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The workspace's time zone, needed for times written without an offset, is unknown.
    #[error(
        "the workspace time zone `{name}` (`timezone` in workspace.toml) is not a known IANA time zone"
    )]
    TimeZone {
        /// The zone name.
        name: String,
        /// The zone database's answer.
        #[source]
        source: jiff::Error,
    },
    /// `replace` was asked for a kind whose rows others depend on.
    #[error("cannot replace every earlier row of {kind}: {why}")]
    ReplaceRefused {
        /// The kind.
        kind: Kind,
        /// Why not.
        why: &'static str,
    },
    /// The workspace failed.
    #[error(transparent)]
    Store(#[from] cellsweep_store::Error),
}

fn quoted(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
