//! The crate's error type: problems with a file as a whole, split by who must act.
//! Problems with single rows are not errors; they are quarantined (`cellsweep_store::Rejection`).

use std::path::PathBuf;

/// A delivery that cannot be ingested at all, a profile that cannot be used, or a workspace
/// failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be read or a part cannot be written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// `--profile` names no shipped profile and no readable file.
    #[error("unknown profile `{name}`; shipped profiles: {}", crate::profile::builtin_names().join(", "))]
    UnknownProfile {
        /// What was asked for.
        name: String,
    },
    /// A profile file is not valid TOML or breaks a profile rule.
    #[error("invalid profile `{name}`: {reason}")]
    InvalidProfile {
        /// The profile name or path.
        name: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// No profile was given and none recognises the file.
    #[error("`{}`: no profile recognises this file ({why}); pass `--profile`", path.display())]
    Unrecognised {
        /// The file.
        path: PathBuf,
        /// What was seen.
        why: String,
    },
    /// The header does not have the columns the profile names.
    #[error("`{}`: the header does not match profile `{profile}`: {reason}", path.display())]
    HeaderMismatch {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// Missing columns, or what else is wrong.
        reason: String,
    },
    /// The file is not in the profile's format at all (not XML, not Parquet, broken structure).
    #[error("`{}` is not a readable {format} file: {reason}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The expected format.
        format: &'static str,
        /// What the parser said.
        reason: String,
    },
    /// A request (`cellsweep request`) cannot be built from what was given.
    #[error("{0}")]
    InvalidRequest(String),
    /// The workspace failed.
    #[error(transparent)]
    Store(#[from] cellsweep_store::Error),
    /// Writing the canonical Parquet parts failed.
    #[error("cannot write event part `{}`", path.display())]
    Parquet {
        /// The part.
        path: PathBuf,
        /// What the writer said.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A bug in cellsweep: an invariant of ours was broken.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
