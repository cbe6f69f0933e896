//! TAC tables: the Osmocom export (or a plain `tac,brand,model` CSV) and the user's overlay.
//!
//! The Osmocom export starts with a licence banner, then a header whose names repeat
//! (`tac,name,name,...`: brand then model), so its columns are read by position. Fields are
//! trimmed: four rows of the real export carry a leading space before the TAC.

use cellsweep_ids::Tac;
use cellsweep_store::Import;
use cellsweep_store::rusqlite::params;

use crate::common::{Col, FirstSeen, RowErr, load, parse_bool, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::text::{Table, field};
use crate::{Error, Format};

/// Form factors the overlay may state.
pub const FORM_FACTORS: [&str; 4] = ["mini", "feature", "smart", "other"];

pub(crate) fn import_tac(imp: &mut Import<'_>, ctx: &Ctx<'_>, text: &str) -> Result<Loaded, Error> {
    let banner = usize::from(
        text.lines()
            .next()
            .is_some_and(|l| l.to_ascii_lowercase().contains("osmocom")),
    );
    let table = Table::parse(text, banner);
    let (tac, brand, model, aka) = if ctx.format == Format::Osmocom {
        if table.headers.len() < 3 || !table.headers[0].eq_ignore_ascii_case("tac") {
            return Err(Error::Structure {
                path: ctx.path.into(),
                reason: format!(
                    "expected the Osmocom header `tac,name,name,...`, found `{}`",
                    table.headers.join(",")
                ),
            });
        }
        (0, 1, 2, table.column(&["aka"]))
    } else {
        let c = require(
            &table,
            ctx,
            &[
                Col {
                    name: "tac",
                    aliases: &["tac"],
                },
                Col {
                    name: "brand",
                    aliases: &["brand", "manufacturer"],
                },
                Col {
                    name: "model",
                    aliases: &["model", "name"],
                },
            ],
        )?;
        (c[0], c[1], c[2], table.column(&["aka", "aliases"]))
    };
    reject_broken(imp, &table)?;
    let mut seen = FirstSeen::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO tacs (tac, brand, model, aka, source_file_id) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (tac) DO UPDATE SET brand = excluded.brand, model = excluded.model,
             aka = excluded.aka, source_file_id = excluded.source_file_id",
        |rec| {
            let e = RowErr { rec };
            let t = field(rec, Some(tac)).ok_or_else(|| e.field("tac", "missing TAC"))?;
            let t = Tac::parse(t).map_err(|x| e.field("tac", x.to_string()))?;
            let b = field(rec, Some(brand)).ok_or_else(|| e.field("brand", "missing brand"))?;
            let m = field(rec, Some(model)).ok_or_else(|| e.field("model", "missing model"))?;
            if let Some(first) = seen.check(t, rec.line) {
                return Err(e.field(
                    "tac",
                    format!("duplicate TAC `{t}` (first at line {first})"),
                ));
            }
            Ok((t, b, m, field(rec, aka)))
        },
        |stmt, (t, b, m, a), source| stmt.execute(params![t.to_string(), b, m, a, source]),
    )?;
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!("{} TACs", rows.len()),
    })
}

pub(crate) fn import_overlay(
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
                name: "tac",
                aliases: &["tac"],
            },
            Col {
                name: "form_factor",
                aliases: &["form_factor"],
            },
        ],
    )?;
    let brand = table.column(&["brand", "manufacturer"]);
    let model = table.column(&["model"]);
    let contraband = table.column(&["contraband", "known_contraband"]);
    let note = table.column(&["note", "comment"]);
    reject_broken(imp, &table)?;
    let mut seen = FirstSeen::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO tac_overlay (tac, brand, model, form_factor, contraband, note, source_file_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (tac) DO UPDATE SET brand = excluded.brand, model = excluded.model,
             form_factor = excluded.form_factor, contraband = excluded.contraband,
             note = excluded.note, source_file_id = excluded.source_file_id",
        |rec| {
            let e = RowErr { rec };
            let t = field(rec, Some(c[0])).ok_or_else(|| e.field("tac", "missing TAC"))?;
            let t = Tac::parse(t).map_err(|x| e.field("tac", x.to_string()))?;
            let ff = field(rec, Some(c[1])).unwrap_or("").to_ascii_lowercase();
            let ff = match ff.as_str() {
                "mini" | "mini_phone" | "mini-phone" | "thumb" => "mini",
                "feature" | "feature_phone" | "feature-phone" => "feature",
                "smart" | "smartphone" => "smart",
                "other" => "other",
                _ => {
                    return Err(e.field(
                        "form_factor",
                        format!(
                            "unknown form factor `{ff}`; expected one of {}",
                            FORM_FACTORS.join(", ")
                        ),
                    ));
                }
            };
            let cb = parse_bool(field(rec, contraband).unwrap_or(""))
                .map_err(|x| e.field("contraband", x))?;
            if let Some(first) = seen.check(t, rec.line) {
                return Err(e.field(
                    "tac",
                    format!("duplicate TAC `{t}` (first at line {first})"),
                ));
            }
            Ok((
                t,
                field(rec, brand),
                field(rec, model),
                ff,
                cb,
                field(rec, note),
            ))
        },
        |stmt, (t, b, m, ff, cb, n), source| {
            stmt.execute(params![t.to_string(), b, m, ff, cb, n, source])
        },
    )?;
    let minis = rows.iter().filter(|r| r.3 == "mini").count();
    let flagged = rows.iter().filter(|r| r.4).count();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!(
            "{} overlay TACs ({minis} mini phones, {flagged} known contraband models)",
            rows.len()
        ),
    })
}
