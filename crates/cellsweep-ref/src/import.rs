//! The import driver: identify the file, skip it when already imported, recognise its format,
//! run the reader inside one catalog transaction, and report.

use std::path::{Path, PathBuf};

use cellsweep_ids::{MncTable, Region};
use cellsweep_store::{Import, NewSource, SourceFile, Workspace, digest_file};

use crate::text::{Text, decode};
use crate::{Error, Format, Kind, lookup};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The kind of reference data.
    pub kind: Kind,
    /// The file.
    pub path: PathBuf,
    /// Forced format; recognised from the content when `None`.
    pub format: Option<Format>,
    /// Legal request or provenance reference to record with the file.
    pub request_ref: Option<String>,
    /// Drop every earlier row of this kind before loading (default: later files update
    /// matching keys and keep the rest).
    pub replace: bool,
    /// Region for national phone numbers.
    pub region: Region,
}

/// What happened.
#[derive(Debug, Clone)]
pub enum ImportOutcome {
    /// The same content was imported before under this kind: nothing changed.
    AlreadyImported(SourceFile),
    /// The file was imported.
    Imported {
        /// The catalog record, with the row counts.
        source: SourceFile,
        /// What the accepted rows became, in words (e.g. `186 facilities, 276 quartier zones`).
        summary: String,
        /// The text encoding, when not UTF-8.
        legacy_encoding: Option<&'static str>,
    },
}

/// Context every reader gets.
pub(crate) struct Ctx<'a> {
    pub(crate) path: &'a Path,
    pub(crate) format: Format,
    pub(crate) region: Region,
    pub(crate) mnc: MncTable,
    /// IANA zone for times written without an offset (the workspace's `timezone`).
    pub(crate) timezone: String,
}

/// What a reader returns: how many rows it accepted and what they became.
pub(crate) struct Loaded {
    pub(crate) accepted: u64,
    pub(crate) summary: String,
}

