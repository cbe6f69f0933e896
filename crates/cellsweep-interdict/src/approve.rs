//! Approvals: a human decision, recorded with who and why, over a candidates file that
//! `cellsweep detect` wrote on this workspace, under an explicit policy (probability threshold,
//! required conditions, grace period).
//!
//! A file is accepted only if the workspace knows its exact content (registered by `detect`
//! when it wrote it, [`register_candidates`]) and nothing changed since: no later detection
//! run and no later import. Every row is validated; one bad row refuses the whole file, naming
//! file, line and field, because an approval is all or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cellsweep_ids::{Imei, Imsi, MncTable, Msisdn};
use cellsweep_store::rusqlite::{OptionalExtension, params};
use cellsweep_store::{Action, AuditEntry, Workspace, digest_file};
use jiff::civil::Date;

use crate::error::{RowError, io};
use crate::util::{now, require};
use crate::{Error, util};

/// The columns `cellsweep detect` writes, in order.
pub const CANDIDATE_COLUMNS: [&str; 8] = [
    "device_id",
    "imei",
    "imsi",
    "msisdn",
    "facility_id",
    "probability",
    "conditions",
    "explanation",
];

/// Bad rows reported in full; the rest are counted.
const MAX_ROW_ERRORS: usize = 20;

/// Default grace period, in days, between approval and blacklisting.
pub const DEFAULT_GRACE_DAYS: u32 = 7;

/// One row of a candidates file, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRow {
    /// Line in the file.
    pub line: u64,
    /// Device id.
    pub device: String,
    /// IMEI, 14 digits.
    pub imei: Option<String>,
    /// IMSI.
    pub imsi: Option<String>,
    /// E.164 number.
    pub msisdn: Option<String>,
    /// Facility id.
    pub facility: String,
    /// Probability.
    pub probability: f64,
    /// Condition names.
    pub conditions: Vec<String>,
    /// Evidence in words.
    pub explanation: String,
}

/// Records a candidates file that `detect` has just written, so that `approve` knows it.
/// Returns its SHA-256.
pub fn register_candidates(ws: &Workspace, path: &Path, rows: u64) -> Result<String, Error> {
    let digest = digest_file(path)?;
    let run: Option<i64> = ws
        .conn()
        .query_row("SELECT max(id) FROM detect_runs", [], |r| r.get(0))?;
    let run = run.ok_or_else(|| Error::Internal("no detection run to register".into()))?;
    let last_source: i64 =
        ws.conn()
            .query_row("SELECT coalesce(max(id), 0) FROM source_files", [], |r| {
                r.get(0)
            })?;
    ws.conn().execute(
        "INSERT INTO candidate_files (sha256, path, detect_run, written_at, rows, last_source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (sha256) DO UPDATE SET path = excluded.path,
             detect_run = excluded.detect_run, written_at = excluded.written_at,
             last_source = excluded.last_source",
        params![
            digest.sha256,
            path.display().to_string(),
            run,
            now(),
            rows,
            last_source
        ],
    )?;
    Ok(digest.sha256)
}

/// Reads and validates a candidates file. Errors name the file, the line and the field.
pub fn read_candidates(
    path: &Path,
    mnc: &MncTable,
    facilities: &BTreeSet<String>,
) -> Result<Vec<CandidateRow>, Error> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let csv_err = |source| Error::Csv {
        path: path.into(),
        source,
    };
    let header: Vec<String> = rdr
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(str::to_owned)
        .collect();
    if header != CANDIDATE_COLUMNS {
        return Err(Error::NotCandidates {
            path: path.into(),
            expected: CANDIDATE_COLUMNS.join(","),
            found: header.join(","),
        });
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(csv_err)?;
        match row(line, &rec, mnc, facilities) {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        let total = errors.len();
        errors.truncate(MAX_ROW_ERRORS);
        return Err(Error::BadCandidates {
            path: path.into(),
            rows: errors,
            total,
        });
    }
    Ok(rows)
}

