//! One detection run, from the workspace to scored and explained candidates.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use cellsweep_query::Engine;
use cellsweep_store::Workspace;

use crate::Error;
use crate::conditions::{self, Dimension, Facts};
use crate::facts::{DeviceFacts, Reference, device_facts};
use crate::features::{self, Presence};
use crate::identity::{self, Resolution, Rules};
use crate::score::{self, DEFAULT_MODEL, Model};
use crate::tables::{self, Plane};

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Fewest nights on a facility's cells for a (device, facility) to be considered.
    pub min_nights: u32,
    /// Distance from a facility beyond which an event is "far", metres.
    pub far_m: f64,
    /// Probability from which a candidate is listed.
    pub threshold: f64,
    /// Share of observed nights from which a device is `resident_in_facility`.
    pub resident_nights: f64,
    /// Identity rules.
    pub rules: Rules,
    /// Conditions text and its origin (file path or `built-in`).
    pub conditions: (String, String),
    /// Time zone of local nights.
    pub timezone: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            min_nights: 2,
            far_m: 3_000.0,
            threshold: 0.5,
            resident_nights: 0.5,
            rules: Rules::default(),
            conditions: (conditions::DEFAULT_CONDITIONS.into(), "built-in".into()),
            timezone: "Europe/Paris".into(),
        }
    }
}

