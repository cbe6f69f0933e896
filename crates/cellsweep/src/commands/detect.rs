//! `cellsweep coverage`, `cellsweep detect` and `cellsweep evaluate detect`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_detect::{Detection, Settings, tables};
use cellsweep_ids::CellId;
use cellsweep_query::Engine;

use crate::cli::{CoverageArgs, DetectArgs, EvaluateDetectArgs};
use crate::commands::{audit, refdata::open};
use crate::output;

pub(crate) fn coverage(args: &CoverageArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let mnc = cellsweep_ref::mnc_table(ws.conn())?;
    let facilities = tables::facilities(&ws)?;
    let f = facilities
        .iter()
        .find(|f| f.id == args.facility)
        .with_context(|| format!("no facility `{}` in the workspace", args.facility))?;
    let cells = tables::cells(&ws, &mnc)?;
    let mut cov = tables::coverage(std::slice::from_ref(f), &cells);
    cov.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.cell.cmp(&b.cell)));
    writeln!(
        out,
        "cell,share,inside_probability,consistent_timing_advance"
    )?;
    for c in &cov {
        let id = CellId::from_key(c.cell)
            .map(|c| c.to_string())
            .unwrap_or_else(|| c.cell.to_string());
        let ta = match (c.ta_ok.first(), c.ta_ok.last()) {
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => String::new(),
        };
        writeln!(out, "{id},{:.6},{:.4},{ta}", c.share, c.prob)?;
    }
    audit::record(
        &ws,
        cellsweep_store::Action::Consultation,
        &format!("facility:{}", f.id),
        None,
        vec![],
        format!("coverage: {} covering cells", cov.len()),
    )?;
    audit::done(&ws)?;
    output::note(&format!(
        "{} cells cover `{}` ({})",
        cov.len(),
        f.id,
        f.name
    ));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn detect(args: &DetectArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let conditions = match &args.conditions {
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?,
            p.display().to_string(),
        ),
        None => {
            let p = ws.root().join("conditions.toml");
            if p.exists() {
                (
                    std::fs::read_to_string(&p)
                        .with_context(|| format!("cannot read `{}`", p.display()))?,
                    p.display().to_string(),
                )
            } else {
                (
                    cellsweep_detect::conditions::DEFAULT_CONDITIONS.to_owned(),
                    "built-in".to_owned(),
                )
            }
        }
    };
    let settings = Settings {
        threshold: args.threshold,
        conditions,
        timezone: ws.config().timezone.clone(),
        ..Settings::default()
    };
    let engine = match &args.ballista {
        Some(url) => remote(url)?,
        None => Engine::local()?,
    };
    let started = std::time::Instant::now();
    let d = cellsweep_detect::run(&ws, &engine, &settings).context("detection failed")?;
    let rows = write_candidates(&args.out, &d, false)?;
    cellsweep_interdict::register_candidates(&ws, &args.out, rows)
        .context("cannot record the candidates file")?;
    if let Some(p) = &args.scores {
        write_candidates(p, &d, true)?;
    }
    audit::record(
        &ws,
        cellsweep_store::Action::Combination,
        "detection",
        None,
        vec![],
        format!(
            "detect: events combined with reference data; {} devices, {} candidates written to `{}`",
            d.devices,
            d.candidates.len(),
            args.out.display()
        ),
    )?;
    audit::done(&ws)?;
    if let Some(note) = &d.conditions_changed {
        output::warn(note);
    }
    for (name, n, total) in &d.refused {
        output::warn(&format!(
            "condition `{name}` refused: it would flag {n} of {total} device-facility pairs, more than its cap"
        ));
    }
    writeln!(
        out,
        "devices resolved    {} ({} shared IMEIs split)",
        d.devices, d.shared_imeis
    )?;
    writeln!(
        out,
        "device-facility     {} scored over {} nights",
        d.all.len(),
        d.nights_observed
    )?;
    writeln!(
        out,
        "candidates          {} at probability >= {}",
        d.candidates.len(),
        args.threshold
    )?;
    writeln!(out, "calibration         {}", d.calibration)?;
    writeln!(
        out,
        "model               {}",
        cellsweep_detect::model_description(&d.model)
    )?;
    writeln!(out, "written             {}", args.out.display())?;
    for (stage, secs) in &d.timings {
        writeln!(out, "  {stage:<22} {secs:.2} s")?;
    }
    writeln!(
        out,
        "elapsed             {:.1} s",
        started.elapsed().as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "cluster")]
fn remote(url: &str) -> anyhow::Result<Engine> {
    Ok(Engine::remote(url)?)
}

#[cfg(not(feature = "cluster"))]
fn remote(url: &str) -> anyhow::Result<Engine> {
    anyhow::bail!(
        "`--ballista {url}`: this cellsweep was built without Ballista support (cargo feature `cluster`)"
    )
}

/// Writes candidates, one row per IMEI-IMSI pairing of each candidate device; returns the rows.
pub(crate) fn write_candidates(
    path: &std::path::Path,
    d: &Detection,
    all: bool,
) -> anyhow::Result<u64> {
    let mut n = 0;
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record([
        "device_id",
        "imei",
        "imsi",
        "msisdn",
        "facility_id",
        "probability",
        "conditions",
        "explanation",
    ])?;
    let rows: Vec<&cellsweep_detect::Candidate> = if all {
        d.all.iter().collect()
    } else {
        d.candidates.iter().collect()
    };
    for c in rows {
        for (imei, imsi, msisdn) in &c.pairings {
            let opt =
                |v: &u64, f: &dyn Fn(u64) -> String| if *v == 0 { String::new() } else { f(*v) };
            w.write_record([
                c.device.as_str(),
                &opt(imei, &|v| format!("{v:014}")),
                &opt(imsi, &|v| {
                    if v >= 1_000_000_000_000_000 {
                        format!("{:014}", v - 1_000_000_000_000_000)
                    } else {
                        format!("{v:015}")
                    }
                }),
                &opt(msisdn, &|v| format!("+{v}")),
                &c.facility,
                &format!("{:.4}", c.probability),
                &c.conditions.join("|"),
                &c.explanation,
            ])?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

pub(crate) fn evaluate(args: &EvaluateDetectArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let r = cellsweep_detect::evaluate::evaluate(&args.truth, &args.candidates, args.threshold)?;
    writeln!(out, "threshold   {}", args.threshold)?;
    writeln!(out, "listed      {}", r.at.listed)?;
    writeln!(out, "precision   {:.4}", r.at.precision)?;
    writeln!(
        out,
        "recall      {:.4} (of {} contraband pairings)",
        r.at.recall, r.positives
    )?;
    writeln!(
        out,
        "officials   {} allow-listed pairings listed",
        r.officials_listed
    )?;
    writeln!(out, "false positives by true category:")?;
    if r.false_positives.is_empty() {
        writeln!(out, "  none")?;
    }
    for (cat, n) in &r.false_positives {
        writeln!(out, "  {cat:<24} {n}")?;
    }
    writeln!(out, "precision-recall curve:")?;
    writeln!(out, "  threshold  listed  precision  recall")?;
    for p in &r.curve {
        writeln!(
            out,
            "  {:>9.2}  {:>6}  {:>9.4}  {:>6.4}",
            p.threshold, p.listed, p.precision, p.recall
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
