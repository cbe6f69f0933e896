//! Disable requests to operators: one request per (operator, facility) with its devices,
//! identifiers, evidence summary, legal basis, reference and deadline; then each device's
//! state through the operator's answers and appeals.
//!
//! ```text
//!             acknowledge            confirm
//! requested ─────────────► acknowledged ─────► confirmed ──reverse (appeal, reason)──► reversed
//!     │  └──────────── confirm ──────────────────▲
//!     └── reject (reason) ──► rejected ◄── reject (reason) ── acknowledged
//! ```
//!
//! Every transition is stored with who, when and why (`disable_transitions`) and audited.
//! A reversed device is dropped from the next block-list generation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use cellsweep_store::rusqlite::{OptionalExtension, params};
use cellsweep_store::{Action, AuditEntry, Workspace};
use jiff::civil::Date;
use serde::Serialize;

use crate::util::{home_operator, now, require};
use crate::{Error, state};

/// A device's state in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Sent, not yet answered.
    Requested,
    /// The operator acknowledged the request.
    Acknowledged,
    /// The operator confirmed the disable.
    Confirmed,
    /// The operator refused, with reasons.
    Rejected,
    /// Lifted on appeal, with its reason.
    Reversed,
}

impl State {
    /// Every state.
    pub const ALL: [State; 5] = [
        State::Requested,
        State::Acknowledged,
        State::Confirmed,
        State::Rejected,
        State::Reversed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Requested => "requested",
            State::Acknowledged => "acknowledged",
            State::Confirmed => "confirmed",
            State::Rejected => "rejected",
            State::Reversed => "reversed",
        }
    }

    fn parse(s: &str) -> Result<State, Error> {
        State::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| Error::Internal(format!("unknown stored state `{s}`")))
    }

    /// States reachable in one step.
    pub fn next(self) -> &'static [State] {
        match self {
            State::Requested => &[State::Acknowledged, State::Confirmed, State::Rejected],
            State::Acknowledged => &[State::Confirmed, State::Rejected],
            State::Confirmed => &[State::Reversed],
            State::Rejected | State::Reversed => &[],
        }
    }

    /// Whether the state still asks the operator to act or keeps the device disabled.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            State::Requested | State::Acknowledged | State::Confirmed
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a new request says.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// Unique reference (the prosecutor's or the unit's).
    pub reference: String,
    /// The operator (PLMN, `208-01`).
    pub operator: String,
    /// The facility.
    pub facility: String,
    /// The legal basis (article, order).
    pub legal_basis: String,
    /// The day by which the operator must answer.
    pub deadline: Date,
    /// Who sends it.
    pub by: String,
    /// Devices to include; empty: every approved device of the facility routed to the operator
    /// that no active request to that operator already covers.
    pub devices: Vec<String>,
}

/// One device of a request, as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestDevice {
    /// Device id.
    pub device: String,
    /// Its IMEIs.
    pub imeis: Vec<String>,
    /// Its IMSIs of this operator.
    pub imsis: Vec<String>,
    /// Their numbers.
    pub msisdns: Vec<String>,
    /// Probability of the approved detection.
    pub probability: f64,
    /// Conditions.
    pub conditions: Vec<String>,
    /// Evidence in words.
    pub evidence: String,
}

/// The request document sent to the operator (JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestDoc {
    /// Reference.
    pub reference: String,
    /// Operator.
    pub operator: String,
    /// Facility id.
    pub facility: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Deadline, `YYYY-MM-DD`.
    pub deadline: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Sender.
    pub created_by: String,
    /// The approval it rests on.
    pub approval: i64,
    /// Evidence summary in words.
    pub evidence_summary: String,
    /// Devices.
    pub devices: Vec<RequestDevice>,
}

