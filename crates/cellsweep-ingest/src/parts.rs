//! Writing canonical Parquet parts: into a staging directory first, then renamed into their
//! final, deterministic paths just before the catalog transaction that lists them commits.
//!
//! ```text
//!  WS/events/.staging/<sha256>/<chunk>-<operator>-<day>.parquet    written and fsynced by workers
//!        │ rename (after every part is written)
//!        ▼
//!  WS/events/operator=208-01/day=2026-03-01/<sha256>-<chunk>.parquet
//!        │ COMMIT of the catalog transaction listing it in `event_parts`
//!        ▼
//!  visible to readers, which trust only parts listed in the catalog
//! ```
//!
//! A crash before the commit leaves staged files or unlisted final files: both are orphans,
//! removed by the next ingest (`Workspace::clean_event_orphans`), and the file is imported
//! again from scratch into the same deterministic paths.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::RecordBatch;
use cellsweep_store::{EVENTS_DIR, EventPart, STAGING_DIR};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;

use crate::Error;
use crate::partition::PartitionKey;
use crate::schema::{EventColumns, event_schema};

/// Rows per Parquet row group. A part holds one chunk of the input (about 32 MiB of CSV), so
/// most parts are a single row group.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// Threads that fsync staged parts in `publish` (the work is waiting on the disk, not CPU).
const SYNC_THREADS: usize = 4;

/// A part written to staging, not yet published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StagedPart {
    /// Where it is now.
    pub staged: PathBuf,
    /// The input chunk it comes from; with the file's SHA-256 it names the final path.
    pub chunk: u64,
    /// The catalog record, with its final path relative to the workspace.
    pub record: EventPart,
}

/// Writes the parts of one source file.
#[derive(Debug)]
pub(crate) struct PartWriter {
    root: PathBuf,
    staging: PathBuf,
    source_id: i64,
    props: Arc<WriterProperties>,
}

/// Parquet settings for event parts (measured in BENCHMARKS.md, "Ingest").
pub fn writer_properties() -> WriterProperties {
    let plain = |c: &str| ColumnPath::from(c);
    let mut b = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_2_0)
        // zstd level 1: as fast as Snappy here and 11 % smaller (BENCHMARKS.md, "Ingest").
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(1).expect("valid level"),
        ))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_created_by(format!("cellsweep {}", env!("CARGO_PKG_VERSION")));
    // Time and provenance are (nearly) unique and sorted: delta encoding, no dictionary.
    for c in ["time", "source_row"] {
        b = b
            .set_column_dictionary_enabled(plain(c), false)
            .set_column_encoding(plain(c), Encoding::DELTA_BINARY_PACKED);
    }
    // Identities and cells have tens of thousands of values per part: a dictionary overflows
    // its page limit and falls back to plain anyway, after paying for the interning.
    if std::env::var_os("CELLSWEEP_PARQUET_DICT_IDS").is_none() {
        for c in ["imei", "imsi", "msisdn", "peer_msisdn", "cell"] {
            b = b.set_column_dictionary_enabled(plain(c), false);
        }
    }
    // Benchmark knobs (BENCHMARKS.md): CELLSWEEP_PARQUET_COMPRESSION=none|snappy|zstd1 and
    // CELLSWEEP_PARQUET_DICT_IDS=1.
    if let Some(c) = std::env::var_os("CELLSWEEP_PARQUET_COMPRESSION") {
        b = b.set_compression(match c.to_str() {
            Some("none") => Compression::UNCOMPRESSED,
            Some("snappy") => Compression::SNAPPY,
            _ => Compression::ZSTD(ZstdLevel::try_new(1).expect("valid level")),
        });
    }
    b.build()
}

impl PartWriter {
    /// A writer for the file with this SHA-256 and catalog id; creates its staging directory.
    pub(crate) fn new(
        root: &Path,
        staging_name: &str,
        source_id: i64,
    ) -> Result<PartWriter, Error> {
        let staging = root.join(STAGING_DIR).join(staging_name);
        std::fs::create_dir_all(&staging).map_err(Error::io(&staging))?;
        Ok(PartWriter {
            root: root.into(),
            staging,
            source_id,
            props: Arc::new(writer_properties()),
        })
    }

