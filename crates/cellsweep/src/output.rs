//! Messages on stderr, in the house format: `error:` then `Caused by:` lines then `hint:`
//! lines; lowercase, values in backticks; colour only on a terminal without `NO_COLOR`.

use std::io::IsTerminal;

/// Whether stderr may be coloured.
fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn paint(text: &str, code: &str) -> String {
    if colour() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Prints an error and every cause, then what the user can do about it.
#[allow(clippy::print_stderr)]
pub(crate) fn error_chain(err: &anyhow::Error) {
    eprintln!("{} {err}", paint("error:", "1;31"));
    let causes: Vec<_> = err.chain().skip(1).collect();
    if !causes.is_empty() {
        eprintln!("\nCaused by:");
        for (i, cause) in causes.iter().enumerate() {
            eprintln!("  {i}: {cause}");
        }
    }
    for h in hints(err) {
        eprintln!("{} {h}", paint("hint:", "1;36"));
    }
}

/// The hint table: for errors a user can fix, what to do next.
fn hints(err: &anyhow::Error) -> Vec<String> {
    use cellsweep_store::Error as S;
    let mut out = Vec::new();
    for cause in err.chain() {
        let store = cause.downcast_ref::<S>().or_else(|| {
            match cause.downcast_ref::<cellsweep_ref::Error>() {
                Some(cellsweep_ref::Error::Store(s)) => Some(s),
                _ => None,
            }
        });
        match store {
            Some(S::NotAWorkspace { path }) => out.push(format!("create one with `cellsweep init {}`", path.display())),
            Some(S::NotEmpty { .. }) => out.push("choose a new directory; an existing workspace is opened by the other commands directly".into()),
            Some(S::TooNew { .. }) => out.push("use the cellsweep version that wrote this workspace, or a newer one".into()),
            _ => {}
        }
        if let Some(cellsweep_ref::Error::MissingColumns { .. }) =
            cause.downcast_ref::<cellsweep_ref::Error>()
        {
            out.push("column names are matched case-insensitively; see `cellsweep ref import --help` and docs/reference-data.md for each format's columns".into());
        }
    }
    out.dedup();
    out
}

/// A progress or status message on stderr.
#[allow(clippy::print_stderr)]
pub(crate) fn note(msg: &str) {
    eprintln!("{msg}");
}

/// A hint on stderr.
#[allow(clippy::print_stderr)]
pub(crate) fn hint(msg: &str) {
    eprintln!("{} {msg}", paint("hint:", "1;36"));
}

/// A warning on stderr.
#[allow(clippy::print_stderr)]
pub(crate) fn warn(msg: &str) {
    eprintln!("{} {msg}", paint("warning:", "1;33"));
}
