//! The ingest driver: identify the file, skip it when already imported, pick the profile, read
//! it into staged parts and quarantine entries, then publish everything in one catalog
//! transaction.

use std::path::{Path, PathBuf};

use cellsweep_ids::{Plmn, Region};
use cellsweep_store::{NewSource, SourceFile, Workspace, digest_file};

use crate::Error;
use crate::parts::PartWriter;
use crate::profile::{AmbiguousPolicy, Format, Profile, builtin_profiles};
use crate::read::{Progress, ReadCtx, ReadResult};
use crate::time::fmt_micros;

/// The catalog kind of operator-data files.
pub const KIND: &str = "events";

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    /// The delivery file.
    pub path: PathBuf,
    /// A shipped profile's name or a profile file's path; recognised from the content when
    /// `None`.
    pub profile: Option<String>,
    /// The legal request reference under which the data was obtained.
    pub request_ref: Option<String>,
    /// The delivering operator, overriding the profile's.
    pub operator: Option<Plmn>,
    /// Region for national phone numbers, unless the profile names one.
    pub region: Region,
    /// Worker threads; default: the available cores.
    pub threads: Option<usize>,
}

/// What happened to one file.
#[derive(Debug, Clone)]
pub enum IngestOutcome {
    /// The same content was ingested before: nothing changed.
    AlreadyImported(SourceFile),
    /// The file was ingested.
    Imported(IngestReport),
}

/// A finished ingest.
#[derive(Debug, Clone)]
pub struct IngestReport {
    /// The catalog record with counts and time range.
    pub source: SourceFile,
    /// Parquet parts written.
    pub parts: usize,
    /// Distinct (operator, day) partitions touched.
    pub partitions: usize,
    /// The profile's policy for ambiguous local times, when it reads local times.
    pub ambiguous_policy: Option<AmbiguousPolicy>,
    /// Rows whose local time occurred twice and were placed by the policy.
    pub ambiguous_resolved: u64,
    /// Files left by interrupted ingests and removed first.
    pub orphans_removed: u64,
    /// Remarks about the file (encoding, header), for the user.
    pub notes: Vec<String>,
}

/// Ingests one delivery file into the workspace.
pub fn ingest(
    ws: &mut Workspace,
    req: &IngestRequest,
    progress: &dyn Progress,
) -> Result<IngestOutcome, Error> {
    let path = req.path.as_path();
    let timing = Timing::new();
    let orphans_removed = ws.clean_event_orphans()?;
    let digest_of = |path: &Path| {
        digest_file(path).map_err(|e| match e {
            cellsweep_store::Error::Io { path, source } => Error::Io { path, source },
            other => Error::Store(other),
        })
    };
    let bytes = std::fs::metadata(path).map_err(Error::io(path))?.len();
    // A file whose size no earlier file has cannot be a re-import: hash it while reading it
    // (the hash is a whole pass over the file). Otherwise hash first, to stop at once.
    let early = if ws.has_source_of_size(KIND, bytes)? {
        let digest = digest_of(path)?;
        if let Some(previous) = ws.find_source(KIND, &digest.sha256)? {
            return Ok(IngestOutcome::AlreadyImported(previous));
        }
        Some(digest)
    } else {
        None
    };
    timing.mark("digest");
    let profile = match &req.profile {
        Some(p) => Profile::resolve(p)?,
        None => recognise(path)?,
    };
    let root = ws.root().to_path_buf();
    let threads = req
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    progress.begin(path, bytes);
    let placeholder = match &early {
        Some(d) => d.sha256.clone(),
        None => format!(
            "pending-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        ),
    };
    let mut imp = ws.begin_import(NewSource {
        kind: KIND.into(),
        format: profile.name.clone(),
        path: path.display().to_string(),
        sha256: placeholder.clone(),
        bytes,
        request_ref: req.request_ref.clone(),
    })?;
    let writer = PartWriter::new(&root, &placeholder, imp.source_id())?;
    let ctx = ReadCtx {
        path,
        profile: &profile,
        operator: req.operator,
        region: req.region,
        writer: &writer,
        progress,
        threads,
    };
    let (read, late) = std::thread::scope(|s| {
        let hashing = early.is_none().then(|| s.spawn(|| digest_of(path)));
        let read = match profile.format {
            Format::Csv => crate::csv::read(&ctx),
            Format::Etsi102657 => crate::xml::read(&ctx),
            Format::Parquet => crate::parquet_in::read(&ctx),
        };
        let late = hashing.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(Error::Internal("the hashing thread panicked".into())))
        });
        (read, late)
    });
    let digest = match (early, late) {
        (Some(d), _) => Ok(d),
        (None, Some(d)) => d,
        (None, None) => Err(Error::Internal("no digest".into())),
    };
    progress.end();
    timing.mark("read");
    let (mut result, digest): (ReadResult, _) = match (read, digest) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(e), _) | (_, Err(e)) => {
            // The import rolls back when dropped; the staged parts are orphans now.
            drop(imp);
            let _ =
                std::fs::remove_dir_all(root.join(cellsweep_store::STAGING_DIR).join(&placeholder));
            return Err(e);
        }
    };
    if digest.sha256 != placeholder {
        // Hashed while reading. The same content committed meanwhile by another ingest
        // (it would have the same size) makes the catalog's unique key refuse this one.
        imp.set_sha256(&digest.sha256)?;
    }
    PartWriter::assign_paths(&mut result.parts, &digest.sha256);
    for r in result.rejections.iter().cloned() {
        imp.reject(r)?;
    }
    for p in &result.parts {
        imp.add_event_part(&p.record)?;
    }
    if let Some((min, max)) = result.time_range() {
        imp.set_time_range(&fmt_micros(min), &fmt_micros(max))?;
    }
    let mut partitions: Vec<(&str, &str)> = result
        .parts
        .iter()
        .map(|p| (p.record.operator.as_str(), p.record.day.as_str()))
        .collect();
    partitions.sort_unstable();
    partitions.dedup();
    let ambiguous_policy = (profile.format == Format::Csv && profile.time.time_zone.is_some())
        .then_some(profile.time.ambiguous);
    let mut note = format!(
        "{} parts in {} partitions",
        result.parts.len(),
        partitions.len()
    );
    if let Some(policy) = ambiguous_policy {
        note.push_str(&format!(
            "; {} rows placed by the ambiguous-time policy `{}`",
            result.ambiguous_resolved,
            policy.as_str()
        ));
    }
    timing.mark("catalog rows");
    crate::parts::crash_point("staged");
    writer.publish(&result.parts)?;
    timing.mark("publish");
    crate::parts::crash_point("published");
    let source = imp.commit(result.accepted, Some(note))?;
    timing.mark("commit");
    Ok(IngestOutcome::Imported(IngestReport {
        source,
        parts: result.parts.len(),
        partitions: partitions.len(),
        ambiguous_policy,
        ambiguous_resolved: result.ambiguous_resolved,
        orphans_removed,
        notes: result.notes,
    }))
}

