//! `lists generate`: one numbered generation of block lists, its deltas against the previous
//! generation, zipped CSV files and a manifest with counts and SHA-256 hashes.
//!
//! ```text
//! approvals ─┐
//! allow list ┼─► lists::build(day) ─► blacklist, notifications_<op>, exceptions_<op>
//! reversals ─┘            │                      │ compared with generation n-1
//!                         ▼                      ▼
//!              list_entries (generation n)   *_delta.csv
//!                                   └──► WS/lists/lists-<n>.zip (+ manifest.json) ──► --out DIR
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use cellsweep_store::rusqlite::params;
use cellsweep_store::{Action, AuditEntry, Workspace};
use jiff::civil::Date;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::io;
use crate::lists::{self, DropReason, Lists};
use crate::util::{now, require, ymd};
use crate::{Error, state};

/// Directory of generated lists, relative to the workspace root.
pub const LISTS_DIR: &str = "lists";

/// The manifest's format tag.
pub const MANIFEST_FORMAT: &str = "cellsweep-lists/1";

/// What a generation asks for.
#[derive(Debug, Clone)]
pub struct GenerateRequest {
    /// Where the zip and a copy of the manifest go.
    pub out: PathBuf,
    /// The day grace periods are measured against (today, except in tests and replays).
    pub day: Date,
    /// Who generates.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Name in the archive.
    pub name: String,
    /// Data rows (the header excluded).
    pub rows: usize,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// An IMEI kept off the blacklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldImei {
    /// The IMEI.
    pub imei: String,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// This generation.
    pub generation: i64,
    /// The one deltas compare against.
    pub previous_generation: Option<i64>,
    /// RFC 3339 UTC.
    pub generated_at: String,
    /// Day the grace periods were measured against, `YYYY-MM-DD`.
    pub as_of: String,
    /// Who.
    pub by: String,
    /// Why.
    pub reason: String,
    /// The latest approval used.
    pub approval: Option<i64>,
    /// Every CSV file with its rows and hash.
    pub files: Vec<FileEntry>,
    /// Counts per list and per change.
    pub counts: BTreeMap<String, usize>,
    /// IMEIs kept off the blacklist and why (their pairings are notified instead).
    pub held_imeis: Vec<HeldImei>,
    /// Approved pairings on no list, counted by reason.
    pub dropped_pairings: BTreeMap<String, usize>,
    /// Exceptions with no routable home operator.
    pub unroutable_exceptions: usize,
    /// What each reason code means (from the conditions of the latest detection run).
    pub reasons: BTreeMap<String, String>,
}

/// The outcome of a generation.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The generation number.
    pub id: i64,
    /// The zip written under `--out`.
    pub zip: PathBuf,
    /// The manifest copy written beside it.
    pub manifest_path: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// The lists.
    pub lists: Lists,
}

/// A notification as written: (MSISDN, block date, reasons).
type Notified = (String, String, String);

/// Rows of a generation as stored, for deltas.
#[derive(Debug, Default)]
struct Stored {
    black: BTreeMap<String, (String, String)>,
    notif: BTreeMap<String, BTreeMap<(String, String), Notified>>,
    exc: BTreeMap<String, BTreeSet<(String, String, String)>>,
}

