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
