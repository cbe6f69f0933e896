//! Evidence packages: everything the workspace knows about one device, in JSON (for tools) and
//! HTML (for a reader), with the provenance of every event (source file and row numbers).
//!
//! Sections: identifiers and decoded model, detections and approvals, conditions with their
//! evidence, presence timeline (per day) and the cells that served it, supplier ledger record,
//! searches and seizures with the chain of custody, disable requests and their transitions,
//! block-list entries, provenance. Every user-supplied text is escaped in the HTML.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use cellsweep_ids::{CellId, Imei, Imsi};
use cellsweep_query::Engine;
use cellsweep_store::rusqlite::params;
use cellsweep_store::{Action, AuditEntry, Workspace};
use serde::Serialize;

use crate::Error;
use crate::error::io;
use crate::requests::{self, DeviceState, TransitionRow};
use crate::util::{home_operator, now, require};

/// The package's format tag.
pub const EVIDENCE_FORMAT: &str = "cellsweep-evidence/1";

/// What a package asks for.
#[derive(Debug, Clone)]
pub struct EvidenceRequest {
    /// The device id.
    pub device: String,
    /// Directory for `<device>.json` and `<device>.html`.
    pub out: PathBuf,
    /// Who.
    pub by: String,
    /// Why.
    pub reason: String,
    /// To whom it will be disclosed (empty: internal use).
    pub recipients: Vec<String>,
}

/// One (IMEI, IMSI, MSISDN) of the device, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identifier {
    /// IMEI.
    pub imei: Option<String>,
    /// IMSI.
    pub imsi: Option<String>,
    /// MSISDN.
    pub msisdn: Option<String>,
    /// Brand and model from the TAC.
    pub model: Option<String>,
    /// Form factor (overlay).
    pub form_factor: Option<String>,
    /// Whether the overlay marks the model as contraband.
    pub contraband_model: bool,
    /// Home operator (PLMN and name).
    pub home_operator: Option<String>,
}

/// A detection that was approved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approved {
    /// Approval id.
    pub approval: i64,
    /// When.
    pub at: String,
    /// Who approved.
    pub by: String,
    /// Why.
    pub reason: String,
    /// Candidates file and its SHA-256.
    pub candidates: String,
    /// Detection run.
    pub detect_run: i64,
    /// Facility.
    pub facility: String,
    /// Probability.
    pub probability: f64,
    /// Block date.
    pub block_date: String,
}

/// A condition with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionEvidence {
    /// Name.
    pub name: String,
    /// What it means.
    pub reason: Option<String>,
    /// Facility it was found at.
    pub facility: String,
    /// First detection run it was effective in.
    pub first_effective: Option<String>,
}

/// One day of presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    /// UTC day.
    pub day: String,
    /// Events.
    pub events: u64,
    /// Distinct cells.
    pub cells: u64,
    /// First event, RFC 3339.
    pub first: String,
    /// Last event.
    pub last: String,
}

/// A ledger record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRecord {
    /// IMEI.
    pub imei: String,
    /// Supplier.
    pub supplier: String,
    /// Sale date.
    pub sold_at: String,
    /// Buyer.
    pub buyer: Option<String>,
    /// Channel.
    pub channel: Option<String>,
    /// The ledger file.
    pub source: String,
}

/// A custody step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Custody {
    /// Order.
    pub seq: i64,
    /// When.
    pub at: String,
    /// What.
    pub action: String,
    /// Who held it.
    pub holder: String,
    /// Note.
    pub note: Option<String>,
}

/// A seizure of the device, with its search and custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seizure {
    /// Search id.
    pub search: String,
    /// Facility, zone, cell.
    pub place: String,
    /// Day of the search.
    pub day: String,
    /// Exhibit reference.
    pub exhibit: String,
    /// IMEI read from the device.
    pub imei: Option<String>,
    /// IMSI read from its SIM.
    pub imsi: Option<String>,
    /// Chain of custody, in order.
    pub custody: Vec<Custody>,
}

/// A block-list row naming the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    /// Generation.
    pub generation: i64,
    /// blacklist, notification, exception.
    pub list: String,
    /// Operator.
    pub operator: String,
    /// IMEI.
    pub imei: String,
    /// IMSI.
    pub imsi: String,
    /// Block date.
    pub block_date: String,
    /// Reasons.
    pub reasons: String,
}