/// Generates, stores and writes a new generation.
pub fn generate(ws: &Workspace, req: &GenerateRequest) -> Result<Generation, Error> {
    require("`--by` (who generates)", &req.by)?;
    require("`--reason` (why)", &req.reason)?;
    let mnc = cellsweep_ref::mnc_table(ws.conn())?;
    let previous: Option<i64> = ws.conn().query_row(
        "SELECT max(id) FROM list_generations WHERE erased_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    let (inputs, approval) = state::inputs(ws, &mnc, previous)?;
    if approval.is_none() {
        return Err(Error::Missing(
            "nothing is approved in this workspace: run `cellsweep approve` on a candidates file first".into(),
        ));
    }
    let lists = lists::build(&inputs, req.day);
    let prev = match previous {
        Some(g) => load(ws, g)?,
        None => Stored::default(),
    };
    let cur = stored_form(&lists);

    let mut files: Vec<(String, Vec<u8>, usize)> = Vec::new();
    let mut counts = BTreeMap::new();
    // Blacklist and its delta.
    let mut w = Csv::new(&["imei", "block_date", "reasons"]);
    for (imei, (date, reasons)) in &cur.black {
        w.row(&[imei, date, reasons]);
    }
    counts.insert("blacklist".into(), w.rows);
    files.push(w.done("blacklist.csv"));
    let mut w = Csv::new(&["imei", "block_date", "reasons", "change"]);
    for (imei, (date, reasons)) in &cur.black {
        match prev.black.get(imei) {
            None => w.change(&[imei, date, reasons], "blocked", &mut counts, "blacklist"),
            Some(old) if old != &(date.clone(), reasons.clone()) => {
                w.change(&[imei, date, reasons], "changed", &mut counts, "blacklist")
            }
            Some(_) => {}
        }
    }
    for (imei, (date, reasons)) in &prev.black {
        if !cur.black.contains_key(imei) {
            w.change(
                &[imei, date, reasons],
                "unblocked",
                &mut counts,
                "blacklist",
            );
        }
    }
    files.push(w.done("blacklist_delta.csv"));

    // Notifications per operator, and deltas.
    let ops: BTreeSet<&String> = cur.notif.keys().chain(prev.notif.keys()).collect();
    let empty = BTreeMap::new();
    for op in ops {
        let now_rows = cur.notif.get(op).unwrap_or(&empty);
        let old_rows = prev.notif.get(op).unwrap_or(&empty);
        let mut w = Csv::new(&["imei", "imsi", "msisdn", "block_date", "reasons"]);
        for ((imei, imsi), (msisdn, date, reasons)) in now_rows {
            w.row(&[imei, imsi, msisdn, date, reasons]);
        }
        counts.insert(format!("notifications_{op}"), w.rows);
        files.push(w.done(&format!("notifications_{op}.csv")));
        let mut w = Csv::new(&["imei", "imsi", "msisdn", "block_date", "reasons", "change"]);
        let key = format!("notifications_{op}");
        for (k @ (imei, imsi), v @ (msisdn, date, reasons)) in now_rows {
            let rec = [imei.as_str(), imsi, msisdn, date, reasons];
            match old_rows.get(k) {
                None => w.change(&rec, "new", &mut counts, &key),
                Some(old) if old != v => w.change(&rec, "changed", &mut counts, &key),
                Some(_) => {}
            }
        }
        for (k @ (imei, imsi), (msisdn, date, reasons)) in old_rows {
            if now_rows.contains_key(k) {
                continue;
            }
            let change = if cur.black.contains_key(imei) {
                "blacklisted"
            } else if matches!(
                lists.dropped.get(k),
                Some(DropReason::AllowListed | DropReason::Reversed)
            ) {
                "resolved"
            } else {
                "no_longer_seen"
            };
            w.change(
                &[imei, imsi, msisdn, date, reasons],
                change,
                &mut counts,
                &key,
            );
        }
        files.push(w.done(&format!("notifications_{op}_delta.csv")));
    }

    // Exceptions per operator, and deltas.
    let ops: BTreeSet<&String> = cur.exc.keys().chain(prev.exc.keys()).collect();
    let none = BTreeSet::new();
    for op in ops {
        let now_rows = cur.exc.get(op).unwrap_or(&none);
        let old_rows = prev.exc.get(op).unwrap_or(&none);
        let mut w = Csv::new(&["imei", "imsi", "msisdn"]);
        for (a, b, c) in now_rows {
            w.row(&[a, b, c]);
        }
        counts.insert(format!("exceptions_{op}"), w.rows);
        files.push(w.done(&format!("exceptions_{op}.csv")));
        let mut w = Csv::new(&["imei", "imsi", "msisdn", "change"]);
        let key = format!("exceptions_{op}");
        for r @ (a, b, c) in now_rows {
            if !old_rows.contains(r) {
                w.change(&[a, b, c], "added", &mut counts, &key);
            }
        }
        for r @ (a, b, c) in old_rows {
            if !now_rows.contains(r) {
                w.change(&[a, b, c], "removed", &mut counts, &key);
            }
        }
        files.push(w.done(&format!("exceptions_{op}_delta.csv")));
    }

    let mut dropped = BTreeMap::new();
    for r in lists.dropped.values() {
        *dropped.entry(r.as_str().to_owned()).or_insert(0) += 1;
    }
    let held_imeis = lists
        .held
        .iter()
        .map(|(imei, rs)| HeldImei {
            imei: imei.clone(),
            reasons: rs.iter().map(|r| r.as_str().to_owned()).collect(),
        })
        .collect();
    let recipients: Vec<String> = lists
        .notifications
        .keys()
        .chain(lists.exceptions.keys())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let tx = ws.conn().unchecked_transaction()?;
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM list_generations",
        [],
        |r| r.get(0),
    )?;
    let mut manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        generation: id,
        previous_generation: previous,
        generated_at: now(),
        as_of: req.day.to_string(),
        by: req.by.clone(),
        reason: req.reason.clone(),
        approval,
        files: files
            .iter()
            .map(|(name, bytes, rows)| FileEntry {
                name: name.clone(),
                rows: *rows,
                sha256: sha256(bytes),
            })
            .collect(),
        counts,
        held_imeis,
        dropped_pairings: dropped,
        unroutable_exceptions: lists.unroutable_exceptions.len(),
        reasons: reason_texts(ws)?,
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest does not serialise: {e}")))?;
    let name = format!("lists-{id:06}.zip");
    let dir = ws.root().join(LISTS_DIR);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let staged = dir.join(format!(".{name}.tmp"));
    write_zip(&staged, &files, &manifest_json)?;
    let zip_sha = cellsweep_store::digest_file(&staged)?.sha256;
    let retain = req
        .day
        .checked_add(jiff::Span::new().days(i64::from(ws.config().retention.lists_days)))
        .map_err(|e| Error::Internal(format!("retention date: {e}")))?;
    tx.execute(
        "INSERT INTO list_generations (id, at, as_of, by, reason, approval_id, manifest, zip_path,
             zip_sha256, retain_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            manifest.generated_at,
            manifest.as_of,
            req.by,
            req.reason,
            approval,
            String::from_utf8_lossy(&manifest_json),
            format!("{LISTS_DIR}/{name}"),
            zip_sha,
            retain.to_string()
        ],
    )?;
    store_entries(&tx, id, &lists)?;
    ws.audit(&AuditEntry {
        actor: req.by.clone(),
        action: Action::Combination,
        object: format!("lists:{id}"),
        justification: req.reason.clone(),
        recipients: vec![],
        detail: format!(
            "lists generate: approval {} combined with the allow list and {} reversals as of {}",
            approval.unwrap_or_default(),
            inputs.reversed.len(),
            req.day
        ),
    })?;
    ws.audit(&AuditEntry {
        actor: req.by.clone(),
        action: Action::Disclosure,
        object: format!("lists:{id}"),
        justification: req.reason.clone(),
        recipients: recipients.clone(),
        detail: format!(
            "lists generate: {} blacklisted IMEIs, notifications and exceptions for {} operators in `{}` (sha256 {})",
            lists.blacklist.len(),
            recipients.len(),
            req.out.join(&name).display(),
            &zip_sha[..16]
        ),
    })?;
    std::fs::rename(&staged, dir.join(&name)).map_err(io(&staged))?;
    tx.commit()?;

    std::fs::create_dir_all(&req.out).map_err(io(&req.out))?;
    let zip = req.out.join(&name);
    std::fs::copy(dir.join(&name), &zip).map_err(io(&zip))?;
    let manifest_path = req.out.join(format!("lists-{id:06}.manifest.json"));
    std::fs::write(&manifest_path, &manifest_json).map_err(io(&manifest_path))?;
    manifest.files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Generation {
        id,
        zip,
        manifest_path,
        manifest,
        lists,
    })
}

