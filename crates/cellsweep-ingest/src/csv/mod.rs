//! The CSV reader: a sequential cutter and parallel workers.
//!
//! ```text
//!  file ──read 32 MiB──▶ cut at a record boundary ──chunk (index, first line)──▶ worker 1..N
//!                                                                      │ RowParser per record
//!                                                                      ▼
//!                                               partitions ──▶ staged Parquet part per chunk
//! ```
//!
//! Each chunk becomes its own parts, named by chunk index, so the output does not depend on
//! which worker took which chunk. Rows whose local time falls in the autumn's repeated hour
//! under the `file-order` policy are set aside and resolved after the whole file, in file
//! order, into one last chunk.

pub(crate) mod fields;
pub(crate) mod row;
pub(crate) mod split;

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use cellsweep_store::Rejection;

use crate::Error;
use crate::partition::Partitions;
use crate::profile::Encoding;
use crate::read::{ReadCtx, ReadResult};
use fields::{decode, split_quoted};
use row::{Deferred, Outcome, RowParser};

/// Bytes per chunk of a large file.
const CHUNK_BYTES: usize = 32 << 20;
/// The smallest chunk.
const MIN_CHUNK_BYTES: usize = 4 << 20;

/// Bytes per chunk for a file of `len` bytes: an eighth of the file between 4 and 32 MiB, so
/// that the many files of a few MiB of a real delivery keep every worker busy, and a file never
/// makes more than eight chunks' worth of small parts unless it is large. Depends on the size
/// only, so that the same file is always cut alike (part names follow chunks).
fn chunk_bytes(len: u64) -> usize {
    usize::try_from(len / 8)
        .unwrap_or(CHUNK_BYTES)
        .clamp(MIN_CHUNK_BYTES, CHUNK_BYTES)
}

/// Records per `RowParser::prepare` batch.
const PREPARE_BATCH: usize = 64;
/// Estimated bytes per row, to size column builders.
const BYTES_PER_ROW_GUESS: usize = 96;

struct Chunk {
    index: u64,
    first_line: u64,
    data: Vec<u8>,
    spans: Option<Vec<(usize, usize)>>,
}

struct ChunkOut {
    result: ReadResult,
    deferred: Vec<Deferred>,
}

/// Reads a CSV delivery.
pub(crate) fn read(ctx: &ReadCtx<'_>) -> Result<ReadResult, Error> {
    let profile = ctx.profile;
    let encoding = profile.encoding()?;
    let quote = profile.quote()?;
    let delimiter = profile.delimiter()?;
    let mut file = std::fs::File::open(ctx.path).map_err(Error::io(ctx.path))?;
    let len = file.metadata().map_err(Error::io(ctx.path))?.len();
    let chunk_len = chunk_bytes(len);
    let mut buf = Vec::with_capacity(chunk_len + (1 << 20));
    let mut eof = fill(&mut file, &mut buf, chunk_len, ctx)?;

    // Prelude: byte-order mark, skipped lines, header.
    let mut pos = 0;
    if encoding == Encoding::Utf8 && buf.starts_with(b"\xEF\xBB\xBF") {
        pos = 3;
    }
    let mut line = 1u64;
    let needed_lines = profile.csv.skip_lines as usize + usize::from(profile.csv.header);
    for _ in 0..needed_lines {
        loop {
            if let Some(nl) = memchr::memchr(b'\n', &buf[pos..]) {
                let l = &buf[pos..pos + nl];
                pos += nl + 1;
                line += 1;
                if line as usize - 1 == needed_lines && profile.csv.header {
                    // Remember the header's bytes for the parser.
                    let header = l.strip_suffix(b"\r").unwrap_or(l).to_vec();
                    return read_body(
                        ctx,
                        file,
                        buf,
                        pos,
                        line,
                        eof,
                        Some(header),
                        encoding,
                        quote,
                        delimiter,
                        chunk_len,
                    );
                }
                break;
            }
            if eof {
                return Err(Error::HeaderMismatch {
                    path: ctx.path.into(),
                    profile: profile.name.clone(),
                    reason: format!("the file ends before its header (line {})", needed_lines),
                });
            }
            eof = fill(&mut file, &mut buf, chunk_len, ctx)?;
        }
    }
    read_body(
        ctx, file, buf, pos, line, eof, None, encoding, quote, delimiter, chunk_len,
    )
}

/// Appends up to `n` bytes; returns whether the file ended.
fn fill(
    file: &mut std::fs::File,
    buf: &mut Vec<u8>,
    n: usize,
    ctx: &ReadCtx<'_>,
) -> Result<bool, Error> {
    // Into the vector's spare capacity: no zeroing of bytes about to be overwritten.
    let got = file
        .take(n as u64)
        .read_to_end(buf)
        .map_err(Error::io(ctx.path))?;
    Ok(got < n)
}