/// Creates a request; every device starts `requested`.
pub fn create(ws: &Workspace, req: &NewRequest) -> Result<RequestDoc, Error> {
    require("`--by`", &req.by)?;
    require("`--reference`", &req.reference)?;
    require("`--legal-basis`", &req.legal_basis)?;
    let exists: bool = ws.conn().query_row(
        "SELECT count(*) > 0 FROM disable_requests WHERE reference = ?1",
        [&req.reference],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Error::DuplicateRequest(req.reference.clone()));
    }
    let approval = state::latest_approval(ws)?.ok_or_else(|| {
        Error::Missing("nothing is approved: run `cellsweep approve` first".into())
    })?;
    let mnc = cellsweep_ref::mnc_table(ws.conn())?;
    let allow = state::allow_list(ws, &mnc)?;
    let today = crate::util::today();
    let touches = |imei: &Option<String>, imsi: &Option<String>, msisdn: &Option<String>| {
        allow.iter().filter(|a| a.valid_on(today)).any(|a| {
            (a.imei.is_some() && a.imei == *imei)
                || (a.imsi.is_some() && a.imsi == *imsi)
                || (a.msisdn.is_some() && a.msisdn == *msisdn)
        })
    };
    let reversed = state::reversed_devices(ws)?;
    let active: BTreeSet<String> = {
        let mut stmt = ws.conn().prepare(
            "SELECT d.device_id FROM disable_devices d JOIN disable_requests r USING (reference)
             WHERE r.operator = ?1 AND d.state IN ('requested', 'acknowledged', 'confirmed')",
        )?;
        stmt.query_map([&req.operator], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    let mut eligible: BTreeMap<String, RequestDevice> = BTreeMap::new();
    let mut stmt = ws.conn().prepare(
        "SELECT device_id, imei, imsi, msisdn, probability, conditions, explanation
         FROM approved_pairings WHERE approval_id = ?1 AND facility_id = ?2 ORDER BY line",
    )?;
    let rows = stmt.query_map(params![approval, req.facility], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, f64>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    for r in rows {
        let (device, imei, imsi, msisdn, p, conds, expl) = r?;
        if reversed.contains(&device) || touches(&imei, &imsi, &msisdn) {
            continue;
        }
        let routed = imsi
            .as_deref()
            .and_then(|i| home_operator(i, &mnc))
            .is_some_and(|op| op == req.operator);
        if !routed {
            continue;
        }
        let e = eligible
            .entry(device.clone())
            .or_insert_with(|| RequestDevice {
                device,
                imeis: vec![],
                imsis: vec![],
                msisdns: vec![],
                probability: p,
                conditions: conds
                    .split('|')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
                evidence: expl,
            });
        for (list, v) in [
            (&mut e.imeis, imei),
            (&mut e.imsis, imsi),
            (&mut e.msisdns, msisdn),
        ] {
            if let Some(v) = v
                && !list.contains(&v)
            {
                list.push(v);
            }
        }
    }
    let devices: Vec<RequestDevice> = if req.devices.is_empty() {
        eligible
            .into_values()
            .filter(|d| !active.contains(&d.device))
            .collect()
    } else {
        let mut out = Vec::new();
        for d in &req.devices {
            if active.contains(d) {
                return Err(Error::Invalid(format!(
                    "device `{d}` is already in an active request to `{}`",
                    req.operator
                )));
            }
            out.push(eligible.remove(d).ok_or_else(|| {
                Error::Invalid(format!(
                    "device `{d}` is not an approved device of facility `{}` with a SIM of operator `{}` (approval {approval})",
                    req.facility, req.operator
                ))
            })?);
        }
        out
    };
    if devices.is_empty() {
        return Err(Error::Missing(format!(
            "no approved device of facility `{}` has a SIM of operator `{}` that is not already requested",
            req.facility, req.operator
        )));
    }
    let summary = format!(
        "{} devices detected inside facility {} (approval {approval}); probabilities {:.2} to {:.2}; conditions: {}",
        devices.len(),
        req.facility,
        devices
            .iter()
            .map(|d| d.probability)
            .fold(f64::INFINITY, f64::min),
        devices.iter().map(|d| d.probability).fold(0.0, f64::max),
        devices
            .iter()
            .flat_map(|d| d.conditions.iter().map(String::as_str))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ")
    );
    let doc = RequestDoc {
        reference: req.reference.clone(),
        operator: req.operator.clone(),
        facility: req.facility.clone(),
        legal_basis: req.legal_basis.clone(),
        deadline: req.deadline.to_string(),
        created_at: now(),
        created_by: req.by.clone(),
        approval,
        evidence_summary: summary,
        devices,
    };
    let tx = ws.conn().unchecked_transaction()?;
    tx.execute(
        "INSERT INTO disable_requests (reference, operator, facility_id, legal_basis, deadline,
             created_at, created_by, evidence, approval_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            doc.reference,
            doc.operator,
            doc.facility,
            doc.legal_basis,
            doc.deadline,
            doc.created_at,
            doc.created_by,
            doc.evidence_summary,
            approval
        ],
    )?;
    for d in &doc.devices {
        tx.execute(
            "INSERT INTO disable_devices (reference, device_id, imei, imsi, msisdn, state, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'requested', ?6)",
            params![
                doc.reference,
                d.device,
                d.imeis.join(";"),
                d.imsis.join(";"),
                d.msisdns.join(";"),
                doc.created_at
            ],
        )?;
        record(
            &tx,
            &doc.reference,
            &d.device,
            None,
            State::Requested,
            &req.by,
            None,
        )?;
    }
    ws.audit(&AuditEntry {
        actor: req.by.clone(),
        action: Action::Disclosure,
        object: format!("request:{}", doc.reference),
        justification: format!("{}: {}", doc.reference, doc.legal_basis),
        recipients: vec![doc.operator.clone()],
        detail: format!(
            "disable create: {} devices of facility {} sent to {} (deadline {})",
            doc.devices.len(),
            doc.facility,
            doc.operator,
            doc.deadline
        ),
    })?;
    tx.commit()?;
    Ok(doc)
}

fn record(
    conn: &cellsweep_store::rusqlite::Connection,
    reference: &str,
    device: &str,
    from: Option<State>,
    to: State,
    by: &str,
    reason: Option<&str>,
) -> Result<(), Error> {
    conn.execute(
        "INSERT INTO disable_transitions (reference, device_id, from_state, to_state, at, by, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![reference, device, from.map(State::as_str), to.as_str(), now(), by, reason],
    )?;
    Ok(())
}

/// One applied transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Device.
    pub device: String,
    /// State before.
    pub from: State,
    /// State after.
    pub to: State,
}

