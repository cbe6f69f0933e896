//! Cells: our documented cell CSV, and Arcep's antenna-site list.
//!
//! Cell CSV columns (header names, any order, case-insensitive; aliases in brackets):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `operator` [`plmn`, `mcc_mnc`] or `mcc` + `mnc` | yes | PLMN, e.g. `208-01` or `20801` |
//! | `radio` [`rat`, `technology`] | yes, unless `lac` + `cid` | `2g`, `3g`, `4g`, `5g` (or gsm, umts, lte, nr) |
//! | `cell_id` [`cgi`, `ecgi`, `ncgi`, `cell`] | yes, or the next | any form `cellsweep ids check` accepts; TS 103 280 widths are hex |
//! | `lac` + `cid` [`ci`], or `eci`, or `nci` | instead of `cell_id` | decimal numbers, as most operator lists write them |
//! | `lat` [`latitude`], `lon` [`longitude`, `lng`] | yes | WGS84 degrees (decimal comma accepted) |
//! | `azimuth` | no | degrees clockwise from north, 0–360; empty = omnidirectional |
//! | `beamwidth` | no | degrees, 1–360; default 65 for a sector, 360 when omnidirectional |
//! | `range_m` [`range`] | no | serving reach in metres; default per radio (see `Radio::default_range_m`) |
//! | `site_id` [`site`] | no | the mast the cell is on |
//!
//! Without `radio`, a `lac` + `cid` pair is read as a GSM cell (2G), and the assumption is
//! recorded. Every default applied is listed in the cell's `assumptions`.
//!
//! Arcep's list has one row per operator and site with 2G/3G/4G flags and no cell identity,
//! azimuth or range: sites go to their own table, with the assumptions written next to them.

use std::collections::HashMap;

use cellsweep_geo::{Crs, DEFAULT_SECTOR_BEAMWIDTH_DEG, LonLat, Radio};
use cellsweep_ids::{CellId, CellKind, CellParseOptions, NumberBase, Plmn};
use cellsweep_store::Import;
use cellsweep_store::rusqlite::params;

use crate::Error;
use crate::common::{Col, FirstSeen, RowErr, load, parse_decimal, reject_broken, require};
use crate::import::{Ctx, Loaded};
use crate::text::{Record, Table, field};

struct CellCols {
    operator: Option<usize>,
    mcc: Option<usize>,
    mnc: Option<usize>,
    radio: Option<usize>,
    cell_id: Option<usize>,
    lac: Option<usize>,
    cid: Option<usize>,
    eci: Option<usize>,
    nci: Option<usize>,
    lat: usize,
    lon: usize,
    azimuth: Option<usize>,
    beamwidth: Option<usize>,
    range: Option<usize>,
    site: Option<usize>,
}

struct CellRow {
    cell: CellId,
    radio: Radio,
    at: LonLat,
    azimuth: Option<f64>,
    beamwidth: f64,
    range_m: f64,
    site: Option<String>,
    assumptions: Vec<&'static str>,
}