#[allow(clippy::too_many_arguments)]
fn read_body(
    ctx: &ReadCtx<'_>,
    mut file: std::fs::File,
    mut buf: Vec<u8>,
    mut pos: usize,
    mut line: u64,
    mut eof: bool,
    header: Option<Vec<u8>>,
    encoding: Encoding,
    quote: Option<u8>,
    delimiter: u8,
    chunk_len: usize,
) -> Result<ReadResult, Error> {
    let header_fields: Vec<String> = match &header {
        None => Vec::new(),
        Some(h) => split_header(h, delimiter, quote, encoding),
    };
    let parser = RowParser::new(
        ctx.profile,
        &header_fields,
        ctx.operator,
        ctx.region,
        ctx.path,
    )?;
    ctx.progress.advance(pos as u64, 0);

    let threads = ctx.threads.max(1);
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(threads);
    let chunk_rx = Mutex::new(chunk_rx);
    let (out_tx, out_rx) = mpsc::channel::<Result<(u64, ChunkOut), Error>>();
    // Chunk buffers go back to the cutter once parsed: a fresh 33 MiB buffer per chunk would
    // cost the kernel a page fault and a page of zeroes every 4 KiB (BENCHMARKS.md, "Ingest").
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();

    let mut outs: Vec<(u64, ChunkOut)> = Vec::new();
    let mut failure: Option<Error> = None;
    let mut chunks = 0u64;
    // Set by a worker that failed: the cutter stops, the other workers drain and stop.
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| -> Result<(), Error> {
        for _ in 0..threads {
            let out_tx = out_tx.clone();
            let free_tx = free_tx.clone();
            let chunk_rx = &chunk_rx;
            let stop = &stop;
            let mut parser = parser.clone_fresh();
            s.spawn(move || {
                loop {
                    let next = chunk_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(chunk)) = next else { break };
                    if stop.load(Ordering::Relaxed) {
                        // Drain, so that the cutter never blocks on a full channel.
                        continue;
                    }
                    let index = chunk.index;
                    let r = work(ctx, &mut parser, &chunk).map(|o| (index, o));
                    let _ = free_tx.send(chunk.data);
                    if r.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if out_tx.send(r).is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
        drop(out_tx);
        drop(free_tx);
        // The cutter runs here while workers parse.
        let sent: Result<(), Error> = (|| {
            loop {
                let block = &buf[pos..];
                if (block.is_empty() && eof) || stop.load(Ordering::Relaxed) {
                    break;
                }
                let c = split::cut(block, quote, eof);
                if c.end == 0 && !eof {
                    // One record longer than a chunk: read more.
                    eof = fill(&mut file, &mut buf, chunk_len, ctx)?;
                    continue;
                }
                // Hand the block over without copying it; the next block starts with the tail.
                let mut next = free_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(chunk_len + (1 << 20)));
                next.clear();
                next.extend_from_slice(&buf[pos + c.end..]);
                let mut data = std::mem::replace(&mut buf, next);
                data.truncate(pos + c.end);
                if pos > 0 {
                    data.drain(..pos);
                }
                let lines = bytecount::count(&data, b'\n') as u64;
                let chunk = Chunk {
                    index: chunks,
                    first_line: line,
                    data,
                    spans: c.spans,
                };
                chunks += 1;
                line += lines;
                pos = 0;
                if chunk_tx.send(chunk).is_err() {
                    break;
                }
                if !eof {
                    eof = fill(&mut file, &mut buf, chunk_len, ctx)?;
                }
            }
            Ok(())
        })();
        drop(chunk_tx);
        for r in out_rx {
            match r {
                Ok(o) => outs.push(o),
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        sent
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    outs.sort_by_key(|(i, _)| *i);
    let mut result = ReadResult::default();
    let mut deferred = Vec::new();
    for (_, mut o) in outs {
        deferred.append(&mut o.deferred);
        result.merge(o.result);
    }
    if !deferred.is_empty() {
        let zone = ctx.profile.time.time_zone.clone().unwrap_or_default();
        let (partitions, rejections, accepted) = resolve_file_order(deferred, &zone);
        result.ambiguous_resolved += accepted;
        result.accepted += accepted;
        result.rejections.extend(rejections);
        result
            .parts
            .extend(ctx.writer.write(chunks, partitions.into_sorted())?);
        ctx.progress.advance(0, 0);
    }
    result.rejections.sort_by_key(|r| r.line);
    Ok(result)
}

fn split_header(h: &[u8], delimiter: u8, quote: Option<u8>, encoding: Encoding) -> Vec<String> {
    let text = |b: &[u8]| decode(encoding, b).trim().to_owned();
    match quote {
        Some(q) if memchr::memchr(q, h).is_some() => {
            let (mut s, mut e, mut r) = (Vec::new(), Vec::new(), Vec::new());
            if split_quoted(h, delimiter, q, &mut s, &mut e, &mut r).is_ok() {
                return r.iter().map(|&(a, b)| text(&s[a..b])).collect();
            }
            h.split(|b| *b == delimiter).map(text).collect()
        }
        _ => h.split(|b| *b == delimiter).map(text).collect(),
    }
}

fn work(ctx: &ReadCtx<'_>, parser: &mut RowParser, chunk: &Chunk) -> Result<ChunkOut, Error> {
    let data = &chunk.data;
    let mut parts = Partitions::with_capacity(data.len() / BYTES_PER_ROW_GUESS + 16);
    let mut rejections = Vec::new();
    let mut deferred = Vec::new();
    let mut rows = 0u64;
    let before = parser.stats;
    let mut handle = |parser: &mut RowParser, rec: &[u8], line: u64, i: usize| match parser
        .parse_prepared(rec, line, &mut parts, i)
    {
        Outcome::Accepted => rows += 1,
        Outcome::Rejected(r) => {
            rows += 1;
            rejections.push(r);
        }
        Outcome::Deferred(d) => {
            rows += 1;
            deferred.push(*d);
        }
        Outcome::Blank => {}
    };
    // Records go through the parser in small batches (`RowParser::prepare`).
    let mut batch: Vec<(usize, usize, u64)> = Vec::with_capacity(PREPARE_BATCH);
    let mut run = |parser: &mut RowParser, batch: &mut Vec<(usize, usize, u64)>| {
        parser.prepare(batch.iter().map(|&(s, e, _)| &data[s..e]));
        for (i, &(s, e, line)) in batch.iter().enumerate() {
            handle(parser, &data[s..e], line, i);
        }
        batch.clear();
    };
    match &chunk.spans {
        None => {
            let mut start = 0;
            let mut line = chunk.first_line;
            for nl in memchr::memchr_iter(b'\n', data) {
                batch.push((start, nl, line));
                if batch.len() == PREPARE_BATCH {
                    run(parser, &mut batch);
                }
                start = nl + 1;
                line += 1;
            }
            if start < data.len() {
                batch.push((start, data.len(), line));
            }
        }
        Some(spans) => {
            let mut line = chunk.first_line;
            let mut counted = 0;
            for &(s, e) in spans {
                line += bytecount::count(&data[counted..s], b'\n') as u64;
                counted = s;
                batch.push((s, e, line));
                if batch.len() == PREPARE_BATCH {
                    run(parser, &mut batch);
                }
            }
        }
    }
    run(parser, &mut batch);
    let accepted = parts.len() as u64;
    let staged = ctx.writer.write(chunk.index, parts.into_sorted())?;
    ctx.progress.advance(data.len() as u64, rows);
    Ok(ChunkOut {
        result: ReadResult {
            parts: staged,
            rejections,
            accepted,
            ambiguous_resolved: parser.stats.ambiguous_resolved - before.ambiguous_resolved,
            notes: Vec::new(),
        },
        deferred,
    })
}

/// Resolves the rows of the autumn's repeated hour in file order. Rows are grouped by the
/// repeated wall-clock hour; inside a group, rows before the first time the clock goes back
/// are the first occurrence and rows after it the second. A group where the clock never goes
/// back cannot be told apart, and a group where it goes back twice is out of order: both are
/// quarantined. Returns partitions, rejections and how many rows were resolved.
pub(crate) fn resolve_file_order(
    deferred: Vec<Deferred>,
    zone: &str,
) -> (Partitions, Vec<Rejection>, u64) {
    let mut groups: Vec<(i64, Vec<Deferred>)> = Vec::new();
    for d in deferred {
        let hour = d.wall_us.div_euclid(3_600_000_000);
        match groups.iter_mut().find(|(h, _)| *h == hour) {
            Some((_, g)) => g.push(d),
            None => groups.push((hour, vec![d])),
        }
    }
    let mut parts = Partitions::with_capacity(1024);
    let mut rejections = Vec::new();
    let mut accepted = 0;
    for (_, mut g) in groups {
        g.sort_by_key(|d| d.line);
        let mut phase = vec![0u8; g.len()];
        let mut p = 0u8;
        for i in 1..g.len() {
            if g[i].wall_us < g[i - 1].wall_us {
                p = p.saturating_add(1);
            }
            phase[i] = p;
        }
        let went_back = p > 0;
        for (d, ph) in g.into_iter().zip(phase) {
            let reject = |why: &str| {
                Rejection::field(
                    d.line,
                    d.field.clone(),
                    format!(
                        "ambiguous local time `{}` in {zone}: it occurs twice (daylight saving ends) and {why}",
                        d.text
                    ),
                    d.raw.clone(),
                )
            };
            let time = match (went_back, ph) {
                (false, _) => {
                    rejections.push(reject("the file's order does not show which occurrence (the clock never goes back in this hour); use policy `earlier` or `later` if you know"));
                    continue;
                }
                (true, 0) => d.earlier,
                (true, 1) => d.later,
                (true, _) => {
                    rejections.push(reject("the clock goes back more than once in this hour, so the file is not in time order"));
                    continue;
                }
            };
            let mut e = d.event;
            e.time_us = time;
            let peer = e.peer_other.take();
            parts.push(d.operator, &e, peer.as_deref());
            accepted += 1;
        }
    }
    (parts, rejections, accepted)
}

impl RowParser {
    /// A copy with empty memos, for another worker.
    pub(crate) fn clone_fresh(&self) -> RowParser {
        self.clone()
    }
}
