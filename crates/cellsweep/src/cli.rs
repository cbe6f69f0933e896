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
  4  `audit verify`: the audit log was tampered with

Environment:
  CELLSWEEP_REGION  default region for national phone numbers (e.g. FR)
  CELLSWEEP_USER    who acts, for the audit log (default: $USER); `--by` overrides it
  CELLSWEEP_REASON  why, for the audit log, when a command has no `--reason`
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
    /// Ingest operator data (CSV by profile, ETSI TS 102 657 XML, Parquet) into a workspace.
    ///
    /// Every row is accepted or quarantined with its reason; re-ingesting a file changes
    /// nothing; an interrupted ingest leaves no trace once the next one runs.
    Ingest(IngestArgs),
    /// Write ETSI TS 103 120 requests for operator data (tower dumps, traffic data).
    #[command(subcommand)]
    Request(RequestCommand),
    /// Identifiers: validate and decode IMEI, IMSI, MSISDN and cell ids.
    #[command(subcommand)]
    Ids(IdsCommand),
    /// Simulate a nation with ground truth and write every file a real investigation holds.
    Simulate(SimulateArgs),
    /// List the cells covering a facility, with the share of their served area inside it.
    Coverage(CoverageArgs),
    /// Detect contraband devices: resolve identities, measure presence, apply conditions, score.
    Detect(DetectArgs),
    /// Where inside its facility a candidate phone is: zone and cell probabilities, and why.
    Locate(LocateArgs),
    /// Plan searches: spend a budget of cell searches where they find the most phones.
    Plan(PlanArgs),
    /// Record search outcomes (what was found, or nothing): beliefs and detection learn from them.
    #[command(subcommand)]
    Outcomes(OutcomesCommand),
    /// Play a plan's searches against a simulation's truth and write the outcomes it would give.
    PlaySearches(PlaySearchesArgs),
    /// Measure results against a simulation's truth.
    #[command(subcommand)]
    Evaluate(EvaluateCommand),
    /// Approve detected candidates for interdiction: a policy, then who and why.
    Approve(ApproveArgs),
    /// Block lists for operators' equipment registers: blacklist, notifications, exceptions.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Disable requests to operators: create, record their answers, reverse on appeal.
    #[command(subcommand)]
    Disable(DisableCommand),
    /// Write a device's evidence package (HTML and JSON).
    Evidence(EvidenceArgs),
    /// The tamper-evident audit log: verify it, list it.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Retention of personal data: show dates, set one, erase what expired.
    #[command(subcommand)]
    Retention(RetentionCommand),
}

