//! End-to-end tests of the real `cellsweep` binary, run hermetically in temporary directories.
//! Exit status, stdout and stderr are snapshotted with paths and times filtered out.

use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn cellsweep(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CELLSWEEP_REGION")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Renders a run for a snapshot, replacing the temporary directory and timestamps.
fn render(dir: &Path, r: &Run) -> String {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        r.code, r.stdout, r.stderr
    );
    let text = text.replace(&dir.display().to_string(), "[TMP]");
    // RFC 3339 UTC timestamps of imports.
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("T").filter(|&i| {
        i >= 10
            && rest[i - 10..i].chars().filter(|c| *c == '-').count() == 2
            && rest[i..].len() > 9
            && rest.as_bytes()[i + 9] == b'Z'
    }) {
        out.push_str(&rest[..i - 10]);
        out.push_str("[TIME]");
        rest = &rest[i + 10..];
    }
    out.push_str(rest);
    out
}

fn write(dir: &Path, name: &str, content: &str) {
    std::fs::write(dir.join(name), content).unwrap();
}

#[test]
fn help_on_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["init", "--help"],
        vec!["ref", "--help"],
        vec!["ref", "import", "--help"],
        vec!["ref", "stats", "--help"],
        vec!["quarantine", "--help"],
        vec!["ids", "--help"],
        vec!["ids", "check", "--help"],
        vec!["coverage", "--help"],
        vec!["detect", "--help"],
        vec!["evaluate", "--help"],
        vec!["evaluate", "detect", "--help"],
        vec!["approve", "--help"],
        vec!["lists", "generate", "--help"],
        vec!["disable", "create", "--help"],
        vec!["disable", "reverse", "--help"],
        vec!["disable", "status", "--help"],
        vec!["evidence", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["audit", "log", "--help"],
        vec!["retention", "apply", "--help"],
    ] {
        let r = cellsweep(dir.path(), &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.contains("Usage: cellsweep"), "{args:?}");
    }
    insta::assert_snapshot!("help", cellsweep(dir.path(), &["--help"]).stdout);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = cellsweep(
        dir.path(),
        &["ref", "import", "ws", "--kind", "bananas", "f.csv"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown kind `bananas`"), "{}", r.stderr);
    assert_eq!(cellsweep(dir.path(), &["frobnicate"]).code, 2);
}

#[test]
fn reference_pipeline_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut transcript = String::new();
    let mut step = |args: &[&str]| {
        let r = cellsweep(d, args);
        transcript += &format!("$ cellsweep {}\n{}\n", args.join(" "), render(d, &r));
        r
    };
    assert_eq!(step(&["init", "ws"]).code, 0);
    assert_eq!(step(&["init", "ws"]).code, 1);
    write(
        d,
        "ops.csv",
        "mcc,mnc,brand\n208,01,Orange\n208,10,SFR\n208,5014,Private\n",
    );
    write(
        d,
        "ledger.csv",
        "imei,supplier,sold_at\n490154203237518,Acme,2026-01-05\n490154203237519,Acme,2026-01-05\n",
    );
    assert_eq!(
        step(&[
            "ref",
            "import",
            "ws",
            "--kind",
            "operators",
            "ops.csv",
            "--request-ref",
            "REQ-1"
        ])
        .code,
        0
    );
    assert_eq!(
        step(&["ref", "import", "ws", "-k", "ledger", "ledger.csv"]).code,
        0
    );
    assert_eq!(
        step(&["ref", "import", "ws", "-k", "ledger", "ledger.csv"]).code,
        0
    );
    assert_eq!(
        step(&["ref", "import", "ws", "-k", "tac", "ledger.csv"]).code,
        1
    );
    assert_eq!(
        step(&["ref", "import", "nowhere", "-k", "tac", "ledger.csv"]).code,
        1
    );
    assert_eq!(
        step(&["ref", "import", "ws", "-k", "tac", "missing.csv"]).code,
        1
    );
    assert_eq!(step(&["ref", "stats", "ws"]).code, 0);
    assert_eq!(step(&["quarantine", "ws", "--csv"]).code, 0);
    assert_eq!(step(&["quarantine", "ws", "--source", "2"]).code, 0);
    insta::assert_snapshot!("reference_pipeline", transcript);
}

#[test]
fn ids_check_exit_codes_and_workspace_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = cellsweep(
        d,
        &[
            "ids",
            "check",
            "49-015420-323751-8",
            "+33 6 12 34 56 78",
            "208-01-00a1b2c",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r2 = cellsweep(d, &["ids", "check", "490154203237519", "0612"]);
    assert_eq!(r2.code, 3);
    // With a workspace, TACs and operators are named.
    assert_eq!(cellsweep(d, &["init", "ws"]).code, 0);
    write(d, "tac.csv", "tac,brand,model\n49015420,Nokia,Test model\n");
    write(
        d,
        "ops.csv",
        "mcc,mnc,brand,countryName\n208,01,Orange,France\n",
    );
    assert_eq!(
        cellsweep(d, &["ref", "import", "ws", "-k", "tac", "tac.csv"]).code,
        0
    );
    assert_eq!(
        cellsweep(d, &["ref", "import", "ws", "-k", "operators", "ops.csv"]).code,
        0
    );
    let r3 = cellsweep(
        d,
        &[
            "ids",
            "check",
            "-w",
            "ws",
            "490154203237518",
            "208011234567890",
            "0612345678",
        ],
    );
    assert_eq!(r3.code, 0);
    // Region from the environment.
    let r4 = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .args(["ids", "check", "020 7946 0018"])
        .env("CELLSWEEP_REGION", "GB")
        .output()
        .unwrap();
    assert_eq!(r4.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&r4.stdout).contains("msisdn +442079460018"));
    insta::assert_snapshot!(
        "ids_check",
        format!("{}\n{}\n{}", render(d, &r), render(d, &r2), render(d, &r3))
    );
}

#[test]
fn demo_runs_and_stdout_closing_early_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("demo");
    let r = cellsweep(dir.path(), &["demo", "--keep", keep.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for section in [
        "reference data",
        "prison records and RF detector logs",
        "no-op",
        "what the workspace holds",
        "identifiers",
        "deliveries, ingested",
        "top candidates per facility",
        "nights on cells covering",
    ] {
        assert!(r.stdout.contains(section), "missing `{section}`");
    }
    assert!(!r.stderr.contains('\x1b'), "NO_COLOR must disable colour");
    assert!(keep.join("workspace/catalog.sqlite").exists());
    assert!(keep.join("simulation/truth/devices.csv").exists());
    assert!(
        !r.stdout.contains("quarantined:"),
        "the demo's reference files are clean"
    );
    let records: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("prison/") || l.starts_with("sensors/"))
        .collect();
    assert_eq!(records.len(), 6, "{}", r.stdout);
    for line in records {
        assert!(line.contains(" +    0 quarantined"), "{line}");
    }
    // `cellsweep demo | head -1`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellsweep"))
        .arg("demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    assert!(child.wait().unwrap().success());
}
