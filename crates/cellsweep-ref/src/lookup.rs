//! Reading reference data back: the MNC table for IMSI parsing, TAC and operator decoding.

use cellsweep_ids::{MncTable, Plmn, Tac};
use cellsweep_store::rusqlite::{Connection, OptionalExtension};

/// The built-in MNC-length table plus every operator code imported into the workspace.
pub fn mnc_table(conn: &Connection) -> cellsweep_store::rusqlite::Result<MncTable> {
    let mut table = MncTable::builtin();
    let mut stmt = conn.prepare("SELECT mcc, mnc FROM operators")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (mcc, mnc) = row?;
        // Rows were validated at import; a row that no longer parses is skipped, not fatal.
        if let Ok(p) = Plmn::parse(&format!("{mcc}-{mnc}")) {
            table.insert(p);
        }
    }
    Ok(table)
}

/// What the workspace knows about a handset model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TacInfo {
    /// Manufacturer, from the TAC database or the overlay.
    pub brand: Option<String>,
    /// Model name.
    pub model: Option<String>,
    /// Form factor from the overlay (`mini`, `feature`, `smart`, `other`).
    pub form_factor: Option<String>,
    /// Whether the overlay marks the model as a known contraband model.
    pub contraband: bool,
}

/// Decodes a TAC with the TAC database and the overlay (the overlay wins where both speak).
pub fn tac_info(conn: &Connection, tac: Tac) -> cellsweep_store::rusqlite::Result<Option<TacInfo>> {
    let key = tac.to_string();
    let base: Option<(String, String)> = conn
        .query_row(
            "SELECT brand, model FROM tacs WHERE tac = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let overlay: Option<(Option<String>, Option<String>, String, bool)> = conn
        .query_row(
            "SELECT brand, model, form_factor, contraband FROM tac_overlay WHERE tac = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    if base.is_none() && overlay.is_none() {
        return Ok(None);
    }
    let (b, m) = base.map_or((None, None), |(b, m)| (Some(b), Some(m)));
    Ok(Some(match overlay {
        Some((ob, om, ff, cb)) => TacInfo {
            brand: ob.or(b),
            model: om.or(m),
            form_factor: Some(ff),
            contraband: cb,
        },
        None => TacInfo {
            brand: b,
            model: m,
            form_factor: None,
            contraband: false,
        },
    }))
}

/// The operator's brand or name and country for a PLMN, if imported.
pub fn operator_name(
    conn: &Connection,
    plmn: Plmn,
) -> cellsweep_store::rusqlite::Result<Option<String>> {
    let mcc = format!("{:03}", plmn.mcc.as_u16());
    let mnc = plmn.mnc.to_string();
    conn.query_row(
        "SELECT coalesce(brand, name, '?') || coalesce(' (' || country || ')', '') FROM operators
         WHERE mcc = ?1 AND mnc = ?2",
        [&mcc, &mnc],
        |r| r.get(0),
    )
    .optional()
}
