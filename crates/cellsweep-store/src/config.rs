//! `workspace.toml`: the typed, versioned settings of one workspace.
//!
//! Precedence for every setting is command line > environment > this file > built-in default;
//! this module is the file layer and the defaults.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Name of the settings file at the workspace root.
pub const CONFIG_FILE: &str = "workspace.toml";

/// The workspace format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// Default region for national phone numbers.
const DEFAULT_REGION: &str = "FR";

/// Default time zone of the facilities.
const DEFAULT_TIMEZONE: &str = "Europe/Paris";

/// Settings stored in `workspace.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// Workspace format version; bumped when the on-disk layout changes incompatibly.
    pub format: u32,
    /// ISO 3166 region used to read national phone numbers (`06 12 34 56 78` in `FR`).
    /// Env: `CELLSWEEP_REGION`; flag: `--region`.
    #[serde(default = "default_region")]
    pub region: String,
    /// IANA time zone of the facilities: local nights and visiting hours are counted in it.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// How long data are kept before `cellsweep retention apply` erases them.
    #[serde(default, skip_serializing_if = "RetentionConfig::is_default")]
    pub retention: RetentionConfig,
}

/// Default retention of operator events, in days from their import.
pub const DEFAULT_EVENTS_DAYS: u32 = 365;

/// Default retention of quarantined rows (raw rows of any file), in days from their import.
pub const DEFAULT_QUARANTINE_DAYS: u32 = 90;

/// Default retention of generated block lists, in days from their generation.
pub const DEFAULT_LISTS_DAYS: u32 = 365;

/// Retention defaults per kind of dataset (`[retention]` in `workspace.toml`). A file's own
/// date (`cellsweep retention set`) overrides its kind's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Operator events (Parquet parts and their catalog rows), days from import.
    #[serde(default = "default_events_days")]
    pub events_days: u32,
    /// Quarantined rows, days from import.
    #[serde(default = "default_quarantine_days")]
    pub quarantine_days: u32,
    /// Generated block lists (zips and list rows), days from generation.
    #[serde(default = "default_lists_days")]
    pub lists_days: u32,
}

fn default_events_days() -> u32 {
    DEFAULT_EVENTS_DAYS
}

fn default_quarantine_days() -> u32 {
    DEFAULT_QUARANTINE_DAYS
}

fn default_lists_days() -> u32 {
    DEFAULT_LISTS_DAYS
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            events_days: DEFAULT_EVENTS_DAYS,
            quarantine_days: DEFAULT_QUARANTINE_DAYS,
            lists_days: DEFAULT_LISTS_DAYS,
        }
    }
}

impl RetentionConfig {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

fn default_timezone() -> String {
    DEFAULT_TIMEZONE.into()
}

fn default_region() -> String {
    DEFAULT_REGION.into()
}

impl Default for WorkspaceConfig {
    fn default() -> Self {
        Self {
            format: FORMAT_VERSION,
            region: default_region(),
            timezone: default_timezone(),
            retention: RetentionConfig::default(),
        }
    }
}

impl WorkspaceConfig {
    pub(crate) fn load(root: &Path) -> Result<Self, Error> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotAWorkspace { path: root.into() });
            }
            Err(source) => return Err(Error::Io { path, source }),
        };
        let config: Self =
            toml::from_str(&text).map_err(|source| Error::Config { path, source })?;
        if config.format > FORMAT_VERSION {
            return Err(Error::TooNew {
                path: root.into(),
                found: config.format,
                supported: FORMAT_VERSION,
            });
        }
        Ok(config)
    }

    pub(crate) fn render(&self) -> String {
        format!(
            "# cellsweep workspace settings; see `cellsweep init --help`.\n\
             # Command-line flags and CELLSWEEP_* environment variables override these.\n\
             {}",
            toml::to_string(self).expect("settings serialise")
        )
    }
}
