//! `cellsweep demo`: the whole pipeline on a simulated nation, in a temporary workspace.
//!
//! 1. simulate the `demo` scenario (two facilities, one week) with ground truth;
//! 2. create a workspace and import the reference files, then the prison records and RF
//!    detector logs, as a user would;
//! 3. show an idempotent re-import;
//! 4. ingest the operators' deliveries (tower dumps and traffic data, CSV, XML and Parquet),
//!    with rows in = accepted + quarantined for each file;
//! 5. show what the workspace holds and decode a few identifiers from it;
//! 6. detect contraband devices and print the top candidates per facility with their evidence;
//! 7. plan searches, have the simulated search teams carry them out, record the outcomes, and
//!    plan again, for a few rounds, with the cumulative finds.
//! 8. detect again, recalibrated on the seizures;
//! 9. interdiction: approve the candidates, generate two generations of block lists (in the
//!    grace period, then past it), send a disable request, write one evidence package, and
//!    verify the audit log that recorded all of it.
//!
//! It grows with every capability; nothing in it reads the simulation's `truth/`, except the
//! simulated search teams of step 7 (they search real cells where the phones really are).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_ids::{DetectContext, Region};
use cellsweep_ref::{ImportOutcome, ImportRequest, Kind};
use cellsweep_sim::Scenario;
use cellsweep_store::Workspace;

use crate::cli::DemoArgs;
use crate::commands::{audit, detect, evidence, ids, lists, refdata};

/// Reference files of a simulation, in import order: operator codes first, since they teach
/// the IMSI parser MNC lengths used by the allow list.
const REFERENCE: &[(Kind, &str)] = &[
    (Kind::Operators, "operators.csv"),
    (Kind::Tac, "tac.csv"),
    (Kind::TacOverlay, "tac-overlay.csv"),
    (Kind::Facilities, "facilities.geojson"),
    (Kind::Cells, "cells.csv"),
    (Kind::Ledger, "ledger.csv"),
    (Kind::Allowlist, "allowlist.csv"),
];

/// The prison administration's records and the RF detector logs, in import order (after the
/// facilities they are checked against).
const RECORDS: &[(Kind, &str)] = &[
    (Kind::Registry, "prison/inmates.csv"),
    (Kind::PhoneAuthorised, "prison/phone_authorised.csv"),
    (Kind::PhoneCalls, "prison/phone_calls.csv"),
    (Kind::Visits, "prison/visits.csv"),
    (Kind::Searches, "prison/searches.csv"),
    (Kind::RfDetections, "sensors/rf_detections.csv"),
];

/// Seed of the demo nation.
const SEED: u64 = 1;