/// Imports one reference file.
pub fn import(ws: &mut Workspace, req: &ImportRequest) -> Result<ImportOutcome, Error> {
    let path = req.path.as_path();
    let digest = digest_file(path).map_err(|e| match e {
        cellsweep_store::Error::Io { path, source } => Error::Io { path, source },
        other => Error::Store(other),
    })?;
    if let Some(previous) = ws.find_source(req.kind.as_str(), &digest.sha256)? {
        return Ok(ImportOutcome::AlreadyImported(previous));
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    let text = decode(&bytes);
    let format = match req.format {
        Some(f) if f.kind() != req.kind => {
            return Err(Error::FormatKindMismatch {
                format: f,
                kind: req.kind,
            });
        }
        Some(f) => f,
        None => recognise(req.kind, path, &text.text)?,
    };
    let mnc = lookup::mnc_table(ws.conn()).map_err(|e| Error::Store(ws_sql(ws, e)))?;
    let ctx = Ctx {
        path,
        format,
        region: req.region,
        mnc,
        timezone: ws.config().timezone.clone(),
    };
    let mut imp = ws.begin_import(NewSource {
        kind: req.kind.as_str().into(),
        format: format.as_str().into(),
        path: path.display().to_string(),
        sha256: digest.sha256,
        bytes: digest.bytes,
        request_ref: req.request_ref.clone(),
    })?;
    if req.replace {
        clear(&imp, req.kind)?;
    }
    let loaded = read(&mut imp, &ctx, &text)?;
    let source = imp.commit(loaded.accepted, Some(loaded.summary.clone()))?;
    Ok(ImportOutcome::Imported {
        source,
        summary: loaded.summary,
        legacy_encoding: text.legacy_encoding,
    })
}

fn ws_sql(ws: &Workspace, e: cellsweep_store::rusqlite::Error) -> cellsweep_store::Error {
    cellsweep_store::Error::Sqlite {
        path: ws.root().join(cellsweep_store::CATALOG_FILE),
        source: e,
    }
}

fn read(imp: &mut Import<'_>, ctx: &Ctx<'_>, text: &Text) -> Result<Loaded, Error> {
    let t = &text.text;
    match ctx.format {
        Format::Geojson => crate::facilities::import_geojson(imp, ctx, t),
        Format::PrisonsCsv => crate::facilities::import_prisons_csv(imp, ctx, t),
        Format::CellsCsv => crate::cells::import_cells_csv(imp, ctx, t),
        Format::ArcepSites => crate::cells::import_arcep(imp, ctx, t),
        Format::Osmocom | Format::TacCsv => crate::tac::import_tac(imp, ctx, t),
        Format::OverlayCsv => crate::tac::import_overlay(imp, ctx, t),
        Format::MccMncJson => crate::operators::import_json(imp, ctx, t),
        Format::OperatorsCsv => crate::operators::import_csv(imp, ctx, t),
        Format::LedgerCsv => crate::ledger::import_ledger(imp, ctx, t),
        Format::AllowlistCsv => crate::allowlist::import_allowlist(imp, ctx, t),
        Format::RegistryCsv => crate::registry::import_registry(imp, ctx, t),
        Format::PhoneAuthorisedCsv => crate::phones::import_authorised(imp, ctx, t),
        Format::PhoneCallsCsv => crate::phones::import_calls(imp, ctx, t),
        Format::VisitsCsv => crate::visits::import_visits(imp, ctx, t),
        Format::SearchesCsv => crate::searches::import_searches_csv(imp, ctx, t),
        Format::RfDetectionsCsv => crate::rf::import_rf(imp, ctx, t),
    }
}

/// Deletes every row of a kind, for `--replace`.
fn clear(imp: &Import<'_>, kind: Kind) -> Result<(), Error> {
    let sql = match kind {
        Kind::Facilities => "DELETE FROM zones; DELETE FROM facilities;",
        Kind::Cells => "DELETE FROM cells; DELETE FROM sites;",
        Kind::Tac => "DELETE FROM tacs;",
        Kind::TacOverlay => "DELETE FROM tac_overlay;",
        Kind::Operators => "DELETE FROM operators;",
        Kind::Ledger => "DELETE FROM ledger;",
        Kind::Allowlist => "DELETE FROM allowlist;",
        Kind::Registry => "DELETE FROM inmate_cells;",
        Kind::PhoneAuthorised => "DELETE FROM authorised_numbers;",
        Kind::PhoneCalls => "DELETE FROM official_calls;",
        Kind::Visits => "DELETE FROM visits;",
        Kind::RfDetections => "DELETE FROM rf_detections;",
        // Seizures and their chain of custody hang off searches, and custody is append-only.
        Kind::Searches => {
            return Err(Error::ReplaceRefused {
                kind,
                why: "seizures and their chain of custody refer to them, and custody is append-only",
            });
        }
    };
    imp.tx()
        .execute_batch(sql)
        .map_err(|e| Error::Store(imp.sql_err(e)))
}

/// Recognises a file's format from its content; the extension is only a tie-breaker.
pub fn recognise(kind: Kind, path: &Path, text: &str) -> Result<Format, Error> {
    let trimmed = text.trim_start();
    let first_line = trimmed.lines().next().unwrap_or("").to_ascii_lowercase();
    let unknown = |why: String| Error::UnknownFormat {
        path: path.into(),
        kind,
        why,
    };
    if trimmed.is_empty() {
        return Err(unknown("the file is empty".into()));
    }
    let header = |line: &str| -> Vec<String> {
        let d = crate::text::sniff_delimiter(line) as char;
        line.split(d)
            .map(|s| s.trim().trim_matches('"').to_ascii_lowercase())
            .collect()
    };
    let cols = header(&first_line);
    let has = |c: &str| cols.iter().any(|h| h == c);
    let json = trimmed.starts_with('{') || trimmed.starts_with('[');
    let found = match kind {
        Kind::Facilities if trimmed.starts_with('{') => Some(Format::Geojson),
        Kind::Facilities if has("etablissement") => Some(Format::PrisonsCsv),
        Kind::Cells if (has("operateur") && has("x") && has("y")) || has("x_l93") => {
            Some(Format::ArcepSites)
        }
        Kind::Cells if has("lat") || has("latitude") => Some(Format::CellsCsv),
        Kind::Tac if first_line.contains("osmocom") || first_line.starts_with("tac,name,name") => {
            Some(Format::Osmocom)
        }
        Kind::Tac if has("tac") && has("brand") => Some(Format::TacCsv),
        Kind::TacOverlay if has("tac") && has("form_factor") => Some(Format::OverlayCsv),
        Kind::Operators if trimmed.starts_with('[') => Some(Format::MccMncJson),
        Kind::Operators if has("mcc") && has("mnc") => Some(Format::OperatorsCsv),
        Kind::Ledger if has("imei") && has("supplier") => Some(Format::LedgerCsv),
        Kind::Allowlist if has("holder") || has("role") => Some(Format::AllowlistCsv),
        Kind::Registry if has("inmate_id") && has("cell_no") => Some(Format::RegistryCsv),
        Kind::PhoneAuthorised if has("inmate_id") && (has("number") || has("msisdn")) => {
            Some(Format::PhoneAuthorisedCsv)
        }
        Kind::PhoneCalls if has("inmate_id") && (has("time") || has("at")) => {
            Some(Format::PhoneCallsCsv)
        }
        Kind::Visits if has("visit_id") => Some(Format::VisitsCsv),
        Kind::Searches if has("search_id") => Some(Format::SearchesCsv),
        Kind::RfDetections if has("detector_id") => Some(Format::RfDetectionsCsv),
        _ => None,
    };
    found.ok_or_else(|| {
        if json {
            unknown("JSON content".into())
        } else {
            unknown(format!("first line `{}`", truncate(&first_line, 120)))
        }
    })
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}
