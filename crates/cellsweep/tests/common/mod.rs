//! What the end-to-end tests share: running the real binary as a user would, and loading a
//! simulated world into a workspace.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::Path;
use std::process::{Command, Output};

/// Runs `cellsweep ARGS` in `dir`, with a clean environment for the variables the binary reads.
pub(crate) fn cmd(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CELLSWEEP_USER", "tester")
        .env_remove("CELLSWEEP_REGION")
        .env_remove("CELLSWEEP_REASON")
        .env_remove("CELLSWEEP_CRASH_AT")
        .output()
        .expect("the binary runs")
}

/// Runs a command that must succeed; returns its stdout.
pub(crate) fn run(dir: &Path, args: &[&str]) -> String {
    let out = cmd(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail with `code`; returns stdout and stderr.
pub(crate) fn fail(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let out = cmd(dir, args);
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(code), "{args:?}\n{o}\n{e}");
    (o, e)
}

/// Simulates the `demo` scenario with `seed` into `dir/sim` and creates the workspace `dir/ws`.
pub(crate) fn simulate_demo(dir: &Path, seed: u64) {
    let seed = seed.to_string();
    run(
        dir,
        &[
            "simulate",
            "--scenario",
            "demo",
            "--seed",
            &seed,
            "--out",
            "sim",
        ],
    );
    run(dir, &["init", "ws"]);
}

/// The simulator's reference files, by import kind.
pub(crate) const REFERENCE: [(&str, &str); 7] = [
    ("operators", "reference/operators.csv"),
    ("tac", "reference/tac.csv"),
    ("tac-overlay", "reference/tac-overlay.csv"),
    ("facilities", "reference/facilities.geojson"),
    ("cells", "reference/cells.csv"),
    ("ledger", "reference/ledger.csv"),
    ("allowlist", "reference/allowlist.csv"),
];

/// The simulator's prison records, by import kind.
pub(crate) const PRISON: [(&str, &str); 5] = [
    ("registry", "prison/inmates.csv"),
    ("phone-authorised", "prison/phone_authorised.csv"),
    ("phone-calls", "prison/phone_calls.csv"),
    ("visits", "prison/visits.csv"),
    ("searches", "prison/searches.csv"),
];

/// Imports `files` of the simulation `dir/sim` into `dir/ws`; returns each import's stdout.
pub(crate) fn import(dir: &Path, files: &[(&str, &str)]) -> Vec<String> {
    files
        .iter()
        .map(|(kind, file)| {
            let path = format!("sim/{file}");
            run(dir, &["ref", "import", "ws", "--kind", kind, &path])
        })
        .collect()
}
