//! Timings for `bench/presence/run.sh`:
//!
//! - `presence_sql agg-sql`, `presence_sql sql`: print the two presence statements exactly as
//!   `cellsweep detect` runs them (stage one aggregates the events, stage two the features);
//! - `presence_sql batch-rows`: print the events per stage-one batch `detect` gathers;
//! - `presence_sql time WS [BATCH_ROWS]`: runs both on WS (after a `cellsweep detect`, which
//!   wrote the derived tables) with DataFusion in process, stage one in batches of whole days
//!   (`features::AGG_BATCH_ROWS` events by default; a huge number for one batch) materialised as
//!   Parquet, as `detect` does; prints `seconds rows datafusion-version batches stage-one-seconds`;
//! - `presence_sql explain WS [features]`: `EXPLAIN ANALYZE` of stage one over the first batch
//!   of days, or of stage two;
//! - `presence_sql conditions N`: evaluates the shipped conditions over N synthetic
//!   (device, facility) facts; prints the time.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::time::Instant;

use cellsweep_detect::conditions::{self, DEFAULT_CONDITIONS, Dimension, Facts};
use cellsweep_detect::{Settings, features, register_tables};
use cellsweep_query::Engine;
use cellsweep_store::Workspace;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let s = Settings::default();
    match args.first().map(String::as_str) {
        Some("sql") => println!("{}", features::presence_sql(s.min_nights, s.far_m)),
        Some("agg-sql") => println!("{}", features::AGG_SQL),
        Some("batch-rows") => println!("{}", features::AGG_BATCH_ROWS),
        Some("time") if args.len() == 2 || args.len() == 3 => {
            let ws = Workspace::open(Path::new(&args[1])).expect("workspace");
            let batch_rows: u64 = args
                .get(2)
                .map_or(features::AGG_BATCH_ROWS, |a| a.parse().expect("batch rows"));
            let engine = Engine::local().expect("engine");
            register_tables(&ws, &engine).expect("tables");
            let days = ws.event_scan_days().expect("event parts");
            let out = std::env::temp_dir().join(format!("presence-agg-{}/", std::process::id()));
            let t0 = Instant::now();
            let batches = features::aggregate(&engine, &days, &out, batch_rows).expect("stage one");
            let t1 = t0.elapsed().as_secs_f64();
            engine
                .register_parquet("agg", std::slice::from_ref(&out), None)
                .expect("agg table");
            let rows = features::presence(&engine, s.min_nights, s.far_m).expect("presence");
            println!(
                "{:.3} {} {} {batches} {t1:.3}",
                t0.elapsed().as_secs_f64(),
                rows.len(),
                cellsweep_query::DATAFUSION_VERSION
            );
            let _ = std::fs::remove_dir_all(&out);
        }
        Some("explain") if args.len() == 3 && args[2] == "features" => {
            // Stage two over the last `detect`'s stage one.
            explain(&args[1], |_, _| {
                features::presence_sql(s.min_nights, s.far_m)
            });
        }
        Some("explain") if args.len() == 2 => {
            // Stage one over the first batch of days, as `detect` gathers them.
            explain(&args[1], |ws, engine| {
                let days = ws.event_scan_days().expect("event parts");
                let first = features::batches(&days, features::AGG_BATCH_ROWS)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                engine
                    .register_parquet(
                        "batch_events",
                        &first,
                        Some(cellsweep_ingest::event_schema()),
                    )
                    .expect("batch");
                features::AGG_SQL.to_owned()
            });
        }
        Some("conditions") if args.len() == 2 => {
            let n: usize = args[1].parse().expect("a count");
            let conds =
                conditions::parse(DEFAULT_CONDITIONS, "built-in").expect("shipped conditions");
            // A deterministic mix: every dimension holds for a different share of subjects.
            let facts: Vec<Facts> = (0..n)
                .map(|i| Facts {
                    holds: Dimension::ALL
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| (i.wrapping_mul(2_654_435_761) >> (3 + k)) % (k + 4) == 0)
                        .map(|(_, d)| (*d, format!("{d} evidence")))
                        .collect(),
                    days_held: (i % 40) as u32,
                })
                .collect();
            let t0 = Instant::now();
            let o = conditions::evaluate(&conds, &facts, |i, _| i % 97 == 0);
            let flagged = o.flagged.iter().filter(|f| !f.is_empty()).count();
            println!(
                "{} conditions over {n} (device, facility) facts: {:.1} ms ({flagged} flagged, {} refused)",
                conds.len(),
                t0.elapsed().as_secs_f64() * 1e3,
                o.refused.len()
            );
        }
        _ => {
            eprintln!(
                "usage: presence_sql agg-sql | sql | batch-rows | time WS [BATCH_ROWS] | explain WS [features] | conditions N"
            );
            std::process::exit(2);
        }
    }
}

/// Prints `EXPLAIN ANALYZE` of the statement `prepare` returns, over WS's detection tables.
fn explain(ws: &str, prepare: impl FnOnce(&Workspace, &Engine) -> String) {
    let ws = Workspace::open(Path::new(ws)).expect("workspace");
    let engine = Engine::local().expect("engine");
    register_tables(&ws, &engine).expect("tables");
    let sql = prepare(&ws, &engine);
    let plan = engine
        .sql(&format!("EXPLAIN ANALYZE {sql}"))
        .expect("explain");
    for line in cellsweep_query::as_string(&plan, "plan").expect("plan") {
        println!("{line}");
    }
}
