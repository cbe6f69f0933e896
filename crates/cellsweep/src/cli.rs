//! Layer 1 of the command line: what argv may contain. No logic here; `settings.rs` resolves
//! these into what commands use, and `commands/` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  error: the command could not do its job (the message says why)
  2  usage error: wrong arguments
  3  `ids check`: at least one value is not a valid identifier

Environment:
  CELLSWEEP_REGION  default region for national phone numbers (e.g. FR)
  NO_COLOR          disable colour in messages";

/// Find, trace and shut down contraband phones in prisons, from data that operators and
/// prison administrations lawfully hand over.
#[derive(Debug, Parser)]
#[command(name = "cellsweep", version, after_help = EXIT_CODES, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the whole pipeline on built-in demo data in a temporary workspace.
    Demo(DemoArgs),
    /// Create a new workspace directory.
    Init(InitArgs),
    /// Reference data: facilities, cells, TACs, operators, ledgers, allow lists.
    #[command(subcommand)]
    Ref(RefCommand),
    /// List rows that imports rejected, with file, line, field and reason.
    Quarantine(QuarantineArgs),
    /// Identifiers: validate and decode IMEI, IMSI, MSISDN and cell ids.
    #[command(subcommand)]
    Ids(IdsCommand),
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Keep the demo workspace in DIR (new or empty) instead of a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) keep: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Directory to create (it may exist if empty).
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RefCommand {
    /// Import reference files into a workspace.
    ///
    /// The format is recognised from the content; `--format` overrides it. Every row is
    /// accepted or quarantined with its reason; re-importing the same file changes nothing.
    Import(RefImportArgs),
    /// Count what a workspace holds, per reference kind.
    Stats(WorkspaceArg),
}

#[derive(Debug, Args)]
pub(crate) struct RefImportArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// What the files hold: facilities, cells, tac, tac-overlay, operators, ledger, allowlist.
    #[arg(long, short)]
    pub(crate) kind: cellsweep_ref::Kind,
    /// Force a format: geojson, prisons-csv, cells-csv, arcep-sites, osmocom, tac-csv,
    /// overlay-csv, mcc-mnc-json, operators-csv, ledger-csv, allowlist-csv.
    #[arg(long, short)]
    pub(crate) format: Option<cellsweep_ref::Format>,
    /// Legal request or provenance reference recorded with each file.
    #[arg(long, value_name = "REF")]
    pub(crate) request_ref: Option<String>,
    /// Drop every earlier row of this kind first (default: update matching keys, keep the rest).
    #[arg(long)]
    pub(crate) replace: bool,
    #[command(flatten)]
    pub(crate) region: RegionArg,
    /// Files to import, in order.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct WorkspaceArg {
    /// The workspace.
    pub(crate) workspace: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct RegionArg {
    /// Region for national phone numbers (ISO 3166 alpha-2); default: the workspace's, else FR.
    #[arg(long, env = "CELLSWEEP_REGION", value_name = "CC")]
    pub(crate) region: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct QuarantineArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Only rows of this source file (its id, as `ref import` prints it).
    #[arg(long, value_name = "ID")]
    pub(crate) source: Option<i64>,
    /// At most this many rows.
    #[arg(long, default_value_t = 1000)]
    pub(crate) limit: usize,
    /// Print CSV (`source_id,path,kind,line,field,reason,raw`) instead of text.
    #[arg(long)]
    pub(crate) csv: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IdsCommand {
    /// Detect, validate and decode identifiers.
    ///
    /// Prints each value's type, canonical form and decoded parts, or why it is not valid.
    Check(IdsCheckArgs),
}

#[derive(Debug, Args)]
pub(crate) struct IdsCheckArgs {
    /// Decode TACs and operators with this workspace's reference data.
    #[arg(long, short, value_name = "DIR")]
    pub(crate) workspace: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) region: RegionArg,
    /// Values to check.
    #[arg(required = true)]
    pub(crate) values: Vec<String>,
}
