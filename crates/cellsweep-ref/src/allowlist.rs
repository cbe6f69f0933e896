//! The allow list: staff and official devices the product must never flag.
//!
//! Columns: at least one of `imei`, `imsi`, `msisdn`; `holder`, `role`, `valid_from`, `reason`
//! required; `valid_to` optional. Every entry must say who holds the device and why it is
//! allowed: the list is itself personal data and an audit will ask.

use cellsweep_ids::{Imei, Imsi, Msisdn};
use cellsweep_store::Import;
use cellsweep_store::rusqlite::params;

use crate::Error;
use crate::common::{Col, FirstSeen, RowErr, parse_date, quarantine, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::text::{Table, field};

/// Roles an allow-list entry may have.
pub const ROLES: [&str; 5] = ["staff", "official", "contractor", "service", "other"];

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
    let (imei_c, imsi_c, msisdn_c) = (
        table.column(&["imei"]),
        table.column(&["imsi"]),
        table.column(&["msisdn", "phone"]),
    );
    if imei_c.is_none() && imsi_c.is_none() && msisdn_c.is_none() {
        return Err(Error::MissingColumns {
            path: ctx.path.into(),
            format: ctx.format,
            missing: vec!["imei, imsi or msisdn".into()],
            found: table.headers.clone(),
        });
    }
    let valid_to_c = table.column(&["valid_to"]);
    reject_broken(imp, &table)?;
    let mut seen = FirstSeen::new();
    let mut rejections = Vec::new();
    let mut accepted = 0u64;
    let mut stmt = imp
        .tx()
        .prepare_cached(
            "INSERT INTO allowlist (imei, imsi, msisdn, holder, role, valid_from, valid_to, reason, source_file_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (coalesce(imei, ''), coalesce(imsi, ''), coalesce(msisdn, ''), valid_from)
             DO UPDATE SET holder = excluded.holder, role = excluded.role, valid_to = excluded.valid_to,
                 reason = excluded.reason, source_file_id = excluded.source_file_id",
        )
        .map_err(|e| Error::Store(imp.sql_err(e)))?;
    for rec in &table.records {
        let e = RowErr { rec };
        let row = (|| {
            let imei = field(rec, imei_c)
                .map(|v| Imei::parse(v).map_err(|x| e.field("imei", x.to_string())))
                .transpose()?;
            let imsi = field(rec, imsi_c)
                .map(|v| Imsi::parse(v, &ctx.mnc).map_err(|x| e.field("imsi", x.to_string())))
                .transpose()?;
            let msisdn = field(rec, msisdn_c)
                .map(|v| Msisdn::parse(v, ctx.region).map_err(|x| e.field("msisdn", x.to_string())))
                .transpose()?;
            if imei.is_none() && imsi.is_none() && msisdn.is_none() {
                return Err(e.row("no identifier: give an imei, imsi or msisdn"));
            }
            let holder =
                field(rec, Some(c[0])).ok_or_else(|| e.field("holder", "missing holder"))?;
            let role = field(rec, Some(c[1])).unwrap_or("").to_ascii_lowercase();
            if !ROLES.contains(&role.as_str()) {
                return Err(e.field(
                    "role",
                    format!(
                        "unknown role `{role}`; expected one of {}",
                        ROLES.join(", ")
                    ),
                ));
            }
            let from = parse_date(field(rec, Some(c[2])).unwrap_or(""))
                .map_err(|x| e.field("valid_from", x))?;
            let to = field(rec, valid_to_c)
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
            let reason = field(rec, Some(c[3])).ok_or_else(|| {
                e.field("reason", "missing reason: say why the device is allowed")
            })?;
            let key = (imei, imsi, msisdn, from);
            if let Some(first) = seen.check(key, rec.line) {
                return Err(e.row(format!(
                    "duplicate allow-list entry (first at line {first})"
                )));
            }
            Ok((imei, imsi, msisdn, holder, role, from, to, reason))
        })();
        match row {
            Ok((imei, imsi, msisdn, holder, role, from, to, reason)) => {
                stmt.execute(params![
                    imei.map(|v| v.to_string()),
                    imsi.map(|v| v.to_string()),
                    msisdn.map(|v| v.to_string()),
                    holder,
                    role,
                    from.to_string(),
                    to.map(|d| d.to_string()),
                    reason,
                    imp.source_id()
                ])
                .map_err(|x| Error::Store(imp.sql_err(x)))?;
                accepted += 1;
            }
            Err(r) => rejections.push(r),
        }
    }
    drop(stmt);
    for r in rejections {
        quarantine(imp, r)?;
    }
    Ok(Loaded {
        accepted,
        summary: format!("{accepted} allow-list entries"),
    })
}