pub(crate) fn import_cells_csv(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    let pos = require(
        &table,
        ctx,
        &[
            Col {
                name: "lat",
                aliases: &["lat", "latitude"],
            },
            Col {
                name: "lon",
                aliases: &["lon", "longitude", "lng"],
            },
        ],
    )?;
    let c = CellCols {
        operator: table.column(&["operator", "plmn", "mcc_mnc"]),
        mcc: table.column(&["mcc"]),
        mnc: table.column(&["mnc"]),
        radio: table.column(&["radio", "rat", "technology"]),
        cell_id: table.column(&["cell_id", "cgi", "ecgi", "ncgi", "cell"]),
        lac: table.column(&["lac"]),
        cid: table.column(&["cid", "ci"]),
        eci: table.column(&["eci"]),
        nci: table.column(&["nci"]),
        lat: pos[0],
        lon: pos[1],
        azimuth: table.column(&["azimuth"]),
        beamwidth: table.column(&["beamwidth"]),
        range: table.column(&["range_m", "range"]),
        site: table.column(&["site_id", "site"]),
    };
    let mut missing = Vec::new();
    if c.operator.is_none() && (c.mcc.is_none() || c.mnc.is_none()) {
        missing.push("operator (or mcc + mnc)".to_owned());
    }
    let has_lac_cid = c.lac.is_some() && c.cid.is_some();
    if c.cell_id.is_none() && !has_lac_cid && c.eci.is_none() && c.nci.is_none() {
        missing.push("cell_id (or lac + cid, eci, nci)".to_owned());
    }
    if c.radio.is_none() && !has_lac_cid {
        missing.push("radio".to_owned());
    }
    if !missing.is_empty() {
        return Err(Error::MissingColumns {
            path: ctx.path.into(),
            format: ctx.format,
            missing,
            found: table.headers.clone(),
        });
    }
    reject_broken(imp, &table)?;
    let mut seen = FirstSeen::new();
    let rows = load(
        imp,
        &table.records,
        "INSERT INTO cells (cell_id, operator, radio, lon, lat, azimuth, beamwidth, range_m, site, assumptions, source_file_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (cell_id) DO UPDATE SET operator = excluded.operator, radio = excluded.radio,
             lon = excluded.lon, lat = excluded.lat, azimuth = excluded.azimuth,
             beamwidth = excluded.beamwidth, range_m = excluded.range_m, site = excluded.site,
             assumptions = excluded.assumptions, source_file_id = excluded.source_file_id",
        |rec| {
            let e = RowErr { rec };
            let row = cell_row(ctx, &c, rec, &e)?;
            if let Some(first) = seen.check(row.cell, rec.line) {
                return Err(e.field("cell_id", format!("duplicate cell `{}` (first at line {first})", row.cell)));
            }
            Ok(row)
        },
        |stmt, row, source| {
            stmt.execute(params![
                row.cell.to_string(),
                row.cell.plmn().to_string(),
                row.radio.as_str(),
                row.at.lon,
                row.at.lat,
                row.azimuth,
                row.beamwidth,
                row.range_m,
                row.site,
                row.assumptions.join(","),
                source,
            ])
        },
    )?;
    let assumed = rows.iter().filter(|r| !r.assumptions.is_empty()).count();
    Ok(Loaded {
        accepted: rows.len() as u64,
        summary: format!(
            "{} cells ({assumed} with assumed sector shape or range)",
            rows.len()
        ),
    })
}

