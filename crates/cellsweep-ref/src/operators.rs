//! Operator codes: the `mcc-mnc-list` JSON array (Wikipedia's table) or a CSV with `mcc` and
//! `mnc` columns. The MNC keeps its digits as written (`01` and `001` are different MNCs);
//! values that are not 2 or 3 digits (ranges, `?`, 5-digit private-network codes) are
//! quarantined, because an IMSI cannot carry them.

use cellsweep_ids::{Mcc, Mnc};
use cellsweep_store::rusqlite::params;
use cellsweep_store::{Import, Rejection};
use geojson::JsonValue;

use crate::Error;
use crate::common::{Col, FirstSeen, load, reject_broken, require};
use crate::import::{Ctx, Loaded, truncate};
use crate::text::{Table, field};

/// One operator row, from JSON or CSV.
struct OperatorRow {
    line: u64,
    raw: String,
    values: [Option<String>; 9],
}

/// Field names, in `values` order; the first two are required.
const FIELDS: [&str; 9] = [
    "mcc",
    "mnc",
    "countryName",
    "countryCode",
    "brand",
    "operator",
    "status",
    "bands",
    "type",
];

pub(crate) fn import_json(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let v: JsonValue = serde_json::from_str(text).map_err(|e| Error::Json {
        path: ctx.path.into(),
        what: "JSON",
        source: Box::new(e),
    })?;
    let JsonValue::Array(items) = v else {
        return Err(Error::Structure {
            path: ctx.path.into(),
            reason: "expected a JSON array of operator records".into(),
        });
    };
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| OperatorRow {
            line: i as u64 + 1,
            raw: truncate(&item.to_string(), 1_000),
            values: FIELDS.map(|k| match item.get(k) {
                Some(JsonValue::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
                Some(JsonValue::Number(n)) => Some(n.to_string()),
                _ => None,
            }),
        })
        .collect();
    store(imp, rows)
}

pub(crate) fn import_csv(imp: &mut Import<'_>, ctx: &Ctx<'_>, text: &str) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    require(
        &table,
        ctx,
        &[
            Col {
                name: "mcc",
                aliases: &["mcc"],
            },
            Col {
                name: "mnc",
                aliases: &["mnc"],
            },
        ],
    )?;
    reject_broken(imp, &table)?;
    let aliases: [&[&str]; 9] = [
        &["mcc"],
        &["mnc"],
        &["countryname", "country"],
        &["countrycode", "country_code", "iso"],
        &["brand"],
        &["operator", "name"],
        &["status"],
        &["bands"],
        &["type"],
    ];
    let cols = aliases.map(|a| table.column(a));
    let rows = table
        .records
        .iter()
        .map(|rec| OperatorRow {
            line: rec.line,
            raw: rec.raw.clone(),
            values: cols.map(|c| field(rec, c).map(str::to_owned)),
        })
        .collect();
    store(imp, rows)
}

fn store(imp: &mut Import<'_>, rows: Vec<OperatorRow>) -> Result<Loaded, Error> {
    let mut seen: FirstSeen<(Mcc, Mnc)> = FirstSeen::new();
    let accepted = load(
        imp,
        &rows,
        "INSERT INTO operators (mcc, mnc, country, country_code, brand, name, status, bands, source_file_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (mcc, mnc) DO UPDATE SET country = excluded.country,
             country_code = excluded.country_code, brand = excluded.brand, name = excluded.name,
             status = excluded.status, bands = excluded.bands, source_file_id = excluded.source_file_id",
        |row| {
            let err = |f: &str, reason: String| Rejection::field(row.line, f, reason, row.raw.clone());
            let v = &row.values;
            let mcc = v[0].as_deref().ok_or_else(|| err("mcc", "missing MCC".into()))?;
            let mcc = Mcc::parse(mcc).map_err(|e| err("mcc", e.to_string()))?;
            let mnc_text = v[1].as_deref().ok_or_else(|| err("mnc", "missing MNC".into()))?;
            let mnc = Mnc::parse(mnc_text).map_err(|e| {
                let hint = if mnc_text.len() > 3 && mnc_text.bytes().all(|b| b.is_ascii_digit()) {
                    " (longer codes are national private-network numbers, not E.212 MNCs)"
                } else {
                    ""
                };
                err("mnc", format!("{e}{hint}"))
            })?;
            if let Some(first) = seen.check((mcc, mnc), row.line) {
                let who = v[5].as_deref().or(v[4].as_deref()).unwrap_or("?");
                return Err(err(
                    "mnc",
                    format!("duplicate MCC-MNC `{mcc}-{mnc}` (first at record {first}); this record names `{who}`"),
                ));
            }
            Ok((mcc, mnc, v))
        },
        |stmt, (mcc, mnc, v), source| {
            stmt.execute(params![mcc.to_string(), mnc.to_string(), v[2], v[3], v[4], v[5], v[6], v[7], source])
        },
    )?;
    Ok(Loaded {
        accepted: accepted.len() as u64,
        summary: format!("{} operator codes", accepted.len()),
    })
}