/// A CSV file being written in memory.
struct Csv {
    w: csv::Writer<Vec<u8>>,
    rows: usize,
}

impl Csv {
    fn new(header: &[&str]) -> Csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(header);
        Csv { w, rows: 0 }
    }

    fn row(&mut self, fields: &[&str]) {
        let _ = self.w.write_record(fields);
        self.rows += 1;
    }

    fn change(
        &mut self,
        fields: &[&str],
        change: &str,
        counts: &mut BTreeMap<String, usize>,
        list: &str,
    ) {
        let mut rec = fields.to_vec();
        rec.push(change);
        self.row(&rec);
        *counts.entry(format!("{list}_delta_{change}")).or_insert(0) += 1;
    }

    fn done(self, name: &str) -> (String, Vec<u8>, usize) {
        let rows = self.rows;
        (
            name.to_owned(),
            self.w.into_inner().unwrap_or_default(),
            rows,
        )
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write_zip(
    path: &Path,
    files: &[(String, Vec<u8>, usize)],
    manifest: &[u8],
) -> Result<(), Error> {
    let zerr = |source| Error::Zip {
        path: path.into(),
        source,
    };
    let file = std::fs::File::create(path).map_err(io(path))?;
    let mut z = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes, _) in files
        .iter()
        .map(|(n, b, r)| (n.as_str(), b.as_slice(), r))
        .chain(std::iter::once(("manifest.json", manifest, &0)))
    {
        z.start_file(name, opts).map_err(zerr)?;
        z.write_all(bytes).map_err(io(path))?;
    }
    let mut w = z.finish().map_err(zerr)?;
    w.flush().map_err(io(path))?;
    Ok(())
}

