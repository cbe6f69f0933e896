//! `cargo xtask`: chores that plain `cargo` cannot do by itself.
//!
//! - `cargo xtask test` prepares what the tests need outside Rust (a Python virtual
//!   environment with the `phonenumbers` package, the peer our MSISDN normalisation is
//!   cross-checked against) and then runs `cargo test --workspace --all-features` (the
//!   `cluster` feature adds the test that runs detection on an in-process Ballista cluster).
//!
//! The virtual environment lives in `target/py-venv` so that `cargo clean` removes it and
//! nothing outside the checkout is touched. Installing it is the only step that needs the
//! network (PyPI); the tests themselves never do.

// A developer tool: it talks to its user on stderr by design.
#![allow(clippy::print_stderr)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The Python package version whose metadata matches the `phonenumber` crate's (9.0.33).
const PHONENUMBERS_PIN: &str = "phonenumbers==9.0.33";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("venv") => venv().map(|_| ()),
        _ => {
            usage();
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() {
    eprintln!(
        "usage: cargo xtask <command>\n\n\
         commands:\n  \
         test [ARGS...]  prepare target/py-venv, then run `cargo test --workspace --all-features [ARGS...]`\n  \
         venv            only prepare target/py-venv"
    );
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Creates (once) the virtual environment and returns its interpreter.
fn venv() -> Result<PathBuf, String> {
    let dir = root().join("target").join("py-venv");
    let python = dir.join("bin").join("python");
    let ready = dir.join(".cellsweep-ready");
    if ready.exists() && python.exists() {
        return Ok(python);
    }
    eprintln!("preparing {} ({PHONENUMBERS_PIN})", dir.display());
    run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PHONENUMBERS_PIN,
    ]))?;
    std::fs::write(&ready, PHONENUMBERS_PIN).map_err(|e| format!("{}: {e}", ready.display()))?;
    Ok(python)
}

fn test(extra: &[String]) -> Result<(), String> {
    let python = venv()?;
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo)
        .current_dir(root())
        .env("CELLSWEEP_PYTHON", &python)
        // Every feature: the Ballista test (`cluster`) runs an in-process cluster.
        .args(["test", "--workspace", "--all-features"])
        .args(extra))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed with {status}", cmd.get_program()))
    }
}
