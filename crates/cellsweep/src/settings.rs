//! Layer 2 of the command line: settings resolved with the precedence
//! command line > environment > workspace settings > built-in default.

use anyhow::Context;
use cellsweep_ids::Region;
use cellsweep_store::WorkspaceConfig;

use crate::cli::RegionArg;

/// Built-in default region for national phone numbers.
const DEFAULT_REGION: Region = Region::FR;

/// The region for national phone numbers. Clap has already merged the flag with
/// `CELLSWEEP_REGION`; the workspace's setting comes next, then the default.
pub(crate) fn region(arg: &RegionArg, ws: Option<&WorkspaceConfig>) -> anyhow::Result<Region> {
    match (&arg.region, ws) {
        (Some(r), _) => Region::parse(r)
            .with_context(|| format!("invalid `--region`/`CELLSWEEP_REGION` value `{r}`")),
        (None, Some(cfg)) => Region::parse(&cfg.region)
            .with_context(|| format!("invalid `region` in workspace settings: `{}`", cfg.region)),
        (None, None) => Ok(DEFAULT_REGION),
    }
}

/// Who acts, for the audit log: `--by`, then `CELLSWEEP_USER`, then `$USER`, then `unknown`.
pub(crate) fn actor(by: Option<&str>) -> String {
    by.map(str::to_owned)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("CELLSWEEP_USER")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Why, for the audit log: `--reason`, then the legal request reference, then
/// `CELLSWEEP_REASON`; empty when none is given (commands that need one refuse it).
pub(crate) fn justification(reason: Option<&str>, request_ref: Option<&str>) -> String {
    reason
        .or(request_ref)
        .map(str::to_owned)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("CELLSWEEP_REASON")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_default()
}

/// A day argument, default today (UTC).
pub(crate) fn day(arg: Option<&str>, what: &str) -> anyhow::Result<jiff::civil::Date> {
    match arg {
        Some(s) => Ok(cellsweep_interdict::parse_date(what, s)?),
        None => Ok(cellsweep_interdict::today()),
    }
}