fn cell_row(
    ctx: &Ctx<'_>,
    c: &CellCols,
    rec: &Record,
    e: &RowErr<'_>,
) -> Result<CellRow, cellsweep_store::Rejection> {
    let f = |col| field(rec, col);
    let operator = match (f(c.operator), f(c.mcc), f(c.mnc)) {
        (Some(op), _, _) => Plmn::parse(op).map_err(|x| e.field("operator", x.to_string()))?,
        (None, Some(mcc), Some(mnc)) => {
            // The MNC column often loses its leading zero in spreadsheets (`1` for `01`).
            let mnc = if mnc.len() == 1 {
                format!("0{mnc}")
            } else {
                mnc.to_owned()
            };
            Plmn::parse(&format!("{mcc}-{mnc}")).map_err(|x| e.field("mnc", x.to_string()))?
        }
        _ => return Err(e.field("operator", "missing operator")),
    };
    let mut assumptions = Vec::new();
    let radio = match f(c.radio) {
        Some(r) => r.parse::<Radio>().map_err(|x| e.field("radio", x))?,
        None if f(c.lac).is_some() => {
            assumptions.push("radio");
            Radio::G2
        }
        None => return Err(e.field("radio", "missing radio")),
    };
    let hint = match radio {
        Radio::G2 | Radio::G3 => CellKind::Cgi,
        Radio::G4 => CellKind::Ecgi,
        Radio::G5 => CellKind::Ncgi,
    };
    let parse = |text: &str, kind: Option<CellKind>, base: NumberBase, name: &str| {
        CellId::parse(text, &CellParseOptions { kind, base }, &ctx.mnc)
            .map_err(|x| e.field(name, x.to_string()))
    };
    let cell = if let Some(id) = f(c.cell_id) {
        // A `sai:`/`ecgi:` prefix states the kind itself; otherwise the radio does.
        let kind = (!id.starts_with(|ch: char| ch.is_alphabetic())).then_some(hint);
        parse(id, kind, NumberBase::Auto, "cell_id")?
    } else if let (Some(lac), Some(cid)) = (f(c.lac), f(c.cid)) {
        parse(
            &format!("{operator}-{lac}-{cid}"),
            Some(CellKind::Cgi),
            NumberBase::Decimal,
            "cid",
        )?
    } else if let Some(eci) = f(c.eci) {
        parse(
            &format!("{operator}-{eci}"),
            Some(CellKind::Ecgi),
            NumberBase::Decimal,
            "eci",
        )?
    } else if let Some(nci) = f(c.nci) {
        parse(
            &format!("{operator}-{nci}"),
            Some(CellKind::Ncgi),
            NumberBase::Decimal,
            "nci",
        )?
    } else {
        return Err(e.field("cell_id", "missing cell identity"));
    };
    if cell.plmn() != operator {
        return Err(e.field(
            "cell_id",
            format!(
                "cell `{cell}` belongs to PLMN `{}` but the row's operator is `{operator}`",
                cell.plmn()
            ),
        ));
    }
    let kind_ok = matches!(
        (radio, cell.kind()),
        (Radio::G2, CellKind::Cgi)
            | (Radio::G3, CellKind::Cgi | CellKind::Sai)
            | (Radio::G4, CellKind::Ecgi)
            | (Radio::G5, CellKind::Ncgi)
    );
    if !kind_ok {
        return Err(e.field(
            "cell_id",
            format!("a {} identity cannot name a {radio} cell", cell.kind()),
        ));
    }
    let lat = parse_decimal(f(Some(c.lat)).unwrap_or("")).map_err(|x| e.field("lat", x))?;
    let lon = parse_decimal(f(Some(c.lon)).unwrap_or("")).map_err(|x| e.field("lon", x))?;
    let at = LonLat::new(lon, lat).map_err(|x| e.field("lat", x.to_string()))?;
    let azimuth = match f(c.azimuth) {
        None => {
            assumptions.push("omni");
            None
        }
        Some(a) => {
            let a = parse_decimal(a).map_err(|x| e.field("azimuth", x))?;
            if !(0.0..=360.0).contains(&a) {
                return Err(e.field("azimuth", format!("azimuth {a} is outside 0–360 degrees")));
            }
            Some(a % 360.0)
        }
    };
    let beamwidth = match f(c.beamwidth) {
        Some(b) => {
            let b = parse_decimal(b).map_err(|x| e.field("beamwidth", x))?;
            if !(b > 0.0 && b <= 360.0) {
                return Err(e.field(
                    "beamwidth",
                    format!("beam width {b} is outside 1–360 degrees"),
                ));
            }
            b
        }
        None if azimuth.is_none() => 360.0,
        None => {
            assumptions.push("beamwidth");
            DEFAULT_SECTOR_BEAMWIDTH_DEG
        }
    };
    let range_m = match f(c.range) {
        Some(r) => {
            let r = parse_decimal(r).map_err(|x| e.field("range_m", x))?;
            if !(r > 0.0 && r <= 100_000.0) {
                return Err(e.field("range_m", format!("range {r} m is outside 1–100000 m")));
            }
            r
        }
        None => {
            assumptions.push("range");
            radio.default_range_m()
        }
    };
    Ok(CellRow {
        cell,
        radio,
        at,
        azimuth,
        beamwidth,
        range_m,
        site: f(c.site).map(str::to_owned),
        assumptions,
    })
}

/// Assumptions recorded on every Arcep site: the list has no cell identity, azimuth or range.
const ARCEP_ASSUMPTIONS: &str = "no cell id,omni,range";

