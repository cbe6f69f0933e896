//! `cellsweep ids check VALUE...`: type, canonical form and decoded parts of each value.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cellsweep_ids::{
    CellId, DetectContext, Error as IdError, Identifier, MncTable, Plmn, detect_or_explain,
};
use cellsweep_store::Workspace;
use cellsweep_store::rusqlite::Connection;

use crate::cli::IdsCheckArgs;
use crate::commands::refdata::open;
use crate::settings;

pub(crate) fn check(args: &IdsCheckArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ws = args.workspace.as_deref().map(open).transpose()?;
    let region = settings::region(&args.region, ws.as_ref().map(Workspace::config))?;
    let mnc_table = match &ws {
        Some(ws) => cellsweep_ref::mnc_table(ws.conn()).context("cannot read operator codes")?,
        None => MncTable::builtin(),
    };
    let ctx = DetectContext { mnc_table, region };
    let conn = ws.as_ref().map(Workspace::conn);
    let mut invalid = 0;
    for value in &args.values {
        if !check_one(value, &ctx, conn, out)? {
            invalid += 1;
        }
    }
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_INVALID)
    })
}

/// Prints one value's interpretations; returns whether any was valid.
pub(crate) fn check_one(
    value: &str,
    ctx: &DetectContext,
    conn: Option<&Connection>,
    out: &mut dyn Write,
) -> anyhow::Result<bool> {
    writeln!(out, "{value}")?;
    match detect_or_explain(value, ctx) {
        Ok(ids) => {
            for (i, id) in ids.iter().enumerate() {
                let lead = if i == 0 { "  " } else { "  or " };
                writeln!(out, "{lead}{id}")?;
                for line in describe(id, conn)? {
                    writeln!(out, "{}    {line}", if i == 0 { "" } else { "   " })?;
                }
            }
            Ok(true)
        }
        Err(IdError::Unrecognised { attempts, .. }) if !attempts.is_empty() => {
            writeln!(out, "  invalid: not a valid identifier of any kind")?;
            for e in attempts {
                writeln!(out, "    {e}")?;
            }
            Ok(false)
        }
        Err(e) => {
            writeln!(out, "  invalid: {e}")?;
            Ok(false)
        }
    }
}

/// Decoded parts of an identifier, one fact per line.
fn describe(id: &Identifier, conn: Option<&Connection>) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    match id {
        Identifier::Imei(imei) => imei_lines(*imei, conn, &mut lines)?,
        Identifier::Imeisv(sv) => {
            lines.push(format!("software version {:02}", sv.svn()));
            imei_lines(sv.imei(), conn, &mut lines)?;
        }
        Identifier::Imsi(imsi) => {
            lines.push(format!(
                "mcc {} mnc {} msin {}",
                imsi.mcc(),
                imsi.mnc(),
                imsi.msin()
            ));
            lines.push(operator_line(imsi.plmn(), conn)?);
        }
        Identifier::Msisdn(m) => {
            lines.push(format!(
                "country code +{}, national number {}",
                m.country_code(),
                m.national_number()
            ));
        }
        Identifier::Cell(cell) => {
            match cell {
                CellId::Cgi { lac, ci, .. } => lines.push(format!("cgi: lac {lac} (0x{lac:04x}), ci {ci} (0x{ci:04x})")),
                CellId::Sai { lac, sac, .. } => lines.push(format!("sai: lac {lac} (0x{lac:04x}), sac {sac} (0x{sac:04x})")),
                CellId::Ecgi { eci, .. } => lines.push(format!(
                    "ecgi: eci {eci} = eNB {} + cell {}",
                    cell.enb_id().unwrap_or_default(),
                    cell.local_cell_id().unwrap_or_default()
                )),
                CellId::Ncgi { nci, .. } => lines.push(format!(
                    "ncgi: nci {nci} (gNB id length is not in the identifier; with 24 bits: gNB {} + cell {})",
                    cell.gnb_id(24).unwrap_or_default(),
                    cell.nr_local_cell_id(24).unwrap_or_default()
                )),
            }
            lines.push(operator_line(cell.plmn(), conn)?);
        }
    }
    Ok(lines)
}

fn imei_lines(
    imei: cellsweep_ids::Imei,
    conn: Option<&Connection>,
    lines: &mut Vec<String>,
) -> anyhow::Result<()> {
    lines.push(format!(
        "tac {}, serial {:06}, check digit {} (15-digit form {})",
        imei.tac(),
        imei.serial(),
        imei.check_digit(),
        imei.to_string_with_check_digit()
    ));
    if let Some(conn) = conn {
        match cellsweep_ref::tac_info(conn, imei.tac()).context("cannot read the TAC tables")? {
            Some(info) => {
                let mut s = format!(
                    "model: {} {}",
                    info.brand.as_deref().unwrap_or("?"),
                    info.model.as_deref().unwrap_or("?")
                );
                if let Some(ff) = &info.form_factor {
                    s.push_str(&format!(", form factor {ff}"));
                }
                if info.contraband {
                    s.push_str(", known contraband model");
                }
                lines.push(s);
            }
            None => lines.push(format!(
                "model: tac {} is not in the workspace's TAC tables",
                imei.tac()
            )),
        }
    }
    Ok(())
}

fn operator_line(plmn: Plmn, conn: Option<&Connection>) -> anyhow::Result<String> {
    Ok(match conn {
        Some(conn) => {
            match cellsweep_ref::operator_name(conn, plmn).context("cannot read operator codes")? {
                Some(name) => format!("operator {plmn}: {name}"),
                None => format!("operator {plmn}: not in the workspace's operator codes"),
            }
        }
        None => format!("operator {plmn} (pass --workspace to name it)"),
    })
}