fn row(
    line: u64,
    rec: &csv::StringRecord,
    mnc: &MncTable,
    facilities: &BTreeSet<String>,
) -> Result<CandidateRow, RowError> {
    let err = |field: &str, reason: String| RowError {
        line,
        field: field.into(),
        reason,
    };
    if rec.len() != CANDIDATE_COLUMNS.len() {
        return Err(err(
            "*",
            format!("{} fields, expected {}", rec.len(), CANDIDATE_COLUMNS.len()),
        ));
    }
    let get = |i: usize| rec.get(i).unwrap_or("").trim();
    let opt = |i: usize| Some(get(i)).filter(|v| !v.is_empty());
    let device = get(0);
    if !(device.len() == 17
        && device.starts_with('D')
        && device[1..].bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(err(
            "device_id",
            format!("`{device}` is not a device id (`D` and 16 hex digits)"),
        ));
    }
    let imei = opt(1)
        .map(|v| {
            Imei::parse(v)
                .map(|i| i.to_string())
                .map_err(|e| err("imei", e.to_string()))
        })
        .transpose()?;
    let imsi = opt(2)
        .map(|v| {
            Imsi::parse(v, mnc)
                .map(|i| i.to_string())
                .map_err(|e| err("imsi", e.to_string()))
        })
        .transpose()?;
    let msisdn = opt(3)
        .map(|v| {
            Msisdn::parse_e164(v)
                .map(|m| m.to_string())
                .map_err(|e| err("msisdn", e.to_string()))
        })
        .transpose()?;
    if imei.is_none() && imsi.is_none() {
        return Err(err("imei", "no IMEI and no IMSI".into()));
    }
    let facility = get(4);
    if !facilities.contains(facility) {
        return Err(err(
            "facility_id",
            format!("`{facility}` is not a facility of this workspace"),
        ));
    }
    let probability: f64 = get(5)
        .parse()
        .ok()
        .filter(|p: &f64| (0.0..=1.0).contains(p))
        .ok_or_else(|| {
            err(
                "probability",
                format!("`{}` is not a probability between 0 and 1", get(5)),
            )
        })?;
    let conditions: Vec<String> = get(6)
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(c) = conditions.iter().find(|c| {
        !c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Err(err("conditions", format!("`{c}` is not a condition name")));
    }
    Ok(CandidateRow {
        line,
        device: device.into(),
        imei,
        imsi,
        msisdn,
        facility: facility.into(),
        probability,
        conditions,
        explanation: get(7).into(),
    })
}

/// What an approval asks for.
#[derive(Debug, Clone)]
pub struct ApproveRequest {
    /// The candidates file.
    pub candidates: PathBuf,
    /// Rows at or above this probability may be approved.
    pub min_probability: f64,
    /// A row must carry at least one of these conditions; empty: at least one condition.
    pub conditions: Vec<String>,
    /// Days between approval and blacklisting (notification period).
    pub grace_days: u32,
    /// Who approves.
    pub by: String,
    /// Why.
    pub reason: String,
    /// The day of the approval (today, except in tests).
    pub day: Date,
}

/// What an approval recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// Approval id.
    pub id: i64,
    /// Rows read.
    pub rows: usize,
    /// Rows approved.
    pub approved: usize,
    /// Devices approved.
    pub devices: usize,
    /// Rows below the policy.
    pub held: usize,
    /// Approved rows that share an identifier with the allow list (never listed).
    pub allow_listed: usize,
    /// The detection run the file came from.
    pub detect_run: i64,
}

