//! `cellsweep locate`, `cellsweep plan`, `cellsweep outcomes record`,
//! `cellsweep play-searches` and `cellsweep evaluate plan`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_plan::evaluate::{read_layout, read_plan, read_truth};
use cellsweep_plan::{Budget, Load, Params};
use cellsweep_query::Engine;

use crate::cli::{
    BudgetArgs, EvaluatePlanArgs, LocateArgs, OutcomesRecordArgs, PlanArgs, PlaySearchesArgs,
    SearchModelArgs,
};
use crate::commands::{audit, refdata::open};
use crate::output;
use cellsweep_store::Action;

fn params(m: &SearchModelArgs) -> anyhow::Result<Params> {
    for (name, v) in [
        ("--p-detect", m.p_detect),
        ("--p-detect-mini", m.p_detect_mini),
    ] {
        anyhow::ensure!(
            v > 0.0 && v <= 1.0,
            "{name} {v}: a detection probability is in (0, 1]"
        );
    }
    let evidence = cellsweep_plan::Evidence::parse(&m.evidence)
        .map_err(|e| anyhow::anyhow!("--evidence: {e}"))?;
    Ok(Params {
        p_detect: m.p_detect,
        p_detect_mini: m.p_detect_mini,
        evidence,
        ..Params::default()
    })
}

fn budget(b: &BudgetArgs) -> anyhow::Result<Budget> {
    anyhow::ensure!(b.max_facilities > 0, "--max-facilities must be at least 1");
    anyhow::ensure!(b.team_capacity > 0, "--team-capacity must be at least 1");
    anyhow::ensure!(b.max_per_cell > 0, "--max-per-cell must be at least 1");
    Ok(Budget {
        searches: b.budget,
        max_facilities: b.max_facilities,
        per_facility_per_day: b.team_capacity,
        days: b.days.max(1),
        max_per_cell: b.max_per_cell,
    })
}

