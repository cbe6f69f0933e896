//! `cellsweep ingest`: operator data into a workspace, with progress on a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use cellsweep_ids::Plmn;
use cellsweep_ingest::{IngestOutcome, IngestRequest, Progress};

use cellsweep_store::Action;

use crate::cli::IngestArgs;
use crate::commands::refdata::open;
use crate::commands::{audit, quarantine};
use crate::{output, settings};

/// Plain progress lines (no terminal) at most this often.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

pub(crate) fn run(args: &IngestArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if let Some(file) = &args.suggest_profile {
        let text = cellsweep_ingest::suggest_profile(file)
            .with_context(|| format!("cannot read `{}`", file.display()))?;
        out.write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(name) = &args.show_profile {
        let text = cellsweep_ingest::builtin_text(name).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown profile `{name}`; shipped profiles: {}",
                cellsweep_ingest::builtin_names().join(", ")
            )
        })?;
        out.write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let ws_dir = args
        .workspace
        .as_deref()
        .expect("clap requires the workspace");
    if args.files.is_empty() {
        anyhow::bail!("no file to ingest: give files or directories after the workspace");
    }
    let mut ws = open(ws_dir)?;
    let region = settings::region(&args.region, Some(ws.config()))?;
    let operator = args
        .operator
        .as_deref()
        .map(|o| Plmn::parse(o).with_context(|| format!("invalid `--operator` `{o}`")))
        .transpose()?;
    let files = cellsweep_ingest::collect_files(&args.files)?;
    for file in files {
        let req = IngestRequest {
            path: file.clone(),
            profile: args.profile.clone(),
            request_ref: args.request_ref.clone(),
            operator,
            region,
            threads: args.threads,
        };
        let progress = Bar::new();
        let started = Instant::now();
        let outcome = cellsweep_ingest::ingest(&mut ws, &req, &progress)
            .with_context(|| format!("cannot ingest `{}`", file.display()))?;
        progress.finish();
        match outcome {
            IngestOutcome::AlreadyImported(s) => writeln!(
                out,
                "source {}: `{}` already ingested as {} on {} (same SHA-256); nothing changed",
                s.id,
                file.display(),
                s.format,
                s.imported_at
            )?,
            IngestOutcome::Imported(r) => {
                let s = &r.source;
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                audit::record(
                    &ws,
                    Action::Collection,
                    &format!("source:{}", s.id),
                    args.request_ref.as_deref(),
                    vec![],
                    format!(
                        "ingest: {} events from `{}` ({} quarantined)",
                        s.rows_accepted, s.path, s.rows_quarantined
                    ),
                )?;
                writeln!(
                    out,
                    "source {}: events from `{}` ({})",
                    s.id, s.path, s.format
                )?;
                writeln!(
                    out,
                    "  rows {} = {} accepted + {} quarantined",
                    s.rows_in, s.rows_accepted, s.rows_quarantined
                )?;
                if let (Some(a), Some(b)) = (&s.time_min, &s.time_max) {
                    writeln!(out, "  time {a} .. {b}")?;
                }
                writeln!(
                    out,
                    "  {} parts in {} partitions (operator, day)",
                    r.parts, r.partitions
                )?;
                if let Some(policy) = r.ambiguous_policy {
                    writeln!(
                        out,
                        "  {} rows in the autumn's repeated hour placed by policy `{}`",
                        r.ambiguous_resolved,
                        policy.as_str()
                    )?;
                }
                for n in &r.notes {
                    writeln!(out, "  note: {n}")?;
                }
                output::note(&format!(
                    "{:.1} s, {:.0} rows/s",
                    secs,
                    s.rows_in as f64 / secs
                ));
                if r.orphans_removed > 0 {
                    output::note(&format!(
                        "removed {} files left by an interrupted ingest",
                        r.orphans_removed
                    ));
                }
                quarantine::examples(&ws, s.id, s.rows_quarantined, out)?;
            }
        }
    }
    audit::done(&ws)?;
    Ok(ExitCode::SUCCESS)
}

/// Progress: an indicatif bar (bytes, rows/s) on a terminal, plain lines otherwise.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    rows: AtomicU64,
    bytes: AtomicU64,
    total: AtomicU64,
    started: Mutex<Option<Instant>>,
    last_line: Mutex<Option<Instant>>,
}

impl Bar {
    fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::hidden();
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
                )
                .expect("valid template"),
            );
            b
        });
        Bar {
            bar,
            rows: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            total: AtomicU64::new(0),
            started: Mutex::new(None),
            last_line: Mutex::new(None),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    fn rate(&self, rows: u64) -> f64 {
        let secs = self
            .started
            .lock()
            .ok()
            .and_then(|s| *s)
            .map_or(1.0, |s| s.elapsed().as_secs_f64().max(1e-3));
        rows as f64 / secs
    }
}

impl Progress for Bar {
    fn begin(&self, path: &Path, bytes: u64) {
        if let Ok(mut s) = self.started.lock() {
            *s = Some(Instant::now());
        }
        self.total.store(bytes, Ordering::Relaxed);
        match &self.bar {
            Some(b) => {
                b.set_length(bytes);
                b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                b.enable_steady_tick(Duration::from_millis(200));
            }
            None => output::note(&format!(
                "ingesting `{}` ({:.1} MB)",
                path.display(),
                bytes as f64 / 1e6
            )),
        }
    }

    fn advance(&self, bytes: u64, rows: u64) {
        let rows = self.rows.fetch_add(rows, Ordering::Relaxed) + rows;
        let done = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        match &self.bar {
            Some(b) => {
                b.set_position(done);
                b.set_message(format!("{rows} rows, {:.0} rows/s", self.rate(rows)));
            }
            None => {
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                if last.is_none_or(|t| t.elapsed() >= PLAIN_EVERY) {
                    *last = Some(Instant::now());
                    if rows > 0 {
                        let total = self.total.load(Ordering::Relaxed).max(1);
                        output::note(&format!(
                            "  {rows} rows, {:.0}% of the bytes, {:.0} rows/s",
                            done as f64 * 100.0 / total as f64,
                            self.rate(rows)
                        ));
                    }
                }
            }
        }
    }
}