/// The files to ingest from command-line paths: files as given, directories walked in name
/// order (hidden entries skipped).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(Error::io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Picks the shipped profile that reads a file: Parquet by its magic bytes, TS 102 657 XML by
/// its root element, CSV by a header holding every column a profile names.
pub fn recognise(path: &Path) -> Result<Profile, Error> {
    let mut head = vec![0u8; 64 << 10];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(Error::io(path))?;
        let mut got = 0;
        while got < head.len() {
            let k = f.read(&mut head[got..]).map_err(Error::io(path))?;
            if k == 0 {
                break;
            }
            got += k;
        }
        got
    };
    head.truncate(n);
    let unrecognised = |why: String| Error::Unrecognised {
        path: path.into(),
        why,
    };
    let profiles = builtin_profiles();
    let by = |f: Format| profiles.iter().find(|p| p.format == f).cloned();
    if head.starts_with(b"PAR1") {
        return by(Format::Parquet).ok_or_else(|| unrecognised("Parquet".into()));
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let trimmed = text.trim_ascii_start();
    if trimmed.starts_with(b"<") {
        if memchr::memmem::find(text, b"RetainedDataMessage").is_some() {
            return by(Format::Etsi102657).ok_or_else(|| unrecognised("XML".into()));
        }
        return Err(unrecognised(
            "XML without a TS 102 657 `RetainedDataMessage`".into(),
        ));
    }
    if trimmed.is_empty() {
        return Err(unrecognised("the file is empty".into()));
    }
    for p in profiles.iter().filter(|p| p.format == Format::Csv) {
        let Ok(delimiter) = p.delimiter() else {
            continue;
        };
        let Ok(encoding) = p.encoding() else { continue };
        let header_line = text
            .split(|b| *b == b'\n')
            .nth(p.csv.skip_lines as usize)
            .unwrap_or(b"");
        let header_line = header_line.strip_suffix(b"\r").unwrap_or(header_line);
        let cols: Vec<String> = header_line
            .split(|b| *b == delimiter)
            .map(|c| {
                crate::csv::fields::decode(encoding, c)
                    .trim()
                    .trim_matches('"')
                    .to_ascii_lowercase()
            })
            .collect();
        let all = p.column_refs().iter().all(|(_, c)| match c {
            crate::profile::ColumnRef::Name(n) => cols.contains(&n.to_ascii_lowercase()),
            crate::profile::ColumnRef::Position(i) => (*i as usize) <= cols.len(),
        });
        if all {
            return Ok(p.clone());
        }
    }
    let first = String::from_utf8_lossy(text.split(|b| *b == b'\n').next().unwrap_or(b""));
    Err(unrecognised(format!(
        "first line `{}`; `cellsweep ingest --suggest-profile FILE` proposes a profile",
        crate::suggest::truncate(first.trim_end(), 120)
    )))
}

/// Phase durations on stderr when `CELLSWEEP_TIMING` is set (for benchmarking).
struct Timing(Option<std::cell::Cell<std::time::Instant>>);

impl Timing {
    fn new() -> Timing {
        Timing(
            std::env::var_os("CELLSWEEP_TIMING")
                .map(|_| std::cell::Cell::new(std::time::Instant::now())),
        )
    }

    #[allow(clippy::print_stderr)]
    fn mark(&self, phase: &str) {
        if let Some(t) = &self.0 {
            eprintln!("timing: {phase} {:.2} s", t.get().elapsed().as_secs_f64());
            t.set(std::time::Instant::now());
        }
    }
}
