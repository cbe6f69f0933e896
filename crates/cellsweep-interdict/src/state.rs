//! Reads what the list rules start from out of the catalog: the allow list, the approved
//! pairings in force, and the devices reversed on appeal.
//!
//! Pairings in force are those of the latest approval, plus, from earlier approvals, those
//! whose IMEI is on the previous generation's blacklist: a blocked phone stops being seen
//! *because* it is blocked, and must not come back to life when a later detection run no
//! longer lists it. Only an appeal (reversal) or the allow list lifts a block.

use std::collections::{BTreeSet, HashSet};

use cellsweep_ids::MncTable;
use cellsweep_store::Workspace;

use crate::Error;
use crate::lists::{Allow, Inputs, Pairing};
use crate::util::{home_operator, parse_date};

/// The allow list, with home operators.
pub(crate) fn allow_list(ws: &Workspace, mnc: &MncTable) -> Result<Vec<Allow>, Error> {
    let mut stmt = ws
        .conn()
        .prepare("SELECT imei, imsi, msisdn, valid_from, valid_to FROM allowlist")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (imei, imsi, msisdn, from, to) = r?;
        out.push(Allow {
            operator: imsi.as_deref().and_then(|i| home_operator(i, mnc)),
            imei,
            imsi,
            msisdn,
            valid_from: parse_date("allow-list valid_from", &from)?,
            valid_to: to
                .map(|t| parse_date("allow-list valid_to", &t))
                .transpose()?,
        });
    }
    Ok(out)
}

/// The latest approval's id, if any.
pub(crate) fn latest_approval(ws: &Workspace) -> Result<Option<i64>, Error> {
    Ok(ws
        .conn()
        .query_row("SELECT max(id) FROM approvals", [], |r| r.get(0))?)
}

/// Devices whose disable was reversed on appeal (in any request).
pub(crate) fn reversed_devices(ws: &Workspace) -> Result<HashSet<String>, Error> {
    let mut stmt = ws
        .conn()
        .prepare("SELECT DISTINCT device_id FROM disable_devices WHERE state = 'reversed'")?;
    let out = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(out)
}

/// IMEIs on a generation's blacklist.
pub(crate) fn blacklisted(ws: &Workspace, generation: i64) -> Result<BTreeSet<String>, Error> {
    let mut stmt = ws
        .conn()
        .prepare("SELECT imei FROM list_entries WHERE generation = ?1 AND list = 'blacklist'")?;
    let out = stmt
        .query_map([generation], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(out)
}

/// The rules' inputs: pairings in force, the allow list, reversed devices.
pub(crate) fn inputs(
    ws: &Workspace,
    mnc: &MncTable,
    previous: Option<i64>,
) -> Result<(Inputs, Option<i64>), Error> {
    let approval = latest_approval(ws)?;
    let sticky = match previous {
        Some(g) => blacklisted(ws, g)?,
        None => BTreeSet::new(),
    };
    let mut stmt = ws.conn().prepare(
        "SELECT approval_id, device_id, imei, imsi, msisdn, conditions, block_date
         FROM approved_pairings ORDER BY approval_id, line",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut pairings = BTreeSet::new();
    for r in rows {
        let (id, device, imei, imsi, msisdn, conditions, block) = r?;
        let in_force = Some(id) == approval || imei.as_deref().is_some_and(|i| sticky.contains(i));
        if !in_force {
            continue;
        }
        pairings.insert(Pairing {
            device,
            operator: imsi.as_deref().and_then(|i| home_operator(i, mnc)),
            imei,
            imsi,
            msisdn,
            conditions: conditions
                .split('|')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            block_date: parse_date("stored block date", &block)?,
        });
    }
    Ok((
        Inputs {
            pairings: pairings.into_iter().collect(),
            allow: allow_list(ws, mnc)?,
            reversed: reversed_devices(ws)?,
        },
        approval,
    ))
}
