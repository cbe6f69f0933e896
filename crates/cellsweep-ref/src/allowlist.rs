//! The allow list: staff and official devices the product must never flag.
//!
//! Columns: at least one of `imei`, `imsi`, `msisdn`; `holder`, `role`, `valid_from`, `reason`
//! required; `valid_to` optional. Every entry must say who holds the device and why it is
//! allowed: the list is itself personal data and an audit will ask.

use cellsweep_ids::{Imei, Imsi, Msisdn};
use cellsweep_store::rusqlite::params;
use cellsweep_store::{Import, Rejection};
use jiff::civil::Date;

use crate::Error;
use crate::common::{Col, FirstSeen, RowErr, load, parse_date, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::text::{Record, Table, field};

/// Roles an allow-list entry may have.
pub const ROLES: [&str; 5] = ["staff", "official", "contractor", "service", "other"];

struct Entry<'r> {
    imei: Option<Imei>,
    imsi: Option<Imsi>,
    msisdn: Option<Msisdn>,
    holder: &'r str,
    role: String,
    from: Date,
    to: Option<Date>,
    reason: &'r str,
}

struct Cols {
    imei: Option<usize>,
    imsi: Option<usize>,
    msisdn: Option<usize>,
    holder: usize,
    role: usize,
    from: usize,
    to: Option<usize>,
    reason: usize,
}

pub(crate) fn import_allowlist(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let c = require(
        &table,
        ctx,
        &[
            Col {
                name: "holder",
                aliases: &["holder"],
            },
            Col {
                name: "role",
                aliases: &["role"],
            },
            Col {
                name: "valid_from",
                aliases: &["valid_from"],
            },
            Col {
                name: "reason",
                aliases: &["reason"],
            },
        ],
    )?;
    let cols = Cols {
        imei: table.column(&["imei"]),
        imsi: table.column(&["imsi"]),
        msisdn: table.column(&["msisdn", "phone"]),
        holder: c[0],
        role: c[1],
        from: c[2],
        to: table.column(&["valid_to"]),
        reason: c[3],
    };
    if cols.imei.is_none() && cols.imsi.is_none() && cols.msisdn.is_none() {
        return Err(Error::MissingColumns {
            path: ctx.path.into(),
            format: ctx.format,
            missing: vec!["imei, imsi or msisdn".into()],
            found: table.headers.clone(),
        });
    }
    reject_broken(imp, &table)?;
    let mut seen = FirstSeen::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO allowlist (imei, imsi, msisdn, holder, role, valid_from, valid_to, reason, source_file_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (coalesce(imei, ''), coalesce(imsi, ''), coalesce(msisdn, ''), valid_from)
         DO UPDATE SET holder = excluded.holder, role = excluded.role, valid_to = excluded.valid_to,
             reason = excluded.reason, source_file_id = excluded.source_file_id",
        |rec| {
            let entry = entry(ctx, &cols, rec)?;
            let key = (entry.imei, entry.imsi, entry.msisdn, entry.from);
            if let Some(first) = seen.check(key, rec.line) {
                return Err(RowErr { rec }.row(format!("duplicate allow-list entry (first at line {first})")));
            }
            Ok(entry)
        },
        |stmt, e, source| {
            stmt.execute(params![
                e.imei.map(|v| v.to_string()),
                e.imsi.map(|v| v.to_string()),
                e.msisdn.map(|v| v.to_string()),
                e.holder,
                e.role,
                e.from.to_string(),
                e.to.map(|d| d.to_string()),
                e.reason,
                source
            ])
        },
    )?;
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!("{} allow-list entries", rows.len()),
    })
}

fn entry<'r>(ctx: &Ctx<'_>, c: &Cols, rec: &'r Record) -> Result<Entry<'r>, Rejection> {
    let e = RowErr { rec };
    let imei = field(rec, c.imei)
        .map(|v| Imei::parse(v).map_err(|x| e.field("imei", x.to_string())))
        .transpose()?;
    let imsi = field(rec, c.imsi)
        .map(|v| Imsi::parse(v, &ctx.mnc).map_err(|x| e.field("imsi", x.to_string())))
        .transpose()?;
    let msisdn = field(rec, c.msisdn)
        .map(|v| Msisdn::parse(v, ctx.region).map_err(|x| e.field("msisdn", x.to_string())))
        .transpose()?;
    if imei.is_none() && imsi.is_none() && msisdn.is_none() {
        return Err(e.row("no identifier: give an imei, imsi or msisdn"));
    }
    let holder = field(rec, Some(c.holder)).ok_or_else(|| e.field("holder", "missing holder"))?;
    let role = field(rec, Some(c.role)).unwrap_or("").to_ascii_lowercase();
    if !ROLES.contains(&role.as_str()) {
        return Err(e.field(
            "role",
            format!(
                "unknown role `{role}`; expected one of {}",
                ROLES.join(", ")
            ),
        ));
    }
    let from =
        parse_date(field(rec, Some(c.from)).unwrap_or("")).map_err(|x| e.field("valid_from", x))?;
    let to = field(rec, c.to)
        .map(|v| parse_date(v).map_err(|x| e.field("valid_to", x)))
        .transpose()?;
    if let Some(to) = to
        && to < from
    {
        return Err(e.field(
            "valid_to",
            format!("valid_to {to} is before valid_from {from}"),
        ));
    }
    let reason = field(rec, Some(c.reason))
        .ok_or_else(|| e.field("reason", "missing reason: say why the device is allowed"))?;
    Ok(Entry {
        imei,
        imsi,
        msisdn,
        holder,
        role,
        from,
        to,
        reason,
    })
}