    /// Writes one chunk's partitions, one part each.
    pub(crate) fn write(
        &self,
        chunk: u64,
        partitions: Vec<(PartitionKey, EventColumns)>,
    ) -> Result<Vec<StagedPart>, Error> {
        let mut out = Vec::with_capacity(partitions.len());
        for (key, cols) in partitions {
            let (time_min, time_max) = cols.time_range().unwrap_or((0, 0));
            let operator = key.operator.to_string();
            let day = key.day_string();
            let batch = cols.finish(&operator, self.source_id);
            let staged = self
                .staging
                .join(format!("{chunk:06}-{operator}-{day}.parquet"));
            let bytes = write_parquet(&staged, &batch, &self.props)?;
            out.push(StagedPart {
                staged,
                chunk,
                record: EventPart {
                    path: String::new(),
                    operator,
                    day,
                    rows: batch.num_rows() as u64,
                    bytes,
                    time_min,
                    time_max,
                },
            });
        }
        Ok(out)
    }

    /// Gives each part its final path, from the file's SHA-256 and the part's chunk.
    pub(crate) fn assign_paths(parts: &mut [StagedPart], sha256: &str) {
        for p in parts {
            let r = &mut p.record;
            r.path = format!(
                "{EVENTS_DIR}/operator={}/day={}/{sha256}-{:06}.parquet",
                r.operator, r.day, p.chunk
            );
        }
    }

    /// Moves staged parts to their final paths and syncs the directories, then removes the
    /// staging directory. Called inside the catalog transaction, just before its commit.
    pub(crate) fn publish(&self, parts: &[StagedPart]) -> Result<(), Error> {
        // Durable before the catalog can list them: fsync every staged part, a few at a time.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let failed: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..SYNC_THREADS {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(p) = parts.get(i) else { break };
                        if let Err(e) = File::open(&p.staged).and_then(|f| f.sync_all()) {
                            if let Ok(mut f) = failed.lock() {
                                f.get_or_insert(Error::Io {
                                    path: p.staged.clone(),
                                    source: e,
                                });
                            }
                            break;
                        }
                    }
                });
            }
        });
        if let Some(e) = failed.into_inner().ok().flatten() {
            return Err(e);
        }
        let mut dirs: Vec<PathBuf> = Vec::new();
        for p in parts {
            let dest = self.root.join(&p.record.path);
            let dir = dest
                .parent()
                .expect("part paths have a directory")
                .to_path_buf();
            if !dirs.contains(&dir) {
                std::fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
                dirs.push(dir);
            }
            std::fs::rename(&p.staged, &dest).map_err(Error::io(&dest))?;
        }
        for d in &dirs {
            sync_dir(d)?;
        }
        std::fs::remove_dir_all(&self.staging).map_err(Error::io(&self.staging))?;
        // The shared staging directory goes too when no other ingest uses it.
        if let Some(parent) = self.staging.parent() {
            let _ = std::fs::remove_dir(parent);
        }
        Ok(())
    }
}

fn write_parquet(
    path: &Path,
    batch: &RecordBatch,
    props: &Arc<WriterProperties>,
) -> Result<u64, Error> {
    let file = File::create(path).map_err(Error::io(path))?;
    let perr = |source| Error::Parquet {
        path: path.into(),
        source,
    };
    let mut w =
        ArrowWriter::try_new(file, event_schema(), Some(props.as_ref().clone())).map_err(perr)?;
    w.write(batch).map_err(perr)?;
    let file = w.into_inner().map_err(perr)?;
    // Made durable in `publish`, all at once: an fsync here would stall a parsing worker on
    // the disk, while the kernel writes the part back in the background meanwhile anyway.
    let bytes = file.metadata().map_err(Error::io(path))?.len();
    Ok(bytes)
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(Error::io(dir))
}

/// Reads the events of the parts the catalog lists (optionally of one source file), in path
/// order. Files on disk that the catalog does not list are never read.
pub fn read_events(
    ws: &cellsweep_store::Workspace,
    source_id: Option<i64>,
) -> Result<Vec<RecordBatch>, Error> {
    let mut out = Vec::new();
    for p in ws.event_parts(source_id)? {
        let path = ws.root().join(&p.path);
        let file = File::open(&path).map_err(Error::io(&path))?;
        let perr = |source| Error::Parquet {
            path: path.clone(),
            source,
        };
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(perr)?
            .build()
            .map_err(perr)?;
        for b in reader {
            out.push(b.map_err(|e| Error::Parquet {
                path: path.clone(),
                source: e.into(),
            })?);
        }
    }
    Ok(out)
}

/// Fault injection for the crash tests: `CELLSWEEP_CRASH_AT=staged` aborts the process after
/// every part is staged, `published` after the parts are renamed and before the catalog commits.
pub(crate) fn crash_point(name: &str) {
    if std::env::var("CELLSWEEP_CRASH_AT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}