pub(crate) fn locate(args: &LocateArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let p = params(&args.model)?;
    let engine = Engine::local()?;
    let inputs = cellsweep_plan::load(
        &ws,
        &engine,
        Load {
            min_probability: 0.0,
            ..Load::default()
        },
    )?;
    let Some(di) = inputs.devices.iter().position(|d| d.id == args.device) else {
        anyhow::bail!(
            "no device `{}` among the last detection run's scored devices (ids as in candidates.csv)",
            args.device
        );
    };
    let d = &inputs.devices[di];
    if d.seized {
        writeln!(
            out,
            "device {} was seized in a recorded search: it is no longer located",
            d.id
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let locs = cellsweep_plan::locate_all(&inputs, &p);
    let Some(loc) = locs.iter().find(|l| l.device == di) else {
        anyhow::bail!(
            "facility `{}` of device `{}` has no prison cells in its layout: it can only be searched as a whole",
            d.facility,
            d.id
        );
    };
    let layout = &inputs.layouts[loc.layout];
    audit::record(
        &ws,
        Action::Consultation,
        &format!("device {}", d.id),
        None,
        vec![],
        "locate: the device's events combined with prison records, RF logs and searches".into(),
    )?;
    audit::done(&ws)?;
    writeln!(
        out,
        "device {} in facility {} (probability {:.3}{})",
        d.id,
        d.facility,
        d.probability,
        if d.mini { ", mini phone" } else { "" }
    )?;
    writeln!(out, "{}", loc.words(layout))?;
    writeln!(out, "\nzones:")?;
    let mut zones: Vec<(usize, f64)> = loc.zones.iter().copied().enumerate().collect();
    zones.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (z, pz) in zones.iter().filter(|z| z.1 >= 0.01) {
        writeln!(out, "  {:<10} {pz:.3}", layout.zones[*z].id)?;
    }
    writeln!(out, "cells:")?;
    let mut cells: Vec<(usize, f64)> = loc.cells.iter().copied().enumerate().collect();
    cells.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (c, pc) in cells.iter().take(args.top) {
        let cell = &layout.cells[*c];
        writeln!(
            out,
            "  {:<10} {pc:.3}  (zone {})",
            cell.no, layout.zones[cell.zone].id
        )?;
    }
    writeln!(out, "\nwhy:")?;
    for r in &loc.reasons {
        writeln!(out, "  - {r}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn plan(args: &PlanArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let p = params(&args.model)?;
    let b = budget(&args.budget)?;
    let engine = Engine::local()?;
    let t0 = std::time::Instant::now();
    let inputs = cellsweep_plan::load(
        &ws,
        &engine,
        Load {
            min_probability: args.min_probability,
            ..Load::default()
        },
    )?;
    let locs = cellsweep_plan::locate_all(&inputs, &p);
    let plan = cellsweep_plan::plan(&inputs, &locs, &p, &b);
    cellsweep_plan::planner::write_csv(&args.out, &plan)?;
    if let Some(path) = &args.locations {
        write_locations(path, &inputs, &locs)?;
    }
    audit::record(
        &ws,
        Action::Combination,
        "search plan",
        None,
        vec![],
        format!(
            "plan: {} candidates located from events, prison records, RF logs and searches; plan written to `{}`",
            locs.len(),
            args.out.display()
        ),
    )?;
    audit::done(&ws)?;
    let seized = inputs.devices.iter().filter(|d| d.seized).count();
    writeln!(
        out,
        "candidates          {} located ({} seized already, not planned)",
        locs.len(),
        seized
    )?;
    if !inputs.skipped.is_empty() {
        output::warn(&format!(
            "{} facilities have no prison cells in their layout and are not planned: {}",
            inputs.skipped.len(),
            inputs.skipped.join(", ")
        ));
    }
    writeln!(
        out,
        "plan                {} searches in {} facilities ({} rows), expected finds {:.1} of {:.1} expected phones there",
        plan.searches,
        plan.facilities,
        plan.rows.len(),
        plan.expected_finds,
        plan.expected_phones
    )?;
    writeln!(out, "plan day            {}", inputs.plan_day)?;
    writeln!(out, "written             {}", args.out.display())?;
    writeln!(
        out,
        "elapsed             {:.1} s",
        t0.elapsed().as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn write_locations(
    path: &std::path::Path,
    inputs: &cellsweep_plan::Inputs,
    locs: &[cellsweep_plan::Location],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    w.write_record([
        "device_id",
        "facility_id",
        "probability",
        "zone_id",
        "zone_probability",
        "cell_no",
        "cell_probability",
        "user",
        "user_probability",
    ])?;
    let best = cellsweep_plan::locate::argmax;
    for l in locs {
        let d = &inputs.devices[l.device];
        let layout = &inputs.layouts[l.layout];
        let (z, pz) = best(&l.zones);
        let (c, pc) = best(&l.cells);
        let (user, pu) = l
            .users
            .first()
            .map(|u| (u.0.as_str(), format!("{:.4}", u.1)))
            .unwrap_or(("", String::new()));
        w.write_record([
            d.id.as_str(),
            d.facility.as_str(),
            &format!("{:.4}", d.probability),
            layout.zones[z].id.as_str(),
            &format!("{pz:.4}"),
            layout.cells[c].no.as_str(),
            &format!("{pc:.4}"),
            user,
            &pu,
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub(crate) fn record(args: &OutcomesRecordArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.workspace)?;
    let region =
        crate::settings::region(&crate::cli::RegionArg { region: None }, Some(ws.config()))?;
    let req = cellsweep_ref::ImportRequest {
        kind: cellsweep_ref::Kind::Searches,
        path: args.file.clone(),
        format: None,
        request_ref: args.plan_ref.clone(),
        replace: false,
        region,
    };
    let added = cellsweep_ref::import_searches(&mut ws, &req)
        .with_context(|| format!("cannot record outcomes from `{}`", args.file.display()))?;
    let (searches, seizures) = (added.searches.len(), added.seizures.len());
    crate::commands::refdata::report(&ws, &req, added.outcome, out)?;
    audit::record(
        &ws,
        Action::Collection,
        "search outcomes",
        args.plan_ref.as_deref(),
        vec![],
        format!(
            "outcomes record: `{}`: {searches} searches, {seizures} seizures",
            args.file.display()
        ),
    )?;
    audit::done(&ws)?;
    if searches == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let empty: i64 = ws.conn().query_row(
        &format!(
            "SELECT count(*) FROM searches WHERE found = 0 AND id IN ({})",
            added
                .searches
                .iter()
                .map(|s| format!("'{}'", s.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(",")
        ),
        [],
        |r| r.get(0),
    )?;
    writeln!(
        out,
        "outcomes            {searches} searches: {seizures} devices seized, {empty} searches found nothing"
    )?;
    // What the seizures confirm, against the last detection run.
    let engine = Engine::local()?;
    match cellsweep_plan::load(
        &ws,
        &engine,
        Load {
            min_probability: 0.0,
            ..Load::default()
        },
    ) {
        Ok(inputs) => {
            let confirmed: Vec<_> = inputs.devices.iter().filter(|d| d.seized).collect();
            writeln!(
                out,
                "beliefs             {} scored devices are now confirmed seized and leave the plans; {} unsuccessful searches lower their places' probabilities",
                confirmed.len(),
                empty
            )?;
            for d in confirmed.iter().take(10) {
                writeln!(
                    out,
                    "  seized: device {} in {} (detection probability {:.2})",
                    d.id, d.facility, d.probability
                )?;
            }
            writeln!(
                out,
                "next                `cellsweep detect` recalibrates on the seizures; `cellsweep plan` plans with the new beliefs"
            )?;
        }
        Err(e) => output::note(&format!("beliefs are updated at the next plan ({e})")),
    }
    Ok(ExitCode::SUCCESS)
}

/// A plan's rows as the simulated search teams take them.
pub(crate) fn to_play(rows: &[cellsweep_plan::PlanRow]) -> Vec<cellsweep_sim::play::Planned> {
    rows.iter()
        .map(|r| cellsweep_sim::play::Planned {
            facility: r.facility_id.clone(),
            zone: r.zone_id.clone(),
            cell: r.cell_no.clone(),
            searches: r.searches,
        })
        .collect()
}

pub(crate) fn play(args: &PlaySearchesArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let p = params(&args.model)?;
    let date: jiff::civil::Date = args
        .date
        .parse()
        .with_context(|| format!("--date `{}`: expected YYYY-MM-DD", args.date))?;
    let planned = to_play(&read_plan(&args.plan)?);
    let earlier: Vec<&std::path::Path> = args.after.iter().map(|p| p.as_path()).collect();
    let played = cellsweep_sim::play::play(
        &args.sim,
        &planned,
        &cellsweep_sim::play::Play {
            p_detect: p.p_detect,
            p_detect_mini: p.p_detect_mini,
            seed: args.seed,
            round: args.round,
            date: date.to_string(),
        },
        &earlier,
    )?;
    std::fs::write(&args.out, &played.csv)
        .with_context(|| format!("cannot write `{}`", args.out.display()))?;
    writeln!(
        out,
        "round {}: {} searches, {} phones found; outcomes in {}",
        args.round,
        played.searches,
        played.found,
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn evaluate(args: &EvaluatePlanArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.p_detect > 0.0 && args.p_detect <= 1.0,
        "--p-detect {}: a detection probability is in (0, 1]",
        args.p_detect
    );
    let b = budget(&args.budget)?;
    let layout_path = match &args.layout {
        Some(p) => p.clone(),
        None => args
            .truth
            .parent()
            .and_then(|t| t.parent())
            .map(|d| d.join("reference").join("facilities.geojson"))
            .context("cannot find the simulation's reference/facilities.geojson: pass --layout")?,
    };
    let layout = read_layout(&layout_path)?;
    let hidden = read_truth(&args.truth)?;
    let rows = read_plan(&args.plan)?;
    let r = cellsweep_plan::evaluate::evaluate(&layout, &hidden, &rows, args.p_detect, &b);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    writeln!(
        out,
        "phones hidden       {} in {} prison cells",
        r.phones, r.cells
    )?;
    writeln!(out, "searches            {}", r.searches)?;
    writeln!(out, "p_detect            {}", args.p_detect)?;
    writeln!(out, "plan expected       {:.2}", r.plan)?;
    writeln!(out, "random expected     {:.2}", r.random)?;
    writeln!(out, "oracle expected     {:.2}", r.oracle)?;
    writeln!(out, "plan / random       {:.2}", ratio(r.plan, r.random))?;
    writeln!(out, "plan / oracle       {:.2}", ratio(r.plan, r.oracle))?;
    Ok(ExitCode::SUCCESS)
}
