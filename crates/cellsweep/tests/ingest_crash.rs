//! Issue 4: an ingest killed at any moment (SIGKILL), then run again, gives exactly the state
//! of an uninterrupted run: same catalog counts and quarantine, same part list, same events,
//! and no stray file under `events/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use arrow::array::RecordBatch;

const ROWS: u64 = 300_000;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cellsweep"));
    c.env("NO_COLOR", "1")
        .env_remove("CELLSWEEP_REGION")
        .env_remove("CELLSWEEP_CRASH_AT");
    c
}

/// A time-ordered `en-comma` file with 0.1 % damaged rows, large enough for several chunks.
fn write_file(path: &Path) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance").unwrap();
    let types = ["MOC", "MTC", "SMS-MO", "SMS-MT", "GPRS", "LU"];
    for i in 0..ROWS {
        let t = i * 9; // seconds: about a month
        let (d, h, m, s) = (1 + t / 86_400, t / 3600 % 24, t / 60 % 60, t % 60);
        let sub = i * 7919 % 5000;
        let imsi = if i % 1000 == 999 {
            "208101234".to_owned()
        } else {
            format!("2081012345{sub:05}")
        };
        writeln!(
            w,
            "{i},2026-03-{d:02}T{h:02}:{m:02}:{s:02}+01:00,{},336{:08},{imsi},49015420{:06}01,{},{},208-10-{:07x},LTE,{}",
            types[(i % 6) as usize],
            sub * 13,
            sub,
            if i % 7 == 0 { "\"SFR INFO\"".to_owned() } else { format!("3314455{:04}", sub) },
            i % 600,
            0x45a00 + sub % 300,
            i % 64
        )
        .unwrap();
    }
}

/// Everything an ingest leaves, minus times of day.
fn state(ws: &Path) -> (String, Vec<RecordBatch>) {
    let w = cellsweep_store::Workspace::open(ws).unwrap();
    let mut out = String::new();
    for s in w.sources().unwrap() {
        out += &format!(
            "{} {} {} {} {} = {} + {} {:?} {:?} {:?}\n",
            s.id,
            s.kind,
            s.format,
            s.sha256,
            s.rows_in,
            s.rows_accepted,
            s.rows_quarantined,
            s.time_min,
            s.time_max,
            s.note
        );
    }
    for q in w.quarantined(None, usize::MAX >> 1).unwrap() {
        out += &format!(
            "q {} {} {:?} {} {}\n",
            q.source_id, q.line, q.field, q.reason, q.raw
        );
    }
    let parts = w.event_parts(None).unwrap();
    for p in &parts {
        out += &format!(
            "part {} {} {} {} {} {}\n",
            p.path, p.operator, p.day, p.rows, p.time_min, p.time_max
        );
    }
    // Files on disk are exactly the listed parts.
    let mut on_disk = Vec::new();
    walk(&ws.join("events"), &mut on_disk);
    let mut listed: Vec<PathBuf> = parts.iter().map(|p| ws.join(&p.path)).collect();
    on_disk.sort();
    listed.sort();
    assert_eq!(on_disk, listed, "stray or missing files under events/");
    let batches: Vec<RecordBatch> = cellsweep_ingest::read_events(&w, None).unwrap();
    let n: usize = batches.iter().map(RecordBatch::num_rows).sum();
    out += &format!("events {n}\n");
    // The parts' content, in part order (deterministic paths and content).
    (out, batches)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn init(dir: &Path, name: &str) -> PathBuf {
    let ws = dir.join(name);
    assert!(
        bin()
            .arg("init")
            .arg(&ws)
            .output()
            .unwrap()
            .status
            .success()
    );
    ws
}

fn ingest(ws: &Path, file: &Path) -> Command {
    let mut c = bin();
    c.arg("ingest")
        .arg(ws)
        .arg(file)
        .args(["--request-ref", "R1", "--threads", "2"]);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

#[test]
fn issue_4_kill_9_then_rerun_equals_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("20810_traffic_R1_001.csv");
    write_file(&file);
    let reference = init(dir.path(), "reference");
    let t0 = Instant::now();
    assert!(ingest(&reference, &file).status().unwrap().success());
    let full = t0.elapsed();
    let expected = state(&reference);
    assert!(
        expected.0.contains(&format!("{ROWS} = ")),
        "{}",
        &expected.0[..400.min(expected.0.len())]
    );

    // Deterministic crash points: after staging, and after publishing but before the commit.
    for point in ["staged", "published"] {
        let ws = init(dir.path(), point);
        let status = ingest(&ws, &file)
            .env("CELLSWEEP_CRASH_AT", point)
            .status()
            .unwrap();
        assert!(
            !status.success(),
            "the crash point `{point}` was not reached"
        );
        assert!(ingest(&ws, &file).status().unwrap().success());
        assert!(state(&ws) == expected, "after a crash at `{point}`");
    }

    // SIGKILL at moments spread over an uninterrupted run's duration.
    for (i, frac) in [0.05, 0.25, 0.5, 0.75, 0.9, 1.1].into_iter().enumerate() {
        let ws = init(dir.path(), &format!("kill{i}"));
        let mut child = ingest(&ws, &file).spawn().unwrap();
        std::thread::sleep(full.mul_f64(frac));
        // `Child::kill` is SIGKILL on Unix.
        let _ = child.kill();
        let _ = child.wait();
        let rerun = ingest(&ws, &file).status().unwrap();
        assert!(rerun.success());
        // A second re-run is a no-op.
        assert!(ingest(&ws, &file).status().unwrap().success());
        let got = state(&ws);
        assert_eq!(got.0, expected.0, "after a kill at {frac} of the run");
        assert!(
            got.1 == expected.1,
            "events differ after a kill at {frac} of the run"
        );
    }
    // Keep the test honest about its cost.
    assert!(
        full < Duration::from_secs(120),
        "the reference run took {full:?}"
    );
}
