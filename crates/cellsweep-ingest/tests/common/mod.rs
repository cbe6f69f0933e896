//! Helpers shared by the integration tests: ingest a fixture, render events and quarantine.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Int64Type, TimestampMicrosecondType, UInt16Type, UInt32Type, UInt64Type};
use cellsweep_ids::{CellId, Imei, Imsi, MncTable, Msisdn};
use cellsweep_ingest::{IngestOutcome, IngestReport, IngestRequest, NoProgress, ingest};
use cellsweep_store::Workspace;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn request(path: &Path, profile: Option<&str>) -> IngestRequest {
    IngestRequest {
        path: path.into(),
        profile: profile.map(str::to_owned),
        request_ref: Some("R2026-0042".into()),
        operator: None,
        region: cellsweep_ids::Region::FR,
        threads: Some(2),
    }
}

pub fn ingest_ok(ws: &mut Workspace, path: &Path, profile: Option<&str>) -> IngestReport {
    match ingest(ws, &request(path, profile), &NoProgress).unwrap() {
        IngestOutcome::Imported(r) => r,
        IngestOutcome::AlreadyImported(s) => panic!("already imported: {s:?}"),
    }
}

/// One line per canonical row, ordered by source file and row.
pub fn render_events(ws: &Workspace) -> String {
    let batches = cellsweep_ingest::read_events(ws, None).unwrap();
    let mut lines: Vec<(i64, u64, String)> = batches.iter().flat_map(rows).collect();
    lines.sort();
    lines.into_iter().map(|(_, _, l)| l + "\n").collect()
}

fn rows(b: &RecordBatch) -> Vec<(i64, u64, String)> {
    let t = MncTable::builtin();
    let col = |n: &str| b.column(b.schema().index_of(n).unwrap()).clone();
    let u64s = |n: &str| col(n).as_primitive::<UInt64Type>().clone();
    let strs = |n: &str| col(n).as_string::<i32>().clone();
    let (time, imei, imsi, msisdn, peer, cell) = (
        col("time")
            .as_primitive::<TimestampMicrosecondType>()
            .clone(),
        u64s("imei"),
        u64s("imsi"),
        u64s("msisdn"),
        u64s("peer_msisdn"),
        u64s("cell"),
    );
    let (other, et, dir, radio, op) = (
        strs("peer_other"),
        strs("event_type"),
        strs("direction"),
        strs("radio"),
        strs("operator"),
    );
    let dur = col("duration_s").as_primitive::<UInt32Type>().clone();
    let ta = col("ta").as_primitive::<UInt16Type>().clone();
    let src = col("source_file").as_primitive::<Int64Type>().clone();
    let row = u64s("source_row");
    let opt = |a: &dyn Array, i: usize, f: &dyn Fn() -> String| {
        if a.is_null(i) { "-".to_owned() } else { f() }
    };
    (0..b.num_rows())
        .map(|i| {
            let ts = jiff::Timestamp::from_microsecond(time.value(i)).unwrap();
            let line = format!(
                "{}#{} {ts} {} {} dur={} imei={} imsi={} msisdn={} peer={} cell={} radio={} ta={} op={}",
                src.value(i),
                row.value(i),
                et.value(i),
                opt(&dir, i, &|| dir.value(i).to_owned()),
                opt(&dur, i, &|| dur.value(i).to_string()),
                opt(&imei, i, &|| Imei::from_key(imei.value(i)).unwrap().to_string()),
                opt(&imsi, i, &|| Imsi::from_key(imsi.value(i), &t).unwrap().to_string()),
                opt(&msisdn, i, &|| Msisdn::from_key(msisdn.value(i)).unwrap().to_string()),
                if peer.is_null(i) {
                    opt(&other, i, &|| format!("{:?}", other.value(i)))
                } else {
                    Msisdn::from_key(peer.value(i)).unwrap().to_string()
                },
                opt(&cell, i, &|| CellId::from_key(cell.value(i)).unwrap().to_string()),
                opt(&radio, i, &|| radio.value(i).to_owned()),
                opt(&ta, i, &|| ta.value(i).to_string()),
                op.value(i),
            );
            (src.value(i), row.value(i), line)
        })
        .collect()
}

/// One line per quarantined row: line, field, reason (raw text left out: see `raw`).
pub fn render_quarantine(ws: &Workspace) -> String {
    ws.quarantined(None, 100_000)
        .unwrap()
        .iter()
        .map(|q| {
            format!(
                "{}:{} [{}] {}\n",
                q.source_id,
                q.line,
                q.field.as_deref().unwrap_or("-"),
                q.reason
            )
        })
        .collect()
}

/// Counts and provenance of every source, without times and temporary paths.
pub fn render_sources(ws: &Workspace) -> String {
    ws.sources()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} {} sha={} bytes={} ref={:?} rows {} = {} + {} time {:?}..{:?} note {:?}\n",
                s.id,
                s.kind,
                s.format,
                &s.sha256[..12],
                s.bytes,
                s.request_ref,
                s.rows_in,
                s.rows_accepted,
                s.rows_quarantined,
                s.time_min,
                s.time_max,
                s.note
            )
        })
        .collect()
}