/// Where the device's events came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Source id.
    pub source: i64,
    /// File as imported.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Legal request reference.
    pub request_ref: Option<String>,
    /// Import time.
    pub imported_at: String,
    /// The device's events in it.
    pub events: u64,
    /// Their row numbers, as ranges (`12-15, 40`).
    pub rows: String,
}

/// The package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Package {
    /// [`EVIDENCE_FORMAT`].
    pub format: String,
    /// Device id.
    pub device: String,
    /// RFC 3339.
    pub generated_at: String,
    /// Who.
    pub generated_by: String,
    /// Why.
    pub reason: String,
    /// Identifiers, decoded.
    pub identifiers: Vec<Identifier>,
    /// Approved detections.
    pub approvals: Vec<Approved>,
    /// Evidence in words (the detection's explanation).
    pub explanation: String,
    /// Conditions with their meaning.
    pub conditions: Vec<ConditionEvidence>,
    /// Presence per day.
    pub timeline: Vec<Day>,
    /// Cells that served it most, with events.
    pub top_cells: Vec<(String, u64)>,
    /// Supplier ledger records.
    pub ledger: Vec<LedgerRecord>,
    /// Seizures, searches and custody.
    pub seizures: Vec<Seizure>,
    /// Disable requests.
    pub requests: Vec<DeviceState>,
    /// Their transitions.
    pub transitions: Vec<TransitionRow>,
    /// Block-list entries of the latest generation.
    pub lists: Vec<ListEntry>,
    /// Provenance of the events.
    pub provenance: Vec<Provenance>,
}

/// Builds the package, writes `<device>.json` and `<device>.html`, and audits the consultation
/// (and the disclosure, with recipients). Returns the package and the two paths.
pub fn write(ws: &Workspace, req: &EvidenceRequest) -> Result<(Package, PathBuf, PathBuf), Error> {
    require("`--by`", &req.by)?;
    require("`--reason`", &req.reason)?;
    let pkg = build(ws, req)?;
    std::fs::create_dir_all(&req.out).map_err(io(&req.out))?;
    let json = req.out.join(format!("{}.json", req.device));
    let html = req.out.join(format!("{}.html", req.device));
    let text = serde_json::to_string_pretty(&pkg)
        .map_err(|e| Error::Internal(format!("package does not serialise: {e}")))?;
    std::fs::write(&json, text).map_err(io(&json))?;
    std::fs::write(&html, render_html(&pkg)).map_err(io(&html))?;
    ws.audit(&AuditEntry {
        actor: req.by.clone(),
        action: Action::Consultation,
        object: format!("device:{}", req.device),
        justification: req.reason.clone(),
        recipients: vec![],
        detail: format!(
            "evidence: package of {} events from {} files written to `{}`",
            pkg.timeline.iter().map(|d| d.events).sum::<u64>(),
            pkg.provenance.len(),
            req.out.display()
        ),
    })?;
    if !req.recipients.is_empty() {
        ws.audit(&AuditEntry {
            actor: req.by.clone(),
            action: Action::Disclosure,
            object: format!("device:{}", req.device),
            justification: req.reason.clone(),
            recipients: req.recipients.clone(),
            detail: format!("evidence: package `{}` disclosed", json.display()),
        })?;
    }
    Ok((pkg, json, html))
}

