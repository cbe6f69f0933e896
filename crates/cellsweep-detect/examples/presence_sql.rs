//! Timings for `bench/presence/run.sh`:
//!
//! - `presence_sql agg-sql`, `presence_sql sql`: print the two presence statements exactly as
//!   `cellsweep detect` runs them (stage one aggregates the events, stage two the features);
//! - `presence_sql time WS`: runs both on WS (after a `cellsweep detect`, which wrote the derived
//!   tables) with DataFusion in process, stage one materialised as Parquet as `detect` does;
//!   prints `seconds rows datafusion-version`;
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
        Some("time") if args.len() == 2 => {
            let ws = Workspace::open(Path::new(&args[1])).expect("workspace");
            let engine = Engine::local().expect("engine");
            register_tables(&ws, &engine).expect("tables");
            let out =
                std::env::temp_dir().join(format!("presence-agg-{}.parquet", std::process::id()));
            let t0 = Instant::now();
            let agg = engine.sql(features::AGG_SQL).expect("stage one");
            let file = std::fs::File::create(&out).expect("agg file");
            let mut w =
                parquet::arrow::ArrowWriter::try_new(file, agg[0].schema(), None).expect("writer");
            for b in &agg {
                w.write(b).expect("write");
            }
            w.close().expect("close");
            drop(agg);
            engine
                .register_parquet("agg", std::slice::from_ref(&out), None)
                .expect("agg table");
            let rows = features::presence(&engine, s.min_nights, s.far_m).expect("presence");
            println!(
                "{:.3} {} {}",
                t0.elapsed().as_secs_f64(),
                rows.len(),
                cellsweep_query::DATAFUSION_VERSION
            );
            let _ = std::fs::remove_file(&out);
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
            eprintln!("usage: presence_sql agg-sql | sql | time WS | conditions N");
            std::process::exit(2);
        }
    }
}
