//! The `cellsweep` binary: argv in, exit status out.
//!
//! Three layers (see `ARCHITECTURE.md`): `cli.rs` declares what argv may hold, `settings.rs`
//! resolves it against the environment and the workspace settings, and `commands/` holds one
//! module per subcommand. Domain logic lives in the library crates, never here.
//!
//! Output discipline: stdout carries data only (tables, reports, CSV); messages, hints and
//! errors go to stderr, uncoloured when `NO_COLOR` is set or stderr is not a terminal.

mod cli;
mod commands;
mod output;
mod settings;

use std::process::ExitCode;

use clap::Parser;

/// Exit status for a command that ran but found invalid values (`ids check`).
pub(crate) const EXIT_INVALID: u8 = 3;

/// Exit status for `audit verify` when the audit log was tampered with.
pub(crate) const EXIT_TAMPERED: u8 = 4;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            output::error_chain(&err);
            ExitCode::FAILURE
        }
    }
}