/// Builds the package without writing or auditing it.
pub fn build(ws: &Workspace, req: &EvidenceRequest) -> Result<Package, Error> {
    let conn = ws.conn();
    let mnc = cellsweep_ref::mnc_table(conn)?;
    // Identifiers and approvals.
    let mut stmt = conn.prepare(
        "SELECT p.imei, p.imsi, p.msisdn, p.facility_id, p.probability, p.conditions,
                p.explanation, p.block_date, a.id, a.at, a.by, a.reason, a.candidates_path,
                a.candidates_sha256, a.detect_run
         FROM approved_pairings p JOIN approvals a ON a.id = p.approval_id
         WHERE p.device_id = ?1 ORDER BY a.id, p.line",
    )?;
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        f64,
        String,
        String,
        String,
        i64,
        String,
        String,
        String,
        String,
        String,
        i64,
    );
    let rows: Vec<Row> = stmt
        .query_map([&req.device], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
                r.get(14)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Err(Error::Missing(format!(
            "device `{}` is in no approval of this workspace; evidence packages are built for approved devices",
            req.device
        )));
    }
    let mut idents = BTreeSet::new();
    let mut approvals = BTreeMap::new();
    let mut conds = BTreeSet::new();
    let mut explanation = String::new();
    for r in &rows {
        idents.insert((r.0.clone(), r.1.clone(), r.2.clone()));
        approvals.insert(
            (r.8, r.3.clone()),
            Approved {
                approval: r.8,
                at: r.9.clone(),
                by: r.10.clone(),
                reason: r.11.clone(),
                candidates: format!("{} (sha256 {})", r.12, r.13),
                detect_run: r.14,
                facility: r.3.clone(),
                probability: r.4,
                block_date: r.7.clone(),
            },
        );
        for c in r.5.split('|').filter(|c| !c.is_empty()) {
            conds.insert((c.to_owned(), r.3.clone()));
        }
        explanation.clone_from(&r.6);
    }
    let identifiers = idents
        .iter()
        .map(|(imei, imsi, msisdn)| decode(ws, imei, imsi, msisdn, &mnc))
        .collect::<Result<Vec<_>, _>>()?;
    let reasons: BTreeMap<String, String> = conn
        .query_row(
            "SELECT s.text FROM detect_runs r JOIN condition_sets s ON s.id = r.condition_set
             ORDER BY r.id DESC LIMIT 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .ok()
        .map(|t| crate::conditions::reasons(&t))
        .unwrap_or_default();
    let mut conditions = Vec::new();
    for (name, facility) in conds {
        let first: Option<String> = conn
            .query_row(
                "SELECT first_run FROM condition_matches
                 WHERE device = ?1 AND facility = ?2 AND condition = ?3",
                params![req.device, facility, name],
                |r| r.get(0),
            )
            .ok();
        conditions.push(ConditionEvidence {
            reason: reasons.get(&name).cloned(),
            name,
            facility,
            first_effective: first,
        });
    }

    let imeis: BTreeSet<String> = idents.iter().filter_map(|i| i.0.clone()).collect();
    let imsis: BTreeSet<String> = idents.iter().filter_map(|i| i.1.clone()).collect();
    let (timeline, top_cells, provenance) = events(ws, &imeis, &imsis, &mnc)?;

    let mut ledger = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT l.imei, l.supplier, l.sold_at, l.buyer, l.channel, s.path
         FROM ledger l JOIN source_files s ON s.id = l.source_file_id
         WHERE l.imei = ?1 ORDER BY l.sold_at",
    )?;
    for imei in &imeis {
        for r in stmt.query_map([imei], |r| {
            Ok(LedgerRecord {
                imei: r.get(0)?,
                supplier: r.get(1)?,
                sold_at: r.get(2)?,
                buyer: r.get(3)?,
                channel: r.get(4)?,
                source: r.get(5)?,
            })
        })? {
            ledger.push(r?);
        }
    }

    let seizures = seizures(ws, &imeis, &imsis)?;
    let requests = requests::status(ws, Some(&req.device), None)?;
    let transitions = requests::history(ws, Some(&req.device), None)?;
    let mut lists = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT generation, list, operator, imei, imsi, block_date, reasons FROM list_entries
         WHERE generation = (SELECT max(id) FROM list_generations WHERE erased_at IS NULL)
           AND (device_id = ?1 OR (list = 'blacklist' AND instr(';' || device_id || ';', ';' || ?1 || ';') > 0))
         ORDER BY list, operator, imei, imsi",
    )?;
    for r in stmt.query_map([&req.device], |r| {
        Ok(ListEntry {
            generation: r.get(0)?,
            list: r.get(1)?,
            operator: r.get(2)?,
            imei: r.get(3)?,
            imsi: r.get(4)?,
            block_date: r.get(5)?,
            reasons: r.get(6)?,
        })
    })? {
        lists.push(r?);
    }
    Ok(Package {
        format: EVIDENCE_FORMAT.into(),
        device: req.device.clone(),
        generated_at: now(),
        generated_by: req.by.clone(),
        reason: req.reason.clone(),
        identifiers,
        approvals: approvals.into_values().collect(),
        explanation,
        conditions,
        timeline,
        top_cells,
        ledger,
        seizures,
        requests,
        transitions,
        lists,
        provenance,
    })
}