/// Records an approval. Refuses unknown, stale or invalid files, and a policy that approves
/// nothing.
pub fn approve(ws: &Workspace, req: &ApproveRequest) -> Result<Approval, Error> {
    require("`--by` (who approves)", &req.by)?;
    require("`--reason` (why)", &req.reason)?;
    if !(0.0..=1.0).contains(&req.min_probability) {
        return Err(Error::Invalid(format!(
            "`--min-probability {}` is not between 0 and 1",
            req.min_probability
        )));
    }
    let path = &req.candidates;
    let digest = digest_file(path)?;
    let run = check_fresh(ws, path, &digest.sha256)?;
    let mnc = cellsweep_ref::mnc_table(ws.conn())?;
    let facilities: BTreeSet<String> = ws
        .conn()
        .prepare("SELECT id FROM facilities")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let rows = read_candidates(path, &mnc, &facilities)?;
    let meets = |r: &CandidateRow| {
        r.probability >= req.min_probability
            && !r.conditions.is_empty()
            && (req.conditions.is_empty()
                || r.conditions.iter().any(|c| req.conditions.contains(c)))
    };
    let approved: Vec<&CandidateRow> = rows.iter().filter(|r| meets(r)).collect();
    let policy = policy_words(req);
    if approved.is_empty() {
        return Err(Error::NothingApproved {
            path: path.clone(),
            policy,
        });
    }
    let allow = crate::state::allow_list(ws, &mnc)?;
    let day = req.day;
    let allow_listed = approved
        .iter()
        .filter(|r| {
            allow.iter().filter(|a| a.valid_on(day)).any(|a| {
                (a.imei.is_some() && a.imei == r.imei)
                    || (a.imsi.is_some() && a.imsi == r.imsi)
                    || (a.msisdn.is_some() && a.msisdn == r.msisdn)
            })
        })
        .count();
    let earliest = earliest_block_dates(ws)?;
    let block = day
        .checked_add(jiff::Span::new().days(i64::from(req.grace_days)))
        .map_err(|e| Error::Invalid(format!("`--grace-days {}`: {e}", req.grace_days)))?;
    let devices: BTreeSet<&str> = approved.iter().map(|r| r.device.as_str()).collect();

    let tx = ws.conn().unchecked_transaction()?;
    tx.execute(
        "INSERT INTO approvals (at, by, reason, candidates_path, candidates_sha256, detect_run,
             min_probability, conditions, grace_days, rows_in, approved, held)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            now(),
            req.by,
            req.reason,
            path.display().to_string(),
            digest.sha256,
            run,
            req.min_probability,
            req.conditions.join("|"),
            req.grace_days,
            rows.len() as i64,
            approved.len() as i64,
            (rows.len() - approved.len()) as i64
        ],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut stmt = tx.prepare(
            "INSERT INTO approved_pairings (approval_id, line, device_id, imei, imsi, msisdn,
                 facility_id, probability, conditions, explanation, block_date)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for r in &approved {
            // Approving again never postpones a block date already set.
            let key = (r.imei.clone(), r.imsi.clone());
            let date = earliest.get(&key).map_or(block, |&d| d.min(block));
            stmt.execute(params![
                id,
                r.line,
                r.device,
                r.imei,
                r.imsi,
                r.msisdn,
                r.facility,
                r.probability,
                r.conditions.join("|"),
                r.explanation,
                date.to_string()
            ])?;
        }
    }
    ws.audit(&AuditEntry {
        actor: req.by.clone(),
        action: Action::Alteration,
        object: format!("approval:{id}"),
        justification: req.reason.clone(),
        recipients: vec![],
        detail: format!(
            "approve: {} of {} rows ({} devices) of `{}` (sha256 {}, detection run {run}) under {policy}",
            approved.len(),
            rows.len(),
            devices.len(),
            path.display(),
            &digest.sha256[..16]
        ),
    })?;
    tx.commit()?;
    Ok(Approval {
        id,
        rows: rows.len(),
        approved: approved.len(),
        devices: devices.len(),
        held: rows.len() - approved.len(),
        allow_listed,
        detect_run: run,
    })
}

fn policy_words(req: &ApproveRequest) -> String {
    let conds = if req.conditions.is_empty() {
        "at least one condition".to_owned()
    } else {
        format!("one of the conditions {}", req.conditions.join(", "))
    };
    format!(
        "probability >= {} and {conds}; blacklisted {} days after approval",
        req.min_probability, req.grace_days
    )
}

/// The workspace must know the file, from its latest detection run, with nothing imported since.
fn check_fresh(ws: &Workspace, path: &Path, sha256: &str) -> Result<i64, Error> {
    let known: Option<(i64, i64)> = ws
        .conn()
        .query_row(
            "SELECT detect_run, last_source FROM candidate_files WHERE sha256 = ?1",
            [sha256],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((run, last_source)) = known else {
        return Err(Error::UnknownCandidates {
            path: path.into(),
            sha256: sha256.into(),
        });
    };
    let latest: i64 = ws
        .conn()
        .query_row("SELECT max(id) FROM detect_runs", [], |r| r.get(0))?;
    if latest != run {
        return Err(Error::StaleCandidates {
            path: path.into(),
            why: format!(
                "it was written by detection run {run}, and run {latest} came after it; approve the latest run's candidates"
            ),
        });
    }
    // Source ids only grow: any file above the one seen when it was written came later.
    let later: Option<(i64, String)> = ws
        .conn()
        .query_row(
            "SELECT id, path FROM source_files WHERE id > ?1 ORDER BY id LIMIT 1",
            [last_source],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, p)) = later {
        return Err(Error::StaleCandidates {
            path: path.into(),
            why: format!(
                "`{p}` (source {id}) was imported after it was written; run `cellsweep detect` again"
            ),
        });
    }
    Ok(run)
}

/// (IMEI, IMSI) of an approved pairing.
type PairKey = (Option<String>, Option<String>);

/// The earliest block date of every (IMEI, IMSI) ever approved.
fn earliest_block_dates(ws: &Workspace) -> Result<BTreeMap<PairKey, Date>, Error> {
    let mut out = BTreeMap::new();
    let mut stmt = ws
        .conn()
        .prepare("SELECT imei, imsi, min(block_date) FROM approved_pairings GROUP BY imei, imsi")?;
    for r in stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (imei, imsi, d) = r?;
        out.insert((imei, imsi), util::parse_date("stored block date", &d)?);
    }
    Ok(out)
}