/// One listed (device, facility).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Device id.
    pub device: String,
    /// Its (IMEI, IMSI, MSISDN) pairings, keys (0 when absent).
    pub pairings: Vec<(u64, u64, u64)>,
    /// Facility id.
    pub facility: String,
    /// Calibrated probability.
    pub probability: f64,
    /// Effective conditions.
    pub conditions: Vec<String>,
    /// Evidence in words.
    pub explanation: String,
    /// Presence features.
    pub presence: Presence,
    /// The score model's inputs ([`score::FEATURES`] order).
    pub features: [f64; 9],
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Detection {
    /// Listed candidates, most probable first.
    pub candidates: Vec<Candidate>,
    /// Every scored (device, facility) as a candidate row, whatever its probability.
    pub all: Vec<Candidate>,
    /// Devices resolved.
    pub devices: usize,
    /// Shared IMEIs found.
    pub shared_imeis: usize,
    /// Conditions refused for flagging too much: (name, would flag, evaluated).
    pub refused: Vec<(String, usize, usize)>,
    /// How the probabilities are calibrated, in words.
    pub calibration: String,
    /// The score model used (after calibration).
    pub model: Model,
    /// Nights in the data.
    pub nights_observed: u64,
    /// Set when the conditions differ from the previous run's: what changed, in words.
    pub conditions_changed: Option<String>,
    /// Seconds spent per stage: coverage and tables, identity resolution, event aggregation,
    /// presence features, conditions and scores.
    pub timings: Vec<(&'static str, f64)>,
}

/// Runs detection on a workspace's event store.
pub fn run(ws: &Workspace, engine: &Engine, s: &Settings) -> Result<Detection, Error> {
    let mut clock = Clock::new();
    let conds = conditions::parse(&s.conditions.0, &s.conditions.1)?;
    let tz = jiff::tz::TimeZone::get(&s.timezone)
        .map_err(|e| Error::Missing(format!("time zone `{}`: {e}", s.timezone)))?;
    let mnc = cellsweep_ref::mnc_table(ws.conn())?;
    let facilities = tables::facilities(ws)?;
    if facilities.is_empty() {
        return Err(Error::Missing("the workspace has no facilities; import some with `cellsweep ref import WS --kind facilities`".into()));
    }
    let cells = tables::cells(ws, &mnc)?;
    let parts = ws.event_parts(None)?;
    if parts.is_empty() {
        return Err(Error::Missing(
            "the workspace has no operator events; load deliveries with `cellsweep ingest`".into(),
        ));
    }
    let (first, last) = (
        parts.iter().map(|p| p.time_min).min().unwrap_or(0),
        parts.iter().map(|p| p.time_max).max().unwrap_or(0),
    );
    let plane = Plane::for_facilities(&facilities);
    let coverage = tables::coverage(&facilities, &cells);
    let hours = tables::hours(first, last, &tz);
    let nights: HashSet<i32> = hours.iter().filter_map(|h| h.3).collect();
    let nights_observed = nights.len() as u64;

    // Each run writes its tables under a new directory: a long-lived engine (a Ballista
    // cluster) caches Parquet metadata by path, so a rewritten file must never reuse a path.
    let dir = new_run_dir(ws)?;
    register_events(ws, engine)?;
    // Identity first (it needs cell positions), then the tables that depend on it.
    let written = tables::write_all(&dir, plane, &facilities, &cells, &coverage, &hours)?;
    for (name, path) in &written {
        engine.register_parquet(name, std::slice::from_ref(path), None)?;
    }
    clock.lap("coverage and tables");
    let pairs = features::pairs(engine)?;
    let distant: HashSet<u64> = features::distant(engine)?.into_iter().collect();
    let res = identity::resolve(&pairs, &distant, s.rules);
    let pairs_dev: Vec<(u64, u64, u64)> = pairs
        .iter()
        .zip(&res.pair_device)
        .map(|(p, &d)| (p.imei.unwrap_or(0), p.imsi.unwrap_or(0), d as u64))
        .collect();
    let path = tables::write_pairs_dev(&dir, &pairs_dev)?;
    engine.register_parquet("pairs_dev", std::slice::from_ref(&path), None)?;
    clock.lap("identity resolution");
    let agg_dir = dir.join("agg/");
    features::aggregate(
        engine,
        &ws.event_scan_days()?,
        &agg_dir,
        features::AGG_BATCH_ROWS,
    )?;
    engine.register_parquet("agg", std::slice::from_ref(&agg_dir), None)?;
    clock.lap("event aggregation");
    let presence = features::presence(engine, s.min_nights, s.far_m)?;
    clock.lap("presence features");

    let reference = Reference::load(ws, &mnc)?;
    let dfacts = device_facts(&reference, &res);
    let fac_name: HashMap<&str, &str> = facilities
        .iter()
        .map(|f| (f.id.as_str(), f.name.as_str()))
        .collect();

    let mut model = DEFAULT_MODEL;
    let labelled = labels(ws, &res, &presence, &dfacts, (first, nights_observed))?;
    let calibration = match score::calibrate(&model, &labelled) {
        Some(m) => {
            model = m;
            let pos = labelled.iter().filter(|l| l.1).count();
            format!(
                "recalibrated (Platt) on past search outcomes: {pos} seized devices, {} allow-listed devices",
                labelled.len() - pos
            )
        }
        None => format!(
            "default model (fewer than {} seized and {} allow-listed devices in the data to recalibrate on)",
            score::MIN_CALIBRATION_LABELS,
            score::MIN_CALIBRATION_LABELS
        ),
    };
    let facts: Vec<Facts> = presence
        .iter()
        .map(|p| facts_for(p, &dfacts[p.device], nights_observed, s))
        .collect();
    let history = previous_effective(ws)?;
    let outcome = conditions::evaluate(&conds, &facts, |i, c| {
        history.contains(&(
            res.devices[presence[i].device].id.clone(),
            presence[i].facility.clone(),
            c.to_owned(),
        ))
    });

    let mut candidates = Vec::new();
    let mut all = Vec::new();
    let mut scores = Vec::with_capacity(presence.len());
    for (i, p) in presence.iter().enumerate() {
        let d = p.device;
        let f = &dfacts[d];
        let x = score::features(
            p,
            nights_observed,
            f.mini_phone.is_some(),
            f.ledger.is_some(),
        );
        // Allow-listed devices are never candidates, whatever their score.
        let prob = if f.allow_listed.is_some() {
            0.0
        } else {
            model.probability(&x)
        };
        let dev = &res.devices[d];
        let name = fac_name
            .get(p.facility.as_str())
            .copied()
            .unwrap_or(&p.facility);
        let mut words = score::presence_words(p, name, nights_observed, s.far_m);
        words.extend(fact_words(f, &reference));
        let pairings = dev
            .pairs
            .iter()
            .map(|&k| {
                (
                    pairs[k].imei.unwrap_or(0),
                    pairs[k].imsi.unwrap_or(0),
                    pairs[k].msisdn.unwrap_or(0),
                )
            })
            .collect();
        let c = Candidate {
            device: dev.id.clone(),
            pairings,
            facility: p.facility.clone(),
            probability: prob,
            conditions: outcome.flagged[i].clone(),
            explanation: words.join("; "),
            presence: p.clone(),
            features: x,
        };
        scores.push(tables::Score {
            device: d as u64,
            device_id: dev.id.clone(),
            facility: p.facility.clone(),
            probability: prob,
            mini: f.mini_phone.is_some(),
            allow_listed: f.allow_listed.is_some(),
        });
        if prob >= s.threshold {
            candidates.push(c.clone());
        }
        all.push(c);
    }
    tables::write_scores(&dir, &scores)?;
    all.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.device.cmp(&b.device))
    });
    candidates.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.device.cmp(&b.device))
    });
    record_effective(ws, &res, &presence, &outcome.flagged)?;
    let (set_id, conditions_changed) = record_conditions(ws, &s.conditions.0, &s.conditions.1)?;
    ws.conn().execute(
        "INSERT INTO detect_runs (at, condition_set, devices, candidates, calibration) VALUES (datetime('now'), ?1, ?2, ?3, ?4)",
        (set_id, res.devices.len() as i64, candidates.len() as i64, &calibration),
    )?;
    publish_run_dir(ws, &dir)?;
    clock.lap("conditions and scores");
    Ok(Detection {
        timings: clock.laps,
        model,
        conditions_changed,
        all,
        candidates,
        devices: res.devices.len(),
        shared_imeis: res.shared.len(),
        refused: outcome.refused,
        calibration,
        nights_observed,
    })
}

