//! `cellsweep simulate`: a synthetic nation with ground truth.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use cellsweep_sim::Scenario;

use crate::cli::SimulateArgs;
use crate::output;

pub(crate) fn run(args: &SimulateArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&args.scenario).context("cannot load the scenario")?;
    output::note(&format!(
        "simulating `{}` ({} facilities, {} days, seed {}) into `{}`",
        scenario.name,
        scenario.facilities.count,
        scenario.days,
        args.seed,
        args.out.display()
    ));
    let started = Instant::now();
    let r =
        cellsweep_sim::simulate(&scenario, args.seed, &args.out).context("simulation failed")?;
    let secs = started.elapsed().as_secs_f64();
    writeln!(out, "facilities        {}", r.facilities)?;
    writeln!(
        out,
        "handsets          {} ({} contraband)",
        r.handsets, r.contraband
    )?;
    writeln!(
        out,
        "events            {} ({:.1} M/s)",
        r.events,
        r.events as f64 / secs / 1e6
    )?;
    writeln!(out, "tower-dump rows   {}", r.tower_rows)?;
    writeln!(out, "traffic rows      {}", r.traffic_rows)?;
    writeln!(out, "delivery files    {}", r.files)?;
    writeln!(out, "elapsed           {secs:.1} s")?;
    Ok(ExitCode::SUCCESS)
}