fn decode(
    ws: &Workspace,
    imei: &Option<String>,
    imsi: &Option<String>,
    msisdn: &Option<String>,
    mnc: &cellsweep_ids::MncTable,
) -> Result<Identifier, Error> {
    let info = match imei.as_deref().and_then(|i| Imei::parse(i).ok()) {
        Some(i) => cellsweep_ref::tac_info(ws.conn(), i.tac())?,
        None => None,
    };
    let home = match imsi.as_deref().and_then(|i| Imsi::parse(i, mnc).ok()) {
        Some(i) => {
            let name = cellsweep_ref::operator_name(ws.conn(), i.plmn())?;
            Some(match name {
                Some(n) => format!("{} {n}", i.plmn()),
                None => i.plmn().to_string(),
            })
        }
        None => imsi.as_deref().and_then(|i| home_operator(i, mnc)),
    };
    Ok(Identifier {
        imei: imei.clone(),
        imsi: imsi.clone(),
        msisdn: msisdn.clone(),
        model: info.as_ref().and_then(|t| match (&t.brand, &t.model) {
            (Some(b), Some(m)) => Some(format!("{b} {m}")),
            (None, Some(m)) => Some(m.clone()),
            (Some(b), None) => Some(b.clone()),
            (None, None) => None,
        }),
        form_factor: info.as_ref().and_then(|t| t.form_factor.clone()),
        contraband_model: info.is_some_and(|t| t.contraband),
        home_operator: home,
    })
}

type Events = (Vec<Day>, Vec<(String, u64)>, Vec<Provenance>);

