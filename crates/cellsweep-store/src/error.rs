//! The crate's error type, split by who must act.

use std::path::PathBuf;

/// Errors from opening or changing a workspace.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory given to `init` already holds files.
    #[error("`{}` is not empty; `init` needs a new or empty directory", path.display())]
    NotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// The directory is not a workspace.
    #[error("`{}` is not a cellsweep workspace (no `{}`)", path.display(), crate::CONFIG_FILE)]
    NotAWorkspace {
        /// The directory.
        path: PathBuf,
    },
    /// The workspace was written by a newer cellsweep.
    #[error("workspace `{}` has format {found}; this cellsweep reads format {supported} and older", path.display())]
    TooNew {
        /// The directory.
        path: PathBuf,
        /// Format found on disk.
        found: u32,
        /// Newest format this build understands.
        supported: u32,
    },
    /// The settings file is malformed.
    #[error("invalid settings in `{}`", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What the TOML parser said.
        #[source]
        source: toml::de::Error,
    },
    /// A file could not be read or written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The catalog rejected an operation.
    #[error("catalog error in `{}`", path.display())]
    Sqlite {
        /// The catalog file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The audit signing or public key file is unusable.
    #[error("unusable audit key `{}`: {reason}", path.display())]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The caller broke an invariant of the import protocol (a bug in cellsweep).
    #[error("internal error: {0}")]
    Internal(String),
}
