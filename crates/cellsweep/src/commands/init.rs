//! `cellsweep init DIR`.

use std::process::ExitCode;

use anyhow::Context;
use cellsweep_store::Workspace;

use crate::cli::InitArgs;
use crate::output;

pub(crate) fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let ws = Workspace::init(&args.dir)
        .with_context(|| format!("cannot create a workspace in `{}`", args.dir.display()))?;
    output::note(&format!(
        "created workspace `{}` (format {}, region {})",
        ws.root().display(),
        ws.config().format,
        ws.config().region
    ));
    output::hint(&format!(
        "next: `cellsweep ref import {} --kind facilities FILE`",
        ws.root().display()
    ));
    Ok(ExitCode::SUCCESS)
}
