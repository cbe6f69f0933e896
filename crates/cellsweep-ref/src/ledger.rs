//! Supplier ledgers: which IMEIs a reseller sold, when, to whom, through which channel.
//!
//! Columns: `imei`, `supplier`, `sold_at` (date or date-time), optional `buyer`, `channel`.
//! A 15-digit IMEI must carry a correct Luhn check digit; 16-digit IMEISVs are reduced to their
//! IMEI. The same sale listed twice in one file is quarantined as a duplicate.

use std::collections::BTreeSet;

use cellsweep_ids::Imei;
use cellsweep_store::Import;
use cellsweep_store::rusqlite::params;

use crate::Error;
use crate::common::{Col, FirstSeen, RowErr, load, parse_date_or_time, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::text::{Table, field};

pub(crate) fn import_ledger(
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
                name: "imei",
                aliases: &["imei"],
            },
            Col {
                name: "supplier",
                aliases: &["supplier", "seller", "reseller"],
            },
            Col {
                name: "sold_at",
                aliases: &["sold_at", "date", "sale_date"],
            },
        ],
    )?;
    let buyer = table.column(&["buyer", "customer"]);
    let channel = table.column(&["channel"]);
    reject_broken(imp, &table)?;
    let mut seen = FirstSeen::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO ledger (imei, supplier, sold_at, buyer, channel, source_file_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (imei, supplier, sold_at) DO UPDATE SET buyer = excluded.buyer,
             channel = excluded.channel, source_file_id = excluded.source_file_id",
        |rec| {
            let e = RowErr { rec };
            let imei = field(rec, Some(c[0])).ok_or_else(|| e.field("imei", "missing IMEI"))?;
            let imei = Imei::parse(imei).map_err(|x| e.field("imei", x.to_string()))?;
            let supplier =
                field(rec, Some(c[1])).ok_or_else(|| e.field("supplier", "missing supplier"))?;
            let sold =
                field(rec, Some(c[2])).ok_or_else(|| e.field("sold_at", "missing sale date"))?;
            let sold = parse_date_or_time(sold).map_err(|x| e.field("sold_at", x))?;
            if let Some(first) = seen.check((imei, supplier.to_owned(), sold.clone()), rec.line) {
                return Err(e.row(format!(
                    "duplicate sale of IMEI `{imei}` by `{supplier}` on {sold} (first at line {first})"
                )));
            }
            Ok((imei, supplier, sold, field(rec, buyer), field(rec, channel)))
        },
        |stmt, (imei, supplier, sold, b, ch), source| {
            stmt.execute(params![imei.to_string(), supplier, sold, b, ch, source])
        },
    )?;
    let suppliers: BTreeSet<&str> = rows.iter().map(|r| r.1).collect();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!("{} sales by {} supplier(s)", rows.len(), suppliers.len()),
    })
}