/// Moves devices of a request to `to`. `devices` empty: every device of the request whose
/// state allows it (an error if none does). `reject` and `reverse` need a reason.
pub fn transition(
    ws: &Workspace,
    reference: &str,
    devices: &[String],
    to: State,
    by: &str,
    reason: Option<&str>,
) -> Result<Vec<Applied>, Error> {
    require("`--by`", by)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if matches!(to, State::Rejected | State::Reversed) && reason.is_none() {
        return Err(Error::Invalid(format!(
            "a `{to}` transition needs `--reason`: the operator's reasons or the appeal's decision"
        )));
    }
    let operator: Option<String> = ws
        .conn()
        .query_row(
            "SELECT operator FROM disable_requests WHERE reference = ?1",
            [reference],
            |r| r.get(0),
        )
        .optional()?;
    let operator = operator.ok_or_else(|| Error::UnknownRequest(reference.into()))?;
    let current: BTreeMap<String, State> = {
        let mut stmt = ws
            .conn()
            .prepare("SELECT device_id, state FROM disable_devices WHERE reference = ?1")?;
        let rows = stmt.query_map([reference], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut m = BTreeMap::new();
        for r in rows {
            let (d, s) = r?;
            m.insert(d, State::parse(&s)?);
        }
        m
    };
    let mut todo = Vec::new();
    if devices.is_empty() {
        for (d, s) in &current {
            if s.next().contains(&to) {
                todo.push((d.clone(), *s));
            }
        }
        if todo.is_empty() {
            return Err(Error::Invalid(format!(
                "no device of request `{reference}` can become `{to}`"
            )));
        }
    } else {
        for d in devices {
            let s = *current.get(d).ok_or_else(|| Error::NotInRequest {
                reference: reference.into(),
                device: d.clone(),
            })?;
            if !s.next().contains(&to) {
                return Err(Error::Transition {
                    reference: reference.into(),
                    device: d.clone(),
                    from: s.to_string(),
                    to: to.to_string(),
                    allowed: if s.next().is_empty() {
                        "none, it is final".into()
                    } else {
                        s.next()
                            .iter()
                            .map(|x| format!("`{x}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                });
            }
            todo.push((d.clone(), s));
        }
    }
    let at = now();
    let tx = ws.conn().unchecked_transaction()?;
    if to == State::Acknowledged {
        tx.execute(
            "UPDATE disable_requests SET acknowledged_at = ?1 WHERE reference = ?2",
            params![at, reference],
        )?;
    }
    let mut applied = Vec::new();
    for (d, from) in todo {
        tx.execute(
            "UPDATE disable_devices SET state = ?1, reason = coalesce(?2, reason), updated_at = ?3
             WHERE reference = ?4 AND device_id = ?5",
            params![to.as_str(), reason, at, reference, d],
        )?;
        record(&tx, reference, &d, Some(from), to, by, reason)?;
        applied.push(Applied {
            device: d,
            from,
            to,
        });
    }
    let (action, justification) = match to {
        State::Reversed => (Action::Alteration, reason.unwrap_or_default().to_owned()),
        _ => (Action::Collection, reference.to_owned()),
    };
    ws.audit(&AuditEntry {
        actor: by.into(),
        action,
        object: format!("request:{reference}"),
        justification,
        recipients: if to == State::Reversed {
            vec![operator.clone()]
        } else {
            vec![]
        },
        detail: format!(
            "disable {}: {} devices of request {reference} ({operator}) now `{to}`{}",
            verb(to),
            applied.len(),
            reason.map(|r| format!(": {r}")).unwrap_or_default()
        ),
    })?;
    tx.commit()?;
    Ok(applied)
}

fn verb(s: State) -> &'static str {
    match s {
        State::Requested => "create",
        State::Acknowledged => "ack",
        State::Confirmed => "confirm",
        State::Rejected => "reject",
        State::Reversed => "reverse",
    }
}

/// A device's state in one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceState {
    /// Request reference.
    pub reference: String,
    /// Operator.
    pub operator: String,
    /// Facility.
    pub facility: String,
    /// Device.
    pub device: String,
    /// IMEIs, `;`-joined.
    pub imeis: String,
    /// State.
    pub state: State,
    /// Reason of the last transition that gave one.
    pub reason: Option<String>,
    /// Deadline.
    pub deadline: String,
    /// Last change.
    pub updated_at: String,
}

/// States, filtered by device and/or request.
pub fn status(
    ws: &Workspace,
    device: Option<&str>,
    reference: Option<&str>,
) -> Result<Vec<DeviceState>, Error> {
    let mut stmt = ws.conn().prepare(
        "SELECT r.reference, r.operator, r.facility_id, d.device_id, d.imei, d.state, d.reason,
                r.deadline, d.updated_at
         FROM disable_devices d JOIN disable_requests r USING (reference)
         WHERE (?1 IS NULL OR d.device_id = ?1) AND (?2 IS NULL OR r.reference = ?2)
         ORDER BY r.created_at, r.reference, d.device_id",
    )?;
    let rows = stmt.query_map(params![device, reference], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (reference, operator, facility, device, imeis, s, reason, deadline, updated_at) = r?;
        out.push(DeviceState {
            reference,
            operator,
            facility,
            device,
            imeis,
            state: State::parse(&s)?,
            reason,
            deadline,
            updated_at,
        });
    }
    Ok(out)
}

/// One recorded transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransitionRow {
    /// Request reference.
    pub reference: String,
    /// Device.
    pub device: String,
    /// State before (none at creation).
    pub from: Option<String>,
    /// State after.
    pub to: String,
    /// When.
    pub at: String,
    /// Who.
    pub by: String,
    /// Why.
    pub reason: Option<String>,
}

/// Every transition, in order, filtered by device and/or request.
pub fn history(
    ws: &Workspace,
    device: Option<&str>,
    reference: Option<&str>,
) -> Result<Vec<TransitionRow>, Error> {
    let mut stmt = ws.conn().prepare(
        "SELECT reference, device_id, from_state, to_state, at, by, reason FROM disable_transitions
         WHERE (?1 IS NULL OR device_id = ?1) AND (?2 IS NULL OR reference = ?2) ORDER BY id",
    )?;
    let rows = stmt.query_map(params![device, reference], |r| {
        Ok(TransitionRow {
            reference: r.get(0)?,
            device: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            at: r.get(4)?,
            by: r.get(5)?,
            reason: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
