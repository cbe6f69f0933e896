//! Fits the score model's weights on a simulated workspace against its truth, and prints them
//! as the `DEFAULT_MODEL` constant (crates/cellsweep-detect/src/score.rs).
//!
//! ```text
//! cargo run --release -p cellsweep-detect --example fit_model -- WS TRUTH.csv [WS TRUTH.csv ...]
//! ```
//!
//! Each workspace holds one simulation's reference data and ingested deliveries; TRUTH is that
//! simulation's `truth/devices.csv`. A (device, facility) is a positive when one of the
//! device's IMEI–IMSI pairings is a contraband phone of that facility in the truth. Fit on
//! development seeds only; measure quality on others (BENCHMARKS.md).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashSet;
use std::path::Path;

use cellsweep_detect::score::{FEATURES, fit_logistic};
use cellsweep_detect::{Settings, run};
use cellsweep_query::Engine;
use cellsweep_store::Workspace;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        eprintln!("usage: fit_model WS TRUTH.csv [WS TRUTH.csv ...]");
        std::process::exit(2);
    }
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for pair in args.chunks(2) {
        let ws = Workspace::open(Path::new(&pair[0])).expect("workspace");
        let truth = contraband(Path::new(&pair[1]));
        let engine = Engine::local().expect("engine");
        let d = run(&ws, &engine, &Settings::default()).expect("detection");
        for c in &d.all {
            let positive = c
                .pairings
                .iter()
                .any(|&(imei, imsi, _)| truth.contains(&(imei, imsi, c.facility.clone())));
            xs.push(c.features);
            ys.push(positive);
        }
        eprintln!(
            "{}: {} scored, {} positive",
            pair[0],
            d.all.len(),
            ys.iter().filter(|y| **y).count()
        );
    }
    let (bias, w) = fit_logistic(&xs, &ys, 1.0);
    println!("pub const DEFAULT_MODEL: Model = Model {{");
    println!("    bias: {bias:.3},");
    println!(
        "    weights: [{}],",
        w.iter()
            .map(|v| format!("{v:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("    platt: (1.0, 0.0),");
    println!("}};");
    for (n, v) in FEATURES.iter().zip(w) {
        eprintln!("  {n:<20} {v:+.3}");
    }
}

/// (IMEI key, IMSI key, facility) of the truth's contraband pairings.
fn contraband(path: &Path) -> HashSet<(u64, u64, String)> {
    let mut r = csv::Reader::from_path(path).expect("truth file");
    let h = r.headers().expect("header").clone();
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .unwrap_or_else(|| panic!("no `{n}` column"))
    };
    let (ci, cs, cb, cf) = (
        col("imei"),
        col("imsi"),
        col("contraband"),
        col("facility_id"),
    );
    let mut out = HashSet::new();
    for rec in r.records() {
        let rec = rec.expect("truth row");
        if &rec[cb] != "true" {
            continue;
        }
        let imei = cellsweep_ids::Imei::parse(&rec[ci])
            .map(|i| i.key())
            .unwrap_or(0);
        let imsi = key_imsi(&rec[cs]);
        out.insert((imei, imsi, rec[cf].to_owned()));
    }
    out
}

fn key_imsi(s: &str) -> u64 {
    if s.is_empty() {
        return 0;
    }
    cellsweep_ids::Imsi::parse(s, &cellsweep_ids::MncTable::builtin())
        .map(|i| i.key())
        .unwrap_or(0)
}