/// The rows of `lists` in their stored (and written) form.
fn stored_form(l: &Lists) -> Stored {
    let mut s = Stored::default();
    for (imei, b) in &l.blacklist {
        let reasons: Vec<&str> = b.reasons.iter().map(String::as_str).collect();
        s.black
            .insert(imei.clone(), (ymd(b.block_date), reasons.join("|")));
    }
    for (op, rows) in &l.notifications {
        let m = s.notif.entry(op.clone()).or_default();
        for r in rows {
            m.insert(
                (r.imei.clone(), r.imsi.clone()),
                (
                    r.msisdn.clone(),
                    r.block_date.map(ymd).unwrap_or_default(),
                    r.reasons.clone(),
                ),
            );
        }
    }
    for (op, rows) in &l.exceptions {
        let m = s.exc.entry(op.clone()).or_default();
        for r in rows {
            m.insert((r.imei.clone(), r.imsi.clone(), r.msisdn.clone()));
        }
    }
    s
}

fn store_entries(
    conn: &cellsweep_store::rusqlite::Connection,
    id: i64,
    l: &Lists,
) -> Result<(), Error> {
    let mut stmt = conn.prepare(
        "INSERT INTO list_entries (generation, list, operator, imei, imsi, msisdn, block_date,
             reasons, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (imei, b) in &l.blacklist {
        let reasons: Vec<&str> = b.reasons.iter().map(String::as_str).collect();
        let devices: Vec<&str> = b.devices.iter().map(String::as_str).collect();
        stmt.execute(params![
            id,
            "blacklist",
            "",
            imei,
            "",
            "",
            ymd(b.block_date),
            reasons.join("|"),
            devices.join(";")
        ])?;
    }
    for (list, map) in [
        ("notification", &l.notifications),
        ("exception", &l.exceptions),
    ] {
        for (op, rows) in map {
            for r in rows {
                stmt.execute(params![
                    id,
                    list,
                    op,
                    r.imei,
                    r.imsi,
                    r.msisdn,
                    r.block_date.map(ymd).unwrap_or_default(),
                    r.reasons,
                    r.device
                ])?;
            }
        }
    }
    Ok(())
}

fn load(ws: &Workspace, generation: i64) -> Result<Stored, Error> {
    let mut s = Stored::default();
    let mut stmt = ws.conn().prepare(
        "SELECT list, operator, imei, imsi, msisdn, block_date, reasons FROM list_entries
         WHERE generation = ?1",
    )?;
    let rows = stmt.query_map([generation], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    for r in rows {
        let (list, op, imei, imsi, msisdn, date, reasons) = r?;
        match list.as_str() {
            "blacklist" => {
                s.black.insert(imei, (date, reasons));
            }
            "notification" => {
                s.notif
                    .entry(op)
                    .or_default()
                    .insert((imei, imsi), (msisdn, date, reasons));
            }
            _ => {
                s.exc.entry(op).or_default().insert((imei, imsi, msisdn));
            }
        }
    }
    Ok(s)
}

/// Reason texts of the conditions used by the latest detection run.
fn reason_texts(ws: &Workspace) -> Result<BTreeMap<String, String>, Error> {
    let text: Option<String> = ws
        .conn()
        .query_row(
            "SELECT s.text FROM detect_runs r JOIN condition_sets s ON s.id = r.condition_set
             ORDER BY r.id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    Ok(text
        .map(|t| crate::conditions::reasons(&t))
        .unwrap_or_default())
}
