//! Layer 3 of the command line: one module per subcommand. Each takes its resolved arguments
//! and a writer for stdout, and returns the exit status.

mod approve;
mod audit;
mod demo;
mod detect;
mod disable;
mod evidence;
mod ids;
mod ingest;
mod init;
mod lists;
mod plan;
mod quarantine;
mod refdata;
mod request;
mod retention;
mod simulate;

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{
    AuditCommand, Cli, Command, DisableCommand, IdsCommand, ListsCommand, OutcomesCommand,
    RefCommand, RequestCommand, RetentionCommand,
};
use cellsweep_interdict::requests::State;

/// Runs a parsed command line. A closed stdout (`cellsweep ... | head`) ends the command
/// quietly with success, as Unix filters do.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Demo(a) => demo::run(&a, &mut out),
        Command::Init(a) => init::run(&a),
        Command::Ref(RefCommand::Import(a)) => refdata::import(&a, &mut out),
        Command::Ref(RefCommand::Stats(a)) => refdata::stats(&a, &mut out),
        Command::Quarantine(a) => quarantine::run(&a, &mut out),
        Command::Ingest(a) => ingest::run(&a, &mut out),
        Command::Request(RequestCommand::TowerDump(a)) => request::tower_dump(&a, &mut out),
        Command::Request(RequestCommand::Traffic(a)) => request::traffic(&a, &mut out),
        Command::Ids(IdsCommand::Check(a)) => ids::check(&a, &mut out),
        Command::Simulate(a) => simulate::run(&a, &mut out),
        Command::Coverage(a) => detect::coverage(&a, &mut out),
        Command::Detect(a) => detect::detect(&a, &mut out),
        Command::Evaluate(crate::cli::EvaluateCommand::Detect(a)) => detect::evaluate(&a, &mut out),
        Command::Evaluate(crate::cli::EvaluateCommand::Plan(a)) => plan::evaluate(&a, &mut out),
        Command::Locate(a) => plan::locate(&a, &mut out),
        Command::Plan(a) => plan::plan(&a, &mut out),
        Command::Outcomes(OutcomesCommand::Record(a)) => plan::record(&a, &mut out),
        Command::PlaySearches(a) => plan::play(&a, &mut out),
        Command::Approve(a) => approve::run(&a, &mut out),
        Command::Lists(ListsCommand::Generate(a)) => lists::generate(&a, &mut out),
        Command::Disable(DisableCommand::Create(a)) => disable::create(&a, &mut out),
        Command::Disable(DisableCommand::Ack(a)) => {
            disable::transition(&a, State::Acknowledged, &mut out)
        }
        Command::Disable(DisableCommand::Confirm(a)) => {
            disable::transition(&a, State::Confirmed, &mut out)
        }
        Command::Disable(DisableCommand::Reject(a)) => {
            disable::transition(&a, State::Rejected, &mut out)
        }
        Command::Disable(DisableCommand::Reverse(a)) => {
            disable::transition(&a, State::Reversed, &mut out)
        }
        Command::Disable(DisableCommand::Status(a)) => disable::status(&a, &mut out),
        Command::Evidence(a) => evidence::run(&a, &mut out),
        Command::Audit(AuditCommand::Verify(a)) => audit::verify(&a, &mut out),
        Command::Audit(AuditCommand::Log(a)) => audit::log(&a, &mut out),
        Command::Retention(RetentionCommand::Show(a)) => retention::show(&a, &mut out),
        Command::Retention(RetentionCommand::Set(a)) => retention::set(&a, &mut out),
        Command::Retention(RetentionCommand::Apply(a)) => retention::apply(&a, &mut out),
    };
    let result = result.and_then(|code| out.flush().map(|()| code).map_err(Into::into));
    match result {
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
