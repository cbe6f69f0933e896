//! `cellsweep disable`: requests to operators to disable devices, their answers, appeals.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_interdict::requests::{self, NewRequest, State};

use crate::cli::{DisableCreateArgs, DisableMoveArgs, DisableStatusArgs};
use crate::commands::{audit, refdata::open};
use crate::{output, settings};

pub(crate) fn create(args: &DisableCreateArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let req = NewRequest {
        reference: args.reference.clone(),
        operator: args.operator.clone(),
        facility: args.facility.clone(),
        legal_basis: args.legal_basis.clone(),
        deadline: cellsweep_interdict::parse_date("`--deadline`", &args.deadline)?,
        by: settings::actor(args.by.as_deref()),
        devices: args.devices.clone(),
    };
    let doc = requests::create(&ws, &req).context("cannot create the disable request")?;
    audit::done(&ws)?;
    let json = serde_json::to_string_pretty(&doc)?;
    match &args.out {
        Some(p) => {
            std::fs::write(p, format!("{json}\n"))
                .with_context(|| format!("cannot write `{}`", p.display()))?;
            output::note(&format!(
                "request `{}` to {}: {} devices, written to `{}`",
                doc.reference,
                doc.operator,
                doc.devices.len(),
                p.display()
            ));
        }
        None => writeln!(out, "{json}")?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn transition(
    args: &DisableMoveArgs,
    to: State,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let by = settings::actor(args.actor.by.as_deref());
    let applied = requests::transition(
        &ws,
        &args.reference,
        &args.devices,
        to,
        &by,
        args.actor.reason.as_deref(),
    )
    .with_context(|| format!("cannot record `{to}` for request `{}`", args.reference))?;
    audit::done(&ws)?;
    for a in &applied {
        writeln!(out, "{}\t{} -> {}", a.device, a.from, a.to)?;
    }
    output::note(&format!(
        "{} devices of request `{}` are now `{to}`",
        applied.len(),
        args.reference
    ));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn status(args: &DisableStatusArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = open(&args.workspace)?;
    let (device, reference) = (args.device.as_deref(), args.reference.as_deref());
    let mut w = csv::Writer::from_writer(out);
    if args.history {
        w.write_record(["reference", "device_id", "from", "to", "at", "by", "reason"])?;
        for t in requests::history(&ws, device, reference)? {
            w.write_record([
                t.reference.as_str(),
                &t.device,
                t.from.as_deref().unwrap_or(""),
                &t.to,
                &t.at,
                &t.by,
                t.reason.as_deref().unwrap_or(""),
            ])?;
        }
    } else {
        w.write_record([
            "reference",
            "operator",
            "facility_id",
            "device_id",
            "imei",
            "state",
            "reason",
            "deadline",
            "updated_at",
        ])?;
        for s in requests::status(&ws, device, reference)? {
            w.write_record([
                s.reference.as_str(),
                &s.operator,
                &s.facility,
                &s.device,
                &s.imeis,
                s.state.as_str(),
                s.reason.as_deref().unwrap_or(""),
                &s.deadline,
                &s.updated_at,
            ])?;
        }
    }
    w.flush()?;
    audit::record(
        &ws,
        cellsweep_store::Action::Consultation,
        &format!("requests:{}", reference.or(device).unwrap_or("all")),
        None,
        vec![],
        "disable status".into(),
    )?;
    audit::done(&ws)?;
    Ok(ExitCode::SUCCESS)
}