/// Stage timings.
struct Clock {
    at: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            at: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        self.laps.push((stage, self.at.elapsed().as_secs_f64()));
        self.at = std::time::Instant::now();
    }
}

/// Where runs write their derived tables.
fn derived_dir(ws: &Workspace) -> PathBuf {
    ws.root().join("derived").join("detect")
}

/// The file naming the directory of the last run's tables.
const LATEST: &str = "LATEST";

/// A fresh directory for this run's tables, `run-<µs since the epoch>`.
fn new_run_dir(ws: &Workspace) -> Result<PathBuf, Error> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let dir = derived_dir(ws).join(format!("run-{stamp}"));
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

/// Marks `dir` as the last run's and removes the tables of earlier runs.
fn publish_run_dir(ws: &Workspace, dir: &std::path::Path) -> Result<(), Error> {
    let root = derived_dir(ws);
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let latest = root.join(LATEST);
    std::fs::write(&latest, name).map_err(|source| Error::Io {
        path: latest,
        source,
    })?;
    let entries = std::fs::read_dir(&root).map_err(|source| Error::Io {
        path: root.clone(),
        source,
    })?;
    for e in entries.flatten() {
        let n = e.file_name();
        let n = n.to_string_lossy();
        if n.starts_with("run-") && n != name {
            // Best effort: a directory still read by another process is removed next time.
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    Ok(())
}

fn register_events(ws: &Workspace, engine: &Engine) -> Result<(), Error> {
    engine.register_parquet(
        "events",
        &ws.event_scan_paths()?,
        Some(cellsweep_ingest::event_schema()),
    )?;
    Ok(())
}

/// The directory holding the derived tables of the last detection run.
pub fn latest_run_dir(ws: &Workspace) -> Result<PathBuf, Error> {
    let root = derived_dir(ws);
    let latest = std::fs::read_to_string(root.join(LATEST)).map_err(|_| {
        Error::Missing(format!(
            "no detection tables in `{}`: run `cellsweep detect` first",
            root.display()
        ))
    })?;
    Ok(root.join(latest.trim()))
}

/// Registers the event store with `engine` as the table `events`.
pub fn register_event_store(ws: &Workspace, engine: &Engine) -> Result<(), Error> {
    register_events(ws, engine)
}

/// Registers the event store and the derived tables of the last run with `engine`, so that
/// the presence statement ([`features::presence_sql`]) can be run again (benchmarks, audits).
pub fn register_tables(ws: &Workspace, engine: &Engine) -> Result<(), Error> {
    register_events(ws, engine)?;
    let dir = latest_run_dir(ws)?;
    for name in tables::NAMES {
        // Stage one writes `agg` as a directory of batches (one file before 2026-11-22).
        let path = match name {
            "agg" if !dir.join("agg").is_dir() && dir.join("agg.parquet").exists() => {
                dir.join("agg.parquet")
            }
            "agg" => dir.join("agg/"),
            _ => dir.join(format!("{name}.parquet")),
        };
        if !path.exists() {
            return Err(Error::Missing(format!(
                "`{}` does not exist: run `cellsweep detect` first",
                path.display()
            )));
        }
        engine.register_parquet(name, std::slice::from_ref(&path), None)?;
    }
    Ok(())
}

fn facts_for(p: &Presence, f: &DeviceFacts, nights_observed: u64, s: &Settings) -> Facts {
    let mut holds = BTreeMap::new();
    let resident =
        p.nights as f64 >= s.resident_nights * nights_observed as f64 && p.events_far == 0;
    if resident {
        holds.insert(
            Dimension::ResidentInFacility,
            format!(
                "seen on {} of {} nights, never far",
                p.nights, nights_observed
            ),
        );
    }
    if let Some(m) = &f.mini_phone {
        holds.insert(Dimension::MiniPhoneTac, m.clone());
    }
    if let Some(m) = &f.contraband_model {
        holds.insert(Dimension::KnownContrabandModel, m.clone());
    }
    if let Some((_, s, d)) = &f.ledger {
        holds.insert(Dimension::InSupplierLedger, format!("{s} {d}"));
    }
    if let Some((h, r)) = &f.allow_listed {
        holds.insert(Dimension::AllowListed, format!("{h} ({r})"));
    }
    if let Some(i) = f.invalid_imei {
        holds.insert(Dimension::InvalidImei, format!("{i:014}"));
    }
    if let Some(i) = f.unknown_tac {
        holds.insert(Dimension::UnknownTac, format!("{:08}", i / 1_000_000));
    }
    if let Some((i, why)) = f.shared_imei {
        holds.insert(Dimension::DuplicateImei, format!("{i:014} {why}"));
    }
    if f.own_imeis >= 2 {
        holds.insert(Dimension::ImeiChanged, format!("{} IMEIs", f.own_imeis));
    }
    if f.sims >= 3 {
        holds.insert(Dimension::ManySims, format!("{} SIMs", f.sims));
    }
    Facts {
        holds,
        days_held: p.days as u32,
    }
}

fn fact_words(f: &DeviceFacts, r: &Reference) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = &f.mini_phone {
        out.push(format!("mini-phone model {m}"));
    } else if let Some(m) = &f.contraband_model {
        out.push(format!("known contraband model {m}"));
    }
    if let Some((imei, s, d)) = &f.ledger {
        let model = r
            .model((imei / 1_000_000) as u32)
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        out.push(format!("IMEI {imei:014}{model} sold by {s} on {d}"));
    }
    if f.own_imeis >= 2 {
        out.push(format!("changed IMEI ({} IMEIs)", f.own_imeis));
    }
    if f.sims >= 3 {
        out.push(format!("used {} SIM cards", f.sims));
    }
    if let Some((i, why)) = f.shared_imei {
        out.push(format!("carries IMEI {i:014}, {why}"));
    }
    out
}

/// Labelled candidates for calibration: seized devices (positives) and allow-listed ones.
fn labels(
    ws: &Workspace,
    res: &Resolution,
    presence: &[Presence],
    dfacts: &[DeviceFacts],
    (first_us, nights_observed): (i64, u64),
) -> Result<Vec<([f64; 9], bool)>, Error> {
    let seized = seized_identities(ws)?;
    let mut out = Vec::new();
    for p in presence {
        let d = p.device;
        let dev = &res.devices[d];
        let f = &dfacts[d];
        // A seized phone is a positive in the facility where it was seized, only.
        let is_seized = dev
            .imeis
            .iter()
            .chain(&dev.imsis)
            .any(|k| seized.contains(&(*k, p.facility.clone())));
        if is_seized {
            // It went silent when it was seized: its presence is measured over the nights
            // before, not over the whole period (or it would look like a part-time visitor).
            let nights = ((p.last_us - first_us) as f64 / 86_400e6).ceil().max(1.0) as u64;
            let x = score::features(p, nights, f.mini_phone.is_some(), f.ledger.is_some());
            out.push((x, true));
        } else if f.allow_listed.is_some() {
            let x = score::features(
                p,
                nights_observed,
                f.mini_phone.is_some(),
                f.ledger.is_some(),
            );
            out.push((x, false));
        }
    }
    Ok(out)
}

/// IMEI and IMSI keys of devices seized in searches, with the facility searched.
fn seized_identities(ws: &Workspace) -> Result<HashSet<(u64, String)>, Error> {
    let mut out = HashSet::new();
    let mut stmt = ws.conn().prepare(
        "SELECT z.imei_key, z.imsi_key, s.facility_id FROM seizures z JOIN searches s ON s.id = z.search_id",
    )?;
    for r in stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<u64>>(0)?,
            r.get::<_, Option<u64>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (a, b, f) = r?;
        out.extend(a.into_iter().chain(b).map(|k| (k, f.clone())));
    }
    Ok(out)
}