/// Timeline, top cells and provenance from the event store (empty once erased).
fn events(
    ws: &Workspace,
    imeis: &BTreeSet<String>,
    imsis: &BTreeSet<String>,
    mnc: &cellsweep_ids::MncTable,
) -> Result<Events, Error> {
    let parts = ws.event_parts(None)?;
    let imei_keys: Vec<String> = imeis
        .iter()
        .filter_map(|i| Imei::parse(i).ok())
        .map(|i| i.key().to_string())
        .collect();
    let imsi_keys: Vec<String> = imsis
        .iter()
        .filter_map(|i| Imsi::parse(i, mnc).ok())
        .map(|i| i.key().to_string())
        .collect();
    if parts.is_empty() || (imei_keys.is_empty() && imsi_keys.is_empty()) {
        return Ok((vec![], vec![], vec![]));
    }
    let engine = Engine::local()?;
    engine.register_parquet("events", &ws.event_scan_paths()?, None)?;
    let list = |k: &[String]| {
        if k.is_empty() {
            "NULL".to_owned()
        } else {
            k.join(", ")
        }
    };
    let filter = format!(
        "imei IN ({}) OR imsi IN ({})",
        list(&imei_keys),
        list(&imsi_keys)
    );
    let b = engine.sql(&format!(
        "SELECT CAST(CAST(time AS DATE) AS VARCHAR) AS day, count(*) AS events,
                count(DISTINCT cell) AS cells, CAST(min(time) AS BIGINT) AS first,
                CAST(max(time) AS BIGINT) AS last
         FROM events WHERE {filter} GROUP BY 1 ORDER BY 1"
    ))?;
    let (days, n, cells, first, last) = (
        cellsweep_query::as_string(&b, "day")?,
        cellsweep_query::as_u64(&b, "events")?,
        cellsweep_query::as_u64(&b, "cells")?,
        cellsweep_query::as_i64(&b, "first")?,
        cellsweep_query::as_i64(&b, "last")?,
    );
    let ts = |us: i64| {
        jiff::Timestamp::from_microsecond(us)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    let timeline = (0..days.len())
        .map(|i| Day {
            day: days[i].clone(),
            events: n[i],
            cells: cells[i],
            first: ts(first[i]),
            last: ts(last[i]),
        })
        .collect();
    let b = engine.sql(&format!(
        "SELECT cell, count(*) AS n FROM events WHERE ({filter}) AND cell IS NOT NULL
         GROUP BY cell ORDER BY n DESC, cell LIMIT 10"
    ))?;
    let top_cells = cellsweep_query::as_u64(&b, "cell")?
        .into_iter()
        .zip(cellsweep_query::as_u64(&b, "n")?)
        .map(|(c, n)| {
            (
                CellId::from_key(c).map_or_else(|| c.to_string(), |c| c.to_string()),
                n,
            )
        })
        .collect();
    let b = engine.sql(&format!(
        "SELECT source_file, source_row FROM events WHERE {filter} ORDER BY 1, 2"
    ))?;
    let files = cellsweep_query::as_i64(&b, "source_file")?;
    let rows = cellsweep_query::as_u64(&b, "source_row")?;
    let mut per: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
    for (f, r) in files.into_iter().zip(rows) {
        per.entry(f).or_default().push(r);
    }
    let mut provenance = Vec::new();
    for (f, mut rows) in per {
        rows.dedup();
        let (path, sha256, request_ref, imported_at) = ws.conn().query_row(
            "SELECT path, sha256, request_ref, imported_at FROM source_files WHERE id = ?1",
            [f],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        provenance.push(Provenance {
            source: f,
            path,
            sha256,
            request_ref,
            imported_at,
            events: rows.len() as u64,
            rows: ranges(&rows),
        });
    }
    Ok((timeline, top_cells, provenance))
}

/// `1, 2, 3, 7, 9, 10` → `1-3, 7, 9-10`.
fn ranges(sorted: &[u64]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

fn seizures(
    ws: &Workspace,
    imeis: &BTreeSet<String>,
    imsis: &BTreeSet<String>,
) -> Result<Vec<Seizure>, Error> {
    let conn = ws.conn();
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT z.id, z.search_id, s.facility_id || ' ' || s.zone_id || coalesce(' cell ' || s.cell_no, ''),
                s.day, z.exhibit_ref, z.imei, z.imsi
         FROM seizures z JOIN searches s ON s.id = z.search_id ORDER BY s.day, z.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut custody = conn.prepare(
        "SELECT seq, at, action, holder, note FROM custody WHERE seizure_id = ?1 ORDER BY seq",
    )?;
    for r in rows {
        let (id, search, place, day, exhibit, imei, imsi) = r?;
        let mine = imei.as_ref().is_some_and(|i| imeis.contains(i))
            || imsi.as_ref().is_some_and(|i| imsis.contains(i));
        if !mine {
            continue;
        }
        let steps = custody
            .query_map([id], |r| {
                Ok(Custody {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    action: r.get(2)?,
                    holder: r.get(3)?,
                    note: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        out.push(Seizure {
            search,
            place,
            day,
            exhibit,
            imei,
            imsi,
            custody: steps,
        });
    }
    Ok(out)
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn table(html: &mut String, title: &str, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(html, "<h2>{}</h2>", escape(title));
    if rows.is_empty() {
        html.push_str("<p class=\"none\">none recorded</p>\n");
        return;
    }
    html.push_str("<table>\n<tr>");
    for h in header {
        let _ = write!(html, "<th>{}</th>", escape(h));
    }
    html.push_str("</tr>\n");
    for r in rows {
        html.push_str("<tr>");
        for c in r {
            let _ = write!(html, "<td>{}</td>", escape(c));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
}

fn o(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The package as a self-contained HTML page (no script, no external resource).
pub fn render_html(p: &Package) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Evidence package {dev}</title>\n\
         <style>body{{font-family:sans-serif;margin:2em;max-width:72em}}table{{border-collapse:collapse;margin-bottom:1em}}\
         td,th{{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}}th{{background:#eee}}.none{{color:#666}}</style>\n\
         </head>\n<body>\n<h1>Evidence package: device {dev}</h1>\n\
         <p>Generated {at} by {by}. Reason: {why}. Format {fmt}.</p>\n<p>{expl}</p>\n",
        dev = escape(&p.device),
        at = escape(&p.generated_at),
        by = escape(&p.generated_by),
        why = escape(&p.reason),
        fmt = escape(&p.format),
        expl = escape(&p.explanation),
    );
    table(
        &mut h,
        "Identifiers",
        &[
            "IMEI",
            "IMSI",
            "MSISDN",
            "model",
            "form factor",
            "contraband model",
            "home operator",
        ],
        &p.identifiers
            .iter()
            .map(|i| {
                vec![
                    o(&i.imei),
                    o(&i.imsi),
                    o(&i.msisdn),
                    o(&i.model),
                    o(&i.form_factor),
                    if i.contraband_model { "yes" } else { "no" }.into(),
                    o(&i.home_operator),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Approvals",
        &[
            "approval",
            "at",
            "by",
            "reason",
            "facility",
            "probability",
            "block date",
            "candidates",
            "detection run",
        ],
        &p.approvals
            .iter()
            .map(|a| {
                vec![
                    a.approval.to_string(),
                    a.at.clone(),
                    a.by.clone(),
                    a.reason.clone(),
                    a.facility.clone(),
                    format!("{:.4}", a.probability),
                    a.block_date.clone(),
                    a.candidates.clone(),
                    a.detect_run.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Conditions",
        &["condition", "meaning", "facility", "first effective"],
        &p.conditions
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    o(&c.reason),
                    c.facility.clone(),
                    o(&c.first_effective),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Presence timeline (UTC days)",
        &["day", "events", "cells", "first", "last"],
        &p.timeline
            .iter()
            .map(|d| {
                vec![
                    d.day.clone(),
                    d.events.to_string(),
                    d.cells.to_string(),
                    d.first.clone(),
                    d.last.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Cells that served it most",
        &["cell", "events"],
        &p.top_cells
            .iter()
            .map(|(c, n)| vec![c.clone(), n.to_string()])
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Supplier ledger",
        &[
            "IMEI",
            "supplier",
            "sold",
            "buyer",
            "channel",
            "ledger file",
        ],
        &p.ledger
            .iter()
            .map(|l| {
                vec![
                    l.imei.clone(),
                    l.supplier.clone(),
                    l.sold_at.clone(),
                    o(&l.buyer),
                    o(&l.channel),
                    l.source.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let mut custody = Vec::new();
    for s in &p.seizures {
        for c in &s.custody {
            custody.push(vec![
                s.exhibit.clone(),
                c.seq.to_string(),
                c.at.clone(),
                c.action.clone(),
                c.holder.clone(),
                o(&c.note),
            ]);
        }
    }
    table(
        &mut h,
        "Searches and seizures",
        &["search", "place", "day", "exhibit", "IMEI", "IMSI"],
        &p.seizures
            .iter()
            .map(|s| {
                vec![
                    s.search.clone(),
                    s.place.clone(),
                    s.day.clone(),
                    s.exhibit.clone(),
                    o(&s.imei),
                    o(&s.imsi),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Chain of custody",
        &["exhibit", "step", "at", "action", "holder", "note"],
        &custody,
    );
    table(
        &mut h,
        "Disable requests",
        &[
            "reference",
            "operator",
            "facility",
            "state",
            "reason",
            "deadline",
            "updated",
        ],
        &p.requests
            .iter()
            .map(|r| {
                vec![
                    r.reference.clone(),
                    r.operator.clone(),
                    r.facility.clone(),
                    r.state.to_string(),
                    o(&r.reason),
                    r.deadline.clone(),
                    r.updated_at.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Request transitions",
        &["reference", "from", "to", "at", "by", "reason"],
        &p.transitions
            .iter()
            .map(|t| {
                vec![
                    t.reference.clone(),
                    o(&t.from),
                    t.to.clone(),
                    t.at.clone(),
                    t.by.clone(),
                    o(&t.reason),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Block lists (latest generation)",
        &[
            "generation",
            "list",
            "operator",
            "IMEI",
            "IMSI",
            "block date",
            "reasons",
        ],
        &p.lists
            .iter()
            .map(|l| {
                vec![
                    l.generation.to_string(),
                    l.list.clone(),
                    l.operator.clone(),
                    l.imei.clone(),
                    l.imsi.clone(),
                    l.block_date.clone(),
                    l.reasons.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    table(
        &mut h,
        "Provenance of the events",
        &[
            "source",
            "file",
            "sha256",
            "legal request",
            "imported",
            "events",
            "rows",
        ],
        &p.provenance
            .iter()
            .map(|s| {
                vec![
                    s.source.to_string(),
                    s.path.clone(),
                    s.sha256.clone(),
                    o(&s.request_ref),
                    s.imported_at.clone(),
                    s.events.to_string(),
                    s.rows.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn html_escapes_user_text() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