pub(crate) fn import_arcep(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    // The original is Lambert-93 (`Operateur;X;Y;2G;3G;4G`); our WGS84 conversion adds lat/lon.
    let wgs84 = table.has("lat") && table.has("lon");
    let cols = require(
        &table,
        ctx,
        &[
            Col {
                name: "operateur",
                aliases: &["operateur", "mcc_mnc"],
            },
            Col {
                name: if wgs84 { "lon" } else { "x" },
                aliases: if wgs84 { &["lon"] } else { &["x", "x_l93"] },
            },
            Col {
                name: if wgs84 { "lat" } else { "y" },
                aliases: if wgs84 { &["lat"] } else { &["y", "y_l93"] },
            },
            Col {
                name: "2g",
                aliases: &["2g"],
            },
            Col {
                name: "3g",
                aliases: &["3g"],
            },
            Col {
                name: "4g",
                aliases: &["4g"],
            },
        ],
    )?;
    reject_broken(imp, &table)?;
    // Some sites are listed more than once with different technology flags: they are one site,
    // so the rows merge (flags united) into the first one.
    let mut sites: Vec<(u64, Plmn, LonLat, [bool; 3])> = Vec::new();
    let mut by_key: HashMap<(Plmn, i64, i64), usize> = HashMap::new();
    let mut merged = 0u64;
    let mut rejections = Vec::new();
    for rec in &table.records {
        let e = RowErr { rec };
        let f = |i: usize| field(rec, Some(cols[i])).unwrap_or("");
        let row = (|| {
            let plmn = Plmn::parse(f(0)).map_err(|x| e.field("operateur", x.to_string()))?;
            let x = parse_decimal(f(1)).map_err(|m| e.field(if wgs84 { "lon" } else { "x" }, m))?;
            let y = parse_decimal(f(2)).map_err(|m| e.field(if wgs84 { "lat" } else { "y" }, m))?;
            let crs = if wgs84 { Crs::Wgs84 } else { Crs::Lambert93 };
            let at = crs
                .to_wgs84(x, y)
                .map_err(|m| e.field(if wgs84 { "lat" } else { "x" }, m.to_string()))?;
            let mut flags = [false; 3];
            for (k, name) in ["2g", "3g", "4g"].into_iter().enumerate() {
                flags[k] = match f(3 + k) {
                    "1" => true,
                    "0" | "" => false,
                    other => return Err(e.field(name, format!("`{other}` is not 0 or 1"))),
                };
            }
            if flags == [false; 3] {
                return Err(e.row("no radio technology flagged (2G, 3G and 4G are all 0): the site cannot serve any cell"));
            }
            Ok((plmn, x, y, at, flags))
        })();
        match row {
            Ok((plmn, x, y, at, flags)) => {
                // Key on the source coordinates, exact to the centimetre.
                let key = (plmn, (x * 100.0).round() as i64, (y * 100.0).round() as i64);
                if let Some(&i) = by_key.get(&key) {
                    for (have, new) in sites[i].3.iter_mut().zip(flags) {
                        *have |= new;
                    }
                    merged += 1;
                } else {
                    by_key.insert(key, sites.len());
                    sites.push((rec.line, plmn, at, flags));
                }
            }
            Err(r) => rejections.push(r),
        }
    }
    for r in rejections {
        imp.reject(r)?;
    }
    load(
        imp,
        &sites,
        "INSERT INTO sites (operator, lon, lat, radios, assumptions, source_file_id, source_line)
         VALUES (?1, round(?2, 6), round(?3, 6), ?4, ?5, ?6, ?7)
         ON CONFLICT (operator, lon, lat) DO UPDATE SET radios = excluded.radios,
             assumptions = excluded.assumptions, source_file_id = excluded.source_file_id,
             source_line = excluded.source_line",
        Ok,
        |stmt, (line, plmn, at, flags), source| {
            let radios: Vec<&str> = ["2g", "3g", "4g"]
                .into_iter()
                .zip(flags)
                .filter(|(_, f)| **f)
                .map(|(n, _)| n)
                .collect();
            stmt.execute(params![
                plmn.to_string(),
                at.lon,
                at.lat,
                radios.join(","),
                ARCEP_ASSUMPTIONS,
                source,
                line
            ])
        },
    )?;
    Ok(Loaded {
        accepted: sites.len() as u64 + merged,
        summary: format!(
            "{} antenna sites ({merged} repeated {} merged into their site; no cell ids, azimuths or ranges in this list)",
            sites.len(),
            if merged == 1 { "row" } else { "rows" }
        ),
    })
}