/// Conditions effective in earlier runs (for sticky conditions).
fn previous_effective(ws: &Workspace) -> Result<HashSet<(String, String, String)>, Error> {
    let mut out = HashSet::new();
    let mut stmt = ws
        .conn()
        .prepare("SELECT device, facility, condition FROM condition_matches")?;
    for r in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
        out.insert(r?);
    }
    Ok(out)
}

fn record_effective(
    ws: &Workspace,
    res: &Resolution,
    presence: &[Presence],
    flagged: &[Vec<String>],
) -> Result<(), Error> {
    let tx = ws.conn().unchecked_transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO condition_matches (device, facility, condition, first_run) VALUES (?1, ?2, ?3, datetime('now'))
             ON CONFLICT (device, facility, condition) DO NOTHING",
        )?;
        for (p, names) in presence.iter().zip(flagged) {
            for n in names {
                stmt.execute((&res.devices[p.device].id, &p.facility, n))?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Records the conditions text; returns its set id and, when it differs from the last run's,
/// a note saying so.
fn record_conditions(
    ws: &Workspace,
    text: &str,
    origin: &str,
) -> Result<(i64, Option<String>), Error> {
    use sha2::{Digest, Sha256};
    let sha: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let conn = ws.conn();
    let last: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT s.id, s.sha256, s.origin FROM detect_runs r JOIN condition_sets s ON s.id = r.condition_set ORDER BY r.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok();
    conn.execute(
        "INSERT INTO condition_sets (sha256, origin, text, first_used) VALUES (?1, ?2, ?3, datetime('now')) ON CONFLICT (sha256) DO NOTHING",
        (&sha, origin, text),
    )?;
    let id: i64 = conn.query_row(
        "SELECT id FROM condition_sets WHERE sha256 = ?1",
        [&sha],
        |r| r.get(0),
    )?;
    let note = match last {
        Some((_, old, old_origin)) if old != sha => Some(format!(
            "the conditions changed since the last run (now `{origin}`, sha256 {}…; before `{old_origin}`, {}…); the change is recorded in the catalog",
            &sha[..12],
            &old[..12]
        )),
        _ => None,
    };
    Ok((id, note))
}

/// The model in use, in words (`cellsweep detect` prints it).
pub fn model_description(m: &Model) -> String {
    let mut s = format!("logit = {:+.2}", m.bias);
    for (name, w) in score::FEATURES.iter().zip(m.weights) {
        s.push_str(&format!(" {w:+.2}·{name}"));
    }
    if m.platt != (1.0, 0.0) {
        s.push_str(&format!(
            "; probability = sigmoid({:.3}·logit {:+.3})",
            m.platt.0, m.platt.1
        ));
    }
    s
}