pub(crate) fn run(args: &DemoArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let temp;
    let root: &Path = match &args.keep {
        Some(dir) => dir,
        None => {
            temp = tempfile::tempdir().context("cannot create a temporary directory")?;
            temp.path()
        }
    };
    let sim_dir = root.join("simulation");
    let ws_dir = root.join("workspace");

    writeln!(
        out,
        "== 1. a simulated nation (scenario `demo`, seed {SEED}) =="
    )?;
    let scenario = Scenario::load("demo")?;
    let report =
        cellsweep_sim::simulate(&scenario, SEED, &sim_dir).context("the simulation failed")?;
    writeln!(
        out,
        "{} facilities over {} days: {} handsets ({} contraband), {} network events",
        report.facilities, scenario.days, report.handsets, report.contraband, report.events
    )?;
    writeln!(
        out,
        "operators delivered {} files: {} tower-dump rows, {} traffic-data rows",
        report.files, report.tower_rows, report.traffic_rows
    )?;
    writeln!(out, "files in {}", sim_dir.display())?;

    writeln!(out)?;
    writeln!(out, "== 2. reference data into a new workspace ==")?;
    let mut ws = Workspace::init(&ws_dir)
        .with_context(|| format!("cannot create the demo workspace in `{}`", ws_dir.display()))?;
    writeln!(out, "workspace {}", ws_dir.display())?;
    for (kind, name) in REFERENCE {
        let req = request(*kind, &sim_dir.join("reference").join(name));
        refdata::import_one(&mut ws, &req, out)?;
    }
    import_records(&mut ws, &sim_dir, out)?;
    writeln!(out)?;
    writeln!(out, "== 3. importing the same file again is a no-op ==")?;
    let again = cellsweep_ref::import(
        &mut ws,
        &request(Kind::Cells, &sim_dir.join("reference/cells.csv")),
    )?;
    if let ImportOutcome::AlreadyImported(s) = again {
        writeln!(
            out,
            "cells.csv: already imported as source {} (same SHA-256); nothing changed",
            s.id
        )?;
    }

    writeln!(out)?;
    writeln!(out, "== 4. the operators' deliveries, ingested ==")?;
    ingest_deliveries(&mut ws, &sim_dir.join("operator"), out)?;

    writeln!(out)?;
    writeln!(out, "== 5. what the workspace holds ==")?;
    refdata::print_stats(&ws, out)?;
    writeln!(out)?;
    writeln!(out, "identifiers from the data, decoded:")?;
    let ctx = DetectContext {
        mnc_table: cellsweep_ref::mnc_table(ws.conn())?,
        region: Region::FR,
    };
    for v in sample_identifiers(&ws)? {
        ids::check_one(&v, &ctx, Some(ws.conn()), out)?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "== 6. contraband devices, top candidates per facility =="
    )?;
    detect_and_show(&ws, out)?;

    writeln!(out)?;
    writeln!(
        out,
        "== 7. plan searches, carry them out, learn from the outcomes, plan again =="
    )?;
    let mut ws = ws;
    plan_rounds(&mut ws, &sim_dir, root, out)?;

    writeln!(out)?;
    writeln!(
        out,
        "== 8. detection again, recalibrated on the seizures =="
    )?;
    let detection = redetect(&ws, out)?;

    writeln!(out)?;
    writeln!(
        out,
        "== 9. interdiction: approval, block lists, a disable request, evidence =="
    )?;
    interdict(&ws, &detection, root, out)?;

    writeln!(out)?;
    writeln!(out, "== next ==")?;
    match &args.keep {
        Some(dir) => writeln!(
            out,
            "everything is kept in {}: try `cellsweep ref stats {}` or `cellsweep quarantine {}`",
            dir.display(),
            ws_dir.display(),
            ws_dir.display()
        )?,
        None => writeln!(
            out,
            "run `cellsweep demo --keep DIR` to keep the simulation and the workspace"
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Search rounds, and searches per round.
const ROUNDS: u32 = 3;
const SEARCHES_PER_ROUND: u32 = 20;

/// Plan → searches (played against the simulation) → outcomes recorded → plan again.
fn plan_rounds(
    ws: &mut Workspace,
    sim_dir: &Path,
    root: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let engine = cellsweep_query::Engine::local()?;
    let params = cellsweep_plan::Params::default();
    let budget = cellsweep_plan::Budget {
        searches: SEARCHES_PER_ROUND,
        per_facility_per_day: SEARCHES_PER_ROUND,
        ..cellsweep_plan::Budget::default()
    };
    let dir = root.join("rounds");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut outcomes: Vec<std::path::PathBuf> = Vec::new();
    let mut found_total = 0;
    for round in 1..=ROUNDS {
        let inputs = cellsweep_plan::load(ws, &engine, cellsweep_plan::Load::default())?;
        let locs = cellsweep_plan::locate_all(&inputs, &params);
        let plan = cellsweep_plan::plan(&inputs, &locs, &params, &budget);
        let plan_path = dir.join(format!("plan-{round}.csv"));
        cellsweep_plan::planner::write_csv(&plan_path, &plan)?;
        let planned = crate::commands::plan::to_play(&plan.rows);
        let day = inputs
            .plan_day
            .checked_add(jiff::Span::new().days(i64::from(round - 1)))
            .unwrap_or(inputs.plan_day);
        let earlier: Vec<&Path> = outcomes.iter().map(|p| p.as_path()).collect();
        let played = cellsweep_sim::play::play(
            sim_dir,
            &planned,
            &cellsweep_sim::play::Play {
                p_detect: params.p_detect,
                p_detect_mini: params.p_detect_mini,
                seed: SEED,
                round,
                date: day.to_string(),
            },
            &earlier,
        )?;
        let outcome_path = dir.join(format!("outcomes-{round}.csv"));
        std::fs::write(&outcome_path, &played.csv)
            .with_context(|| format!("cannot write `{}`", outcome_path.display()))?;
        let req = ImportRequest {
            request_ref: Some(format!("plan-{round}")),
            ..request(Kind::Searches, &outcome_path)
        };
        cellsweep_ref::import_searches(ws, &req).context("cannot record the outcomes")?;
        outcomes.push(outcome_path);
        found_total += played.found;
        writeln!(
            out,
            "round {round} ({day}): {} searches in {} facilities, {} expected finds; found {} phones (cumulative {found_total})",
            plan.searches,
            plan.facilities,
            format_args!("{:.1}", plan.expected_finds),
            played.found
        )?;
        // The best-placed device of the first round, as `cellsweep locate` would explain it.
        let best = locs.iter().max_by(|a, b| {
            let top = |l: &cellsweep_plan::Location| l.cells.iter().copied().fold(0.0, f64::max);
            top(a).total_cmp(&top(b))
        });
        if round == 1
            && let Some(loc) = best
        {
            let d = &inputs.devices[loc.device];
            writeln!(
                out,
                "  e.g. device {}: {}",
                d.id,
                loc.words(&inputs.layouts[loc.layout])
            )?;
            for r in loc.reasons.iter().take(2) {
                writeln!(out, "    {r}")?;
            }
        }
    }
    writeln!(
        out,
        "plans and outcomes in {}; each round's unsuccessful searches lowered their cells and seized devices left the plans",
        dir.display()
    )?;
    Ok(())
}

/// Candidates shown per facility.
const TOP: usize = 3;

/// Ingests every delivery file, one summary line each.
fn ingest_deliveries(ws: &mut Workspace, dir: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let (mut files, mut rows, mut accepted, mut quarantined) = (0u64, 0u64, 0u64, 0u64);
    for path in cellsweep_ingest::collect_files(&[dir.to_path_buf()])? {
        let req = cellsweep_ingest::IngestRequest {
            path: path.clone(),
            profile: None,
            request_ref: Some("DEMO-2026-001".into()),
            operator: None,
            region: Region::FR,
            threads: None,
        };
        let outcome = cellsweep_ingest::ingest(ws, &req, &cellsweep_ingest::NoProgress)
            .with_context(|| format!("cannot ingest `{}`", path.display()))?;
        if let cellsweep_ingest::IngestOutcome::Imported(r) = outcome {
            let s = &r.source;
            audit::record(
                ws,
                cellsweep_store::Action::Collection,
                &format!("source:{}", s.id),
                Some("DEMO-2026-001"),
                vec![],
                format!("demo ingest: {} events from `{}`", s.rows_accepted, s.path),
            )?;
            files += 1;
            rows += s.rows_in;
            accepted += s.rows_accepted;
            quarantined += s.rows_quarantined;
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .display()
                .to_string();
            writeln!(
                out,
                "{name:<44} {:>9} rows = {:>9} accepted + {:>4} quarantined ({})",
                s.rows_in, s.rows_accepted, s.rows_quarantined, s.format
            )?;
        }
    }
    writeln!(
        out,
        "{files} files: {rows} rows = {accepted} accepted + {quarantined} quarantined"
    )?;
    Ok(())
}

/// Imports the prison records and RF logs, one summary line each.
fn import_records(ws: &mut Workspace, sim_dir: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(out, "prison records and RF detector logs:")?;
    for (kind, name) in RECORDS {
        let req = request(*kind, &sim_dir.join(name));
        let outcome = cellsweep_ref::import(ws, &req)
            .with_context(|| format!("cannot import `{}` as {kind}", req.path.display()))?;
        if let ImportOutcome::Imported { source: s, .. } = outcome {
            writeln!(
                out,
                "{name:<28} {:>7} rows = {:>7} accepted + {:>4} quarantined ({kind})",
                s.rows_in, s.rows_accepted, s.rows_quarantined
            )?;
        }
    }
    Ok(())
}

/// Runs detection with the built-in conditions and prints the best candidates per facility.
/// One detection run with the built-in conditions and the workspace's time zone.
fn detection(ws: &Workspace) -> anyhow::Result<(cellsweep_detect::Detection, f64)> {
    let engine = cellsweep_query::Engine::local()?;
    let settings = cellsweep_detect::Settings {
        timezone: ws.config().timezone.clone(),
        ..cellsweep_detect::Settings::default()
    };
    let d = cellsweep_detect::run(ws, &engine, &settings).context("detection failed")?;
    Ok((d, settings.threshold))
}

/// Runs detection again and prints one line: the candidates and the calibration.
fn redetect(ws: &Workspace, out: &mut dyn Write) -> anyhow::Result<cellsweep_detect::Detection> {
    let (d, threshold) = detection(ws)?;
    writeln!(
        out,
        "{} candidates at probability >= {threshold}; calibration: {}",
        d.candidates.len(),
        d.calibration
    )?;
    Ok(d)
}

fn detect_and_show(
    ws: &Workspace,
    out: &mut dyn Write,
) -> anyhow::Result<cellsweep_detect::Detection> {
    let (d, threshold) = detection(ws)?;
    writeln!(
        out,
        "{} devices resolved ({} shared IMEIs split); {} candidates at probability >= {} over {} nights",
        d.devices,
        d.shared_imeis,
        d.candidates.len(),
        threshold,
        d.nights_observed
    )?;
    writeln!(out, "calibration: {}", d.calibration)?;
    let names = cellsweep_detect::tables::facilities(ws)?;
    for f in &names {
        let top: Vec<_> = d.candidates.iter().filter(|c| c.facility == f.id).collect();
        writeln!(out)?;
        writeln!(out, "{} ({}): {} candidates", f.name, f.id, top.len())?;
        for c in top.iter().take(TOP) {
            let imeis: Vec<String> = c
                .pairings
                .iter()
                .filter(|p| p.0 != 0)
                .map(|p| format!("{:014}", p.0))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            writeln!(
                out,
                "  {} p={:.3} IMEI {} [{}]",
                c.device,
                c.probability,
                imeis.join(", "),
                c.conditions.join("|")
            )?;
            writeln!(out, "    {}", c.explanation)?;
        }
    }
    Ok(d)
}

/// A supplier's IMEI, an allow-listed number and a cell covering the first facility.
fn sample_identifiers(ws: &Workspace) -> anyhow::Result<Vec<String>> {
    let conn = ws.conn();
    let one = |sql: &str| -> anyhow::Result<String> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(vec![
        one("SELECT imei FROM ledger ORDER BY sold_at, imei LIMIT 1")?,
        one("SELECT msisdn FROM allowlist WHERE msisdn IS NOT NULL ORDER BY msisdn LIMIT 1")?,
        one("SELECT cell_id FROM cells WHERE radio = '4g' ORDER BY cell_id LIMIT 1")?,
        one("SELECT cell_id FROM cells WHERE radio = '2g' ORDER BY cell_id LIMIT 1")?,
    ])
}

fn request(kind: Kind, path: &Path) -> ImportRequest {
    ImportRequest {
        kind,
        path: path.to_path_buf(),
        format: None,
        request_ref: Some("DEMO-2026-001".into()),
        replace: false,
        region: Region::FR,
    }
}

/// Who acts in the demo, and under which legal reference.
const DEMO_ANALYST: &str = "demo-analyst";
const DEMO_REFERENCE: &str = "DEMO-2026-001";

/// Section 7: approve, generate lists twice (in grace, then past it), request a disable,
/// write one evidence package, verify the audit log.
fn interdict(
    ws: &Workspace,
    d: &cellsweep_detect::Detection,
    root: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use cellsweep_interdict::requests::{self, NewRequest, State};
    let candidates = root.join("candidates.csv");
    let rows = detect::write_candidates(&candidates, d, false)?;
    cellsweep_interdict::register_candidates(ws, &candidates, rows)?;
    let today = cellsweep_interdict::today();
    let reason = format!("{DEMO_REFERENCE}: contraband phones detected inside the facilities");
    let approval = cellsweep_interdict::approve(
        ws,
        &cellsweep_interdict::ApproveRequest {
            candidates: candidates.clone(),
            min_probability: 0.9,
            conditions: vec![],
            grace_days: cellsweep_interdict::DEFAULT_GRACE_DAYS,
            by: DEMO_ANALYST.into(),
            reason: reason.clone(),
            day: today,
        },
    )
    .context("approval refused")?;
    writeln!(
        out,
        "approval {} by {DEMO_ANALYST}: {} of {} candidate rows at probability >= 0.9 ({} devices); blacklisted after {} days of notification",
        approval.id,
        approval.approved,
        approval.rows,
        approval.devices,
        cellsweep_interdict::DEFAULT_GRACE_DAYS
    )?;
    let lists_dir = root.join("lists");
    let mut last = None;
    for (label, day) in [
        (
            "today: every approved pairing is in its grace period",
            today,
        ),
        (
            "eight days later: the grace period is over",
            today.checked_add(jiff::Span::new().days(8))?,
        ),
    ] {
        writeln!(out)?;
        writeln!(out, "block lists as of {day} ({label})")?;
        let g = cellsweep_interdict::generate(
            ws,
            &cellsweep_interdict::GenerateRequest {
                out: lists_dir.clone(),
                day,
                by: DEMO_ANALYST.into(),
                reason: reason.clone(),
            },
        )?;
        lists::print_generation(&g, out)?;
        last = Some(g);
    }

    // A disable request to the operator with the most notified devices of the first facility.
    let facility = d
        .candidates
        .first()
        .map(|c| c.facility.clone())
        .unwrap_or_default();
    let operator = last
        .as_ref()
        .and_then(|g| {
            g.manifest
                .counts
                .iter()
                .filter(|(k, _)| k.starts_with("notifications_") && !k.contains("_delta"))
                .max_by_key(|(_, n)| **n)
                .map(|(k, _)| k.trim_start_matches("notifications_").to_owned())
        })
        .unwrap_or_else(|| "208-01".into());
    writeln!(out)?;
    let doc = requests::create(
        ws,
        &NewRequest {
            reference: "DEMO-DISABLE-001".into(),
            operator: operator.clone(),
            facility: facility.clone(),
            legal_basis: "art. 706-95 code de procédure pénale (fictional demo order)".into(),
            deadline: today.checked_add(jiff::Span::new().days(14))?,
            by: DEMO_ANALYST.into(),
            devices: vec![],
        },
    );
    let mut requested = None;
    match doc {
        Ok(doc) => {
            requested = doc.devices.first().map(|d| d.device.clone());
            writeln!(
                out,
                "disable request {} to {operator} for facility {facility}: {} devices, deadline {}",
                doc.reference,
                doc.devices.len(),
                doc.deadline
            )?;
            requests::transition(
                ws,
                &doc.reference,
                &[],
                State::Acknowledged,
                "operator-desk",
                None,
            )?;
            let done = requests::transition(
                ws,
                &doc.reference,
                &[],
                State::Confirmed,
                "operator-desk",
                None,
            )?;
            writeln!(
                out,
                "  acknowledged, then {} devices confirmed disabled by the operator",
                done.len()
            )?;
        }
        Err(e) => writeln!(out, "no disable request: {e}")?,
    }

    writeln!(out)?;
    // The evidence package of a device in the request (else the top candidate).
    if let Some(device) = requested.or_else(|| d.candidates.first().map(|c| c.device.clone())) {
        let (p, json, html) = cellsweep_interdict::evidence::write(
            ws,
            &cellsweep_interdict::evidence::EvidenceRequest {
                device,
                out: root.join("evidence"),
                by: DEMO_ANALYST.into(),
                reason: reason.clone(),
                recipients: vec![],
            },
        )?;
        evidence::print_package(&p, &json, &html, out)?;
    }

    audit::done(ws)?;
    let v = ws.audit_verify(None)?;
    writeln!(out)?;
    writeln!(
        out,
        "audit log: {} entries, {} signed checkpoints, {}",
        v.entries,
        v.checkpoints,
        if v.is_intact() { "intact" } else { "TAMPERED" }
    )?;
    Ok(())
}