#[derive(Debug, Args)]
pub(crate) struct ActorArgs {
    /// Who acts, recorded in the audit log (default: `CELLSWEEP_USER`, then `$USER`).
    #[arg(long, value_name = "WHO")]
    pub(crate) by: Option<String>,
    /// Why, recorded in the audit log (default: `CELLSWEEP_REASON`).
    #[arg(long, value_name = "TEXT")]
    pub(crate) reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ApproveArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Candidates file written by `cellsweep detect` on this workspace, unedited.
    #[arg(long, value_name = "FILE")]
    pub(crate) candidates: PathBuf,
    /// Rows at or above this probability are approved.
    #[arg(long, value_name = "P")]
    pub(crate) min_probability: f64,
    /// A row must carry one of these conditions (repeatable); default: any condition.
    #[arg(long = "condition", value_name = "NAME")]
    pub(crate) conditions: Vec<String>,
    /// Days between approval and blacklisting; meanwhile the pairings are notified.
    #[arg(long, value_name = "N", default_value_t = cellsweep_interdict::DEFAULT_GRACE_DAYS)]
    pub(crate) grace_days: u32,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ListsCommand {
    /// Generate the next numbered generation: full lists, deltas against the previous one,
    /// zipped with a manifest of counts and SHA-256 hashes.
    Generate(ListsGenerateArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListsGenerateArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Directory for the zip and a copy of its manifest.
    #[arg(long, short, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Measure grace periods against this day (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DisableCommand {
    /// Create a request to an operator for a facility's approved devices.
    Create(DisableCreateArgs),
    /// Record the operator's acknowledgement of a request.
    Ack(DisableMoveArgs),
    /// Record the operator's confirmation that devices are disabled.
    Confirm(DisableMoveArgs),
    /// Record the operator's rejection, with its reasons (`--reason`).
    Reject(DisableMoveArgs),
    /// Reverse disabled devices on appeal, with the decision (`--reason`).
    Reverse(DisableMoveArgs),
    /// Every device's state, and with `--history` every transition.
    Status(DisableStatusArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DisableCreateArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// The operator (PLMN, `208-01`).
    #[arg(long, value_name = "PLMN")]
    pub(crate) operator: String,
    /// The facility's id.
    #[arg(long, value_name = "ID")]
    pub(crate) facility: String,
    /// Legal basis of the request (article, order).
    #[arg(long, value_name = "TEXT")]
    pub(crate) legal_basis: String,
    /// Unique reference of the request.
    #[arg(long, value_name = "REF")]
    pub(crate) reference: String,
    /// Day by which the operator must answer (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) deadline: String,
    /// Only these devices (repeatable); default: every approved device of the facility with a
    /// SIM of the operator that no active request covers.
    #[arg(long = "device", value_name = "ID")]
    pub(crate) devices: Vec<String>,
    /// Write the request (JSON) to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Who sends it (default: `CELLSWEEP_USER`, then `$USER`).
    #[arg(long, value_name = "WHO")]
    pub(crate) by: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DisableMoveArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// The request's reference.
    pub(crate) reference: String,
    /// Only these devices (repeatable); default: every device whose state allows it.
    #[arg(long = "device", value_name = "ID")]
    pub(crate) devices: Vec<String>,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DisableStatusArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Only this device.
    #[arg(long, value_name = "ID")]
    pub(crate) device: Option<String>,
    /// Only this request.
    #[arg(long, value_name = "REF")]
    pub(crate) reference: Option<String>,
    /// Print every transition instead of the current states.
    #[arg(long)]
    pub(crate) history: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EvidenceArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// The device id (as `cellsweep detect` wrote it).
    pub(crate) device: String,
    /// Directory for `<device>.html` and `<device>.json`.
    #[arg(long, short, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// To whom the package will be disclosed (repeatable), recorded in the audit log.
    #[arg(long = "to", value_name = "RECIPIENT")]
    pub(crate) recipients: Vec<String>,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Walk the hash chain and the signed checkpoints; name the first edited, removed,
    /// inserted or reordered entry. Exit status 4 if the log was tampered with.
    Verify(AuditVerifyArgs),
    /// Print audit entries as CSV.
    Log(AuditLogArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AuditVerifyArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// The verifier's trusted copy of the audit public key (hex); default: the workspace's
    /// `keys/audit.pub`.
    #[arg(long, value_name = "FILE")]
    pub(crate) public_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct AuditLogArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// First entry.
    #[arg(long, default_value_t = 1)]
    pub(crate) from: u64,
    /// At most this many entries.
    #[arg(long, default_value_t = 1000)]
    pub(crate) limit: usize,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RetentionCommand {
    /// Every dataset still held, with its retention date.
    Show(RetentionShowArgs),
    /// Set a file's own retention date (a legal hold, a court order).
    Set(RetentionSetArgs),
    /// Erase every dataset whose retention date has passed, and log each erasure.
    Apply(RetentionApplyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RetentionShowArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Say what has expired on this day (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RetentionSetArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// The source file's id (`cellsweep retention show`).
    #[arg(long, value_name = "ID")]
    pub(crate) source: i64,
    /// Last day its data are kept (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) until: String,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RetentionApplyArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Erase what has expired on this day (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
}

/// Search model constants shared by `plan`, `locate` and `evaluate plan`.
#[derive(Debug, Args, Clone)]
pub(crate) struct SearchModelArgs {
    /// Probability that one search of the right cell finds a phone.
    #[arg(long, default_value_t = 0.6)]
    pub(crate) p_detect: f64,
    /// The same for mini phones (smaller, better hidden).
    #[arg(long, default_value_t = 0.35)]
    pub(crate) p_detect_mini: f64,
    /// Evidence to fuse, any of radio, rf, records, searches (to see what each contributes).
    #[arg(long, default_value = "radio,rf,records,searches", value_name = "LIST")]
    pub(crate) evidence: String,
}

/// Budget limits shared by `plan` and `evaluate plan`.
#[derive(Debug, Args, Clone)]
pub(crate) struct BudgetArgs {
    /// Total cell searches.
    #[arg(long, default_value_t = 500)]
    pub(crate) budget: u32,
    /// Facilities searched at most.
    #[arg(long, default_value_t = 66)]
    pub(crate) max_facilities: usize,
    /// Searches one facility's team can carry out per day.
    #[arg(long, default_value_t = 20)]
    pub(crate) team_capacity: u32,
    /// Days of the operation.
    #[arg(long, default_value_t = 1)]
    pub(crate) days: u32,
    /// Searches of the same prison cell at most.
    #[arg(long, default_value_t = 2)]
    pub(crate) max_per_cell: u32,
}

#[derive(Debug, Args)]
pub(crate) struct LocateArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Device id (as in candidates.csv).
    pub(crate) device: String,
    /// Prison cells listed.
    #[arg(long, default_value_t = 5)]
    pub(crate) top: usize,
    #[command(flatten)]
    pub(crate) model: SearchModelArgs,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// The workspace (after `cellsweep detect`).
    pub(crate) workspace: PathBuf,
    /// Plan CSV: `facility_id,zone_id,cell_no,searches,expected_finds,target_devices`.
    #[arg(long, short)]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) budget: BudgetArgs,
    #[command(flatten)]
    pub(crate) model: SearchModelArgs,
    /// Devices below this detection probability are not planned for.
    #[arg(long, default_value_t = 0.05)]
    pub(crate) min_probability: f64,
    /// Also write every located device's most likely zone and cell:
    /// `device_id,facility_id,probability,zone_id,zone_probability,cell_no,cell_probability,user,user_probability`.
    #[arg(long, value_name = "FILE")]
    pub(crate) locations: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum OutcomesCommand {
    /// Record a search report (layout of docs/records.md, `searches`): searches, seized devices
    /// and their first chain-of-custody entry.
    Record(OutcomesRecordArgs),
}

#[derive(Debug, Args)]
pub(crate) struct OutcomesRecordArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// The search report CSV.
    pub(crate) file: PathBuf,
    /// The plan these searches carried out (recorded with each search).
    #[arg(long, value_name = "REF")]
    pub(crate) plan_ref: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct PlaySearchesArgs {
    /// The simulation's output directory (its truth/ and reference/ are read).
    #[arg(long)]
    pub(crate) sim: PathBuf,
    /// The plan to carry out.
    #[arg(long)]
    pub(crate) plan: PathBuf,
    /// Outcome files of earlier rounds: phones seized there are gone.
    #[arg(long, value_name = "FILE")]
    pub(crate) after: Vec<PathBuf>,
    /// Round number (search ids and random draws differ per round).
    #[arg(long, default_value_t = 1)]
    pub(crate) round: u32,
    /// Random seed of the searches.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Day of the searches, YYYY-MM-DD.
    #[arg(long)]
    pub(crate) date: String,
    #[command(flatten)]
    pub(crate) model: SearchModelArgs,
    /// Outcome file to write (the administration's search-report layout).
    #[arg(long, short)]
    pub(crate) out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct CoverageArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Facility id.
    pub(crate) facility: String,
}

#[derive(Debug, Args)]
pub(crate) struct DetectArgs {
    /// The workspace.
    pub(crate) workspace: PathBuf,
    /// Candidates CSV: `device_id,imei,imsi,msisdn,facility_id,probability,conditions,explanation`.
    #[arg(long, short)]
    pub(crate) out: PathBuf,
    /// Also write every scored (device, facility), whatever its probability, in the same
    /// format (for precision-recall curves).
    #[arg(long, value_name = "FILE")]
    pub(crate) scores: Option<PathBuf>,
    /// Probability from which a device is listed.
    #[arg(long, default_value_t = 0.5)]
    pub(crate) threshold: f64,
    /// Conditions file (default: WS/conditions.toml when present, else the built-in set).
    #[arg(long, value_name = "FILE")]
    pub(crate) conditions: Option<PathBuf>,
    /// Run the presence plan on a Ballista scheduler (`df://host:50050`) instead of in process.
    #[arg(long, value_name = "URL")]
    pub(crate) ballista: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum EvaluateCommand {
    /// Precision, recall, the precision-recall curve and false positives by category.
    Detect(EvaluateDetectArgs),
    /// A plan's expected finds against a random plan's and a perfect-knowledge oracle's.
    Plan(EvaluatePlanArgs),
}

#[derive(Debug, Args)]
pub(crate) struct EvaluatePlanArgs {
    /// The simulation's `truth/devices.csv`.
    #[arg(long)]
    pub(crate) truth: PathBuf,
    /// The plan written by `cellsweep plan`.
    #[arg(long)]
    pub(crate) plan: PathBuf,
    /// The facilities GeoJSON with the prison cells (default: the simulation's
    /// `reference/facilities.geojson` beside `truth/`).
    #[arg(long, value_name = "FILE")]
    pub(crate) layout: Option<PathBuf>,
    /// Probability that one search of the right cell finds a phone.
    #[arg(long, default_value_t = 0.6)]
    pub(crate) p_detect: f64,
    #[command(flatten)]
    pub(crate) budget: BudgetArgs,
}

#[derive(Debug, Args)]
pub(crate) struct EvaluateDetectArgs {
    /// The simulation's `truth/devices.csv`.
    #[arg(long)]
    pub(crate) truth: PathBuf,
    /// Candidates (or scores) written by `cellsweep detect`.
    #[arg(long)]
    pub(crate) candidates: PathBuf,
    /// Threshold of the headline figures.
    #[arg(long, default_value_t = 0.5)]
    pub(crate) threshold: f64,
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// A preset (demo, regional, national) or a scenario TOML file; see docs/scenarios.md.
    #[arg(long, short, default_value = "demo")]
    pub(crate) scenario: String,
    /// Random seed: the same scenario and seed give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Output directory (new or empty): reference/, operator/, prison/, sensors/, truth/.
    #[arg(long, short)]
    pub(crate) out: PathBuf,
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
    /// What the files hold: facilities, cells, tac, tac-overlay, operators, ledger, allowlist;
    /// prison records: registry, phone-authorised, phone-calls, visits, searches; rf-detections.
    #[arg(long, short)]
    pub(crate) kind: cellsweep_ref::Kind,
    /// Force a format: geojson, prisons-csv, cells-csv, arcep-sites, osmocom, tac-csv,
    /// overlay-csv, mcc-mnc-json, operators-csv, ledger-csv, allowlist-csv, registry-csv,
    /// phone-authorised-csv, phone-calls-csv, visits-csv, searches-csv, rf-detections-csv.
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

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["workspace", "suggest_profile", "show_profile"])))]
pub(crate) struct IngestArgs {
    /// The workspace.
    pub(crate) workspace: Option<PathBuf>,
    /// Delivery files, or directories (walked in name order).
    #[arg(requires = "workspace")]
    pub(crate) files: Vec<PathBuf>,
    /// A shipped profile (fr-semicolon, en-comma, etsi-102657, parquet-canonical) or a profile
    /// TOML file; default: recognised from each file's content.
    #[arg(long, short, value_name = "NAME|PATH")]
    pub(crate) profile: Option<String>,
    /// Legal request reference recorded with each file.
    #[arg(long, value_name = "REF")]
    pub(crate) request_ref: Option<String>,
    /// The delivering operator (PLMN, `208-01`), overriding the profile's.
    #[arg(long, value_name = "PLMN")]
    pub(crate) operator: Option<String>,
    #[command(flatten)]
    pub(crate) region: RegionArg,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Print a profile proposed from FILE's header and first rows, then exit.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["workspace", "show_profile"])]
    pub(crate) suggest_profile: Option<PathBuf>,
    /// Print a shipped profile's TOML (a starting point for your own), then exit.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["workspace", "suggest_profile"])]
    pub(crate) show_profile: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RequestCommand {
    /// Tower dump: every event on the cells covering a facility, one request per operator.
    ///
    /// Covering cells are, for now, the workspace's cells whose distance to the facility's
    /// centroid is at most the facility's equivalent radius plus the cell's range.
    TowerDump(TowerDumpArgs),
    /// Subscriber and traffic data of IMEIs, one request per operator.
    Traffic(TrafficArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RequestCommon {
    /// The workspace (requests are written to WS/requests/ unless `--out` says otherwise).
    pub(crate) workspace: PathBuf,
    /// Start of the window: RFC 3339 (`2026-03-01T00:00:00Z`) or a date (UTC midnight).
    #[arg(long, value_name = "TIME")]
    pub(crate) from: String,
    /// End of the window: RFC 3339, or a date (the whole day is included).
    #[arg(long, value_name = "TIME")]
    pub(crate) to: String,
    /// Legal reference of the authorisation (warrant, judge's order).
    #[arg(long, value_name = "REF")]
    pub(crate) request_ref: String,
    /// Directory for the XML files.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// The sender's identifier (the investigation unit).
    #[arg(long, default_value = "CELLSWEEP", value_name = "ID")]
    pub(crate) sender: String,
    /// ISO 3166 country of sender and operators.
    #[arg(long, default_value = "FR", value_name = "CC")]
    pub(crate) country: String,
}

#[derive(Debug, Args)]
pub(crate) struct TowerDumpArgs {
    #[command(flatten)]
    pub(crate) common: RequestCommon,
    /// The facility's id in the workspace.
    #[arg(long, value_name = "ID")]
    pub(crate) facility: String,
    /// Only this operator (PLMN).
    #[arg(long, value_name = "PLMN")]
    pub(crate) operator: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct TrafficArgs {
    #[command(flatten)]
    pub(crate) common: RequestCommon,
    /// A file with one IMEI per line (14, 15 or 16 digits; `#` starts a comment).
    #[arg(long, value_name = "FILE")]
    pub(crate) imei_file: PathBuf,
    /// Operators to ask (PLMN), repeatable.
    #[arg(long, value_name = "PLMN", required = true)]
    pub(crate) operator: Vec<String>,
}
