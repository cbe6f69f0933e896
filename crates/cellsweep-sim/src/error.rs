//! The simulator's error type.

use std::path::PathBuf;

/// What can stop a simulation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario name is neither a preset nor a file.
    #[error("no scenario `{name}`: not a preset ({presets}) and no such file")]
    UnknownScenario {
        /// What was asked for.
        name: String,
        /// The preset names.
        presets: String,
    },
    /// The scenario is not valid TOML for our schema (unknown keys included).
    #[error("invalid scenario `{origin}`")]
    Scenario {
        /// Preset name or path.
        origin: String,
        /// What the TOML parser said.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A knob has a value outside its range.
    #[error("invalid scenario `{origin}`: {reason}")]
    InvalidScenario {
        /// Preset name or path.
        origin: String,
        /// Which knob and why.
        reason: String,
    },
    /// An input file named by the scenario is unusable.
    #[error("`{}`: {reason}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The output directory is not usable.
    #[error("output directory `{}` is not empty; choose a new or empty directory", path.display())]
    OutputNotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Writing Parquet failed.
    #[error("cannot write Parquet `{}`", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the writer said.
        #[source]
        source: parquet::errors::ParquetError,
    },
}
