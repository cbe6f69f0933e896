//! Facilities: our GeoJSON (facility and zone features), and the national quartier list
//! (CSV or point GeoJSON) where each row is one quartier of an establishment.
//!
//! In the national list an establishment (`CP FRESNES`) has several quartiers (`MA/QMA`,
//! `CNE`, ...) sharing one point. We import one facility per establishment, the unit a search
//! plan allocates teams to, and one `quartier` zone per row, so that rows in = rows accepted +
//! rows quarantined still holds row for row.

use std::collections::{BTreeMap, HashMap};

use cellsweep_geo::geo::{self, Centroid, Contains, MapCoords};
use cellsweep_geo::{Crs, Facility, Footprint, Jammer, LonLat, Zone, ZoneType, default_footprint};
use cellsweep_store::rusqlite::{OptionalExtension, params};
use cellsweep_store::{Import, Rejection};
use geojson::{Feature, GeoJson, JsonObject, JsonValue};

use crate::Error;
use crate::common::{parse_count, parse_date, parse_decimal, reject_broken};
use crate::import::{Ctx, Loaded, truncate};
use crate::text::{Table, field};

/// The most cells a single range like `A101-A999` may expand to: a typo such as `1-100000`
/// must not create a hundred thousand prison cells.
const MAX_CELL_RANGE: u32 = 5_000;

/// Imports a GeoJSON FeatureCollection of facilities and zones, or of national-list quartiers.
pub(crate) fn import_geojson(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let gj: GeoJson = text.parse().map_err(|e| Error::Json {
        path: ctx.path.into(),
        what: "GeoJSON",
        source: Box::new(e),
    })?;
    let fc = match gj {
        GeoJson::FeatureCollection(fc) => fc,
        GeoJson::Feature(_) | GeoJson::Geometry(_) => {
            return Err(Error::Structure {
                path: ctx.path.into(),
                reason: "expected a GeoJSON FeatureCollection, found a single feature or geometry"
                    .into(),
            });
        }
    };
    // RFC 7946 GeoJSON is WGS84; older files (GeoJSON 2008, GeoServer) name another CRS.
    let crs = match fc
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|c| c.pointer("/properties/name"))
        .and_then(JsonValue::as_str)
    {
        Some(name) => Crs::parse(name).map_err(|e| Error::Structure {
            path: ctx.path.into(),
            reason: e.to_string(),
        })?,
        None => Crs::Wgs84,
    };
    let national = fc
        .features
        .iter()
        .any(|f| prop(f, "etablissement").is_some());
    if national {
        let mut rows = Vec::new();
        for (i, f) in fc.features.iter().enumerate() {
            let line = i as u64 + 1;
            let raw = raw_feature(f);
            let get = |k: &str| prop(f, k);
            match quartier_row(&get, line, &raw).and_then(|mut q| {
                if q.position.is_none() {
                    q.position = Some(
                        point_of(f, crs)
                            .map_err(|r| Rejection::field(line, "geometry", r, raw.clone()))?,
                    );
                }
                Ok(q)
            }) {
                Ok(q) => rows.push(q),
                Err(r) => imp.reject(r)?,
            }
        }
        return store_quartiers(imp, rows);
    }
    import_own_geojson(imp, ctx, &fc.features, crs)
}

/// Imports the national quartier list as CSV.
pub(crate) fn import_prisons_csv(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Loaded, Error> {
    let table = Table::parse(text, 0);
    crate::common::require(
        &table,
        ctx,
        &[
            crate::common::Col {
                name: "etablissement",
                aliases: &["etablissement"],
            },
            crate::common::Col {
                name: "quartier",
                aliases: &["quartier"],
            },
            crate::common::Col {
                name: "latitude",
                aliases: &["latitude", "lat"],
            },
            crate::common::Col {
                name: "longitude",
                aliases: &["longitude", "lon"],
            },
        ],
    )?;
    reject_broken(imp, &table)?;
    let mut rows = Vec::new();
    for rec in &table.records {
        let get = |k: &str| field(rec, table.column(&[k])).map(str::to_owned);
        match quartier_row(&get, rec.line, &rec.raw) {
            Ok(q) => rows.push(q),
            Err(r) => imp.reject(r)?,
        }
    }
    store_quartiers(imp, rows)
}

/// One row of the national list.
struct QuartierRow {
    line: u64,
    raw: String,
    facility_id: String,
    establishment: String,
    quartier: String,
    position: Option<LonLat>,
    capacity: Option<u32>,
    capacity_theoretical: Option<u32>,
    occupancy: Option<u32>,
    attributes: Vec<(String, String)>,
}

fn quartier_row(
    get: &dyn Fn(&str) -> Option<String>,
    line: u64,
    raw: &str,
) -> Result<QuartierRow, Rejection> {
    let err = |f: &str, reason: String| Rejection::field(line, f, reason, raw);
    let establishment = get("etablissement")
        .ok_or_else(|| err("etablissement", "missing establishment name".into()))?;
    let quartier = get("quartier").ok_or_else(|| err("quartier", "missing quartier".into()))?;
    let code = get("cd_etablissement");
    let facility_id = match &code {
        Some(c) if c.bytes().all(|b| b.is_ascii_digit()) => format!("FR-{c}"),
        Some(c) => {
            return Err(err(
                "cd_etablissement",
                format!("`{c}` is not a numeric establishment code"),
            ));
        }
        // A few rows have no code: identify them by name, which is unique per establishment.
        None => format!("FR-{}", slug(&establishment)),
    };
    let position = match (get("longitude"), get("latitude")) {
        (Some(lon), Some(lat)) => {
            let lon = parse_decimal(&lon).map_err(|e| err("longitude", e))?;
            let lat = parse_decimal(&lat).map_err(|e| err("latitude", e))?;
            Some(LonLat::new(lon, lat).map_err(|e| err("latitude", e.to_string()))?)
        }
        (None, None) => None,
        (None, _) => return Err(err("longitude", "missing longitude".into())),
        (_, None) => return Err(err("latitude", "missing latitude".into())),
    };
    let capacity =
        parse_count(get("capacite_oper").as_deref()).map_err(|e| err("capacite_oper", e))?;
    let capacity_theoretical =
        parse_count(get("capacite_norme").as_deref()).map_err(|e| err("capacite_norme", e))?;
    let occupancy =
        parse_count(get("ecroue_detenu").as_deref()).map_err(|e| err("ecroue_detenu", e))?;
    let attributes = ["lc_disp", "adresse_etab", "code_postal", "ville_etab"]
        .into_iter()
        .filter_map(|k| get(k).map(|v| (k.to_owned(), v)))
        .collect();
    Ok(QuartierRow {
        line,
        raw: raw.to_owned(),
        facility_id,
        establishment,
        quartier,
        position,
        capacity,
        capacity_theoretical,
        occupancy,
        attributes,
    })
}

fn store_quartiers(imp: &mut Import<'_>, rows: Vec<QuartierRow>) -> Result<Loaded, Error> {
    // Group by establishment, keeping file order.
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<QuartierRow>> = HashMap::new();
    for row in rows {
        let group = groups.entry(row.facility_id.clone()).or_insert_with(|| {
            order.push(row.facility_id.clone());
            Vec::new()
        });
        if let Some(first) = group.first()
            && first.establishment != row.establishment
        {
            let reason = format!(
                "establishment code shared by `{}` (line {}) and `{}`",
                first.establishment, first.line, row.establishment
            );
            imp.reject(Rejection::field(
                row.line,
                "cd_etablissement",
                reason,
                row.raw,
            ))?;
            continue;
        }
        if let Some(first) = group.iter().find(|q| q.quartier == row.quartier) {
            let reason = format!(
                "duplicate quartier `{}` of `{}` (first at line {})",
                row.quartier, row.establishment, first.line
            );
            imp.reject(Rejection::field(row.line, "quartier", reason, row.raw))?;
            continue;
        }
        group.push(row);
    }
    let mut accepted = 0u64;
    let mut estimated = 0u64;
    for id in &order {
        let group = &groups[id];
        let sum = |f: fn(&QuartierRow) -> Option<u32>| -> Option<u32> {
            group.iter().map(f).try_fold(0u32, |a, v| v.map(|v| a + v))
        };
        let known_occupancy: u32 = group.iter().filter_map(|q| q.occupancy).sum();
        let not_communicated = group.iter().filter(|q| q.occupancy.is_none()).count();
        let capacity = group.iter().filter_map(|q| q.capacity).sum::<u32>();
        // All quartiers of an establishment share the establishment's address point; average
        // defensively in case a file places them apart.
        let points: Vec<LonLat> = group.iter().filter_map(|q| q.position).collect();
        let centre = LonLat {
            lon: points.iter().map(|p| p.lon).sum::<f64>() / points.len() as f64,
            lat: points.iter().map(|p| p.lat).sum::<f64>() / points.len() as f64,
        };
        let mut attributes = group[0].attributes.clone();
        if let Some(t) = sum(|q| q.capacity_theoretical) {
            attributes.push(("capacity_theoretical".into(), t.to_string()));
        }
        if not_communicated > 0 {
            attributes.push((
                "occupancy_note".into(),
                format!("{not_communicated} of {} quartiers not communicated; occupancy counts the others", group.len()),
            ));
        }
        let facility = Facility {
            id: id.clone(),
            name: group[0].establishment.clone(),
            kind: group[0]
                .establishment
                .split_whitespace()
                .next()
                .map(str::to_owned),
            capacity: Some(capacity),
            occupancy: (not_communicated < group.len()).then_some(known_occupancy),
            footprint: default_footprint(centre, Some(capacity)),
            jammer: None,
            zones: group
                .iter()
                .map(|q| Zone {
                    id: q.quartier.clone(),
                    name: None,
                    kind: ZoneType::Quartier,
                    parent: None,
                    footprint: None,
                    capacity: q.capacity,
                    occupancy: q.occupancy,
                    cells: Vec::new(),
                })
                .collect(),
            attributes,
        };
        estimated += 1;
        accepted += group.len() as u64;
        store_facility(imp, &facility)?;
    }
    Ok(Loaded {
        accepted,
        summary: format!(
            "{} facilities ({estimated} with estimated footprints), {accepted} quartier zones",
            order.len()
        ),
    })
}

fn import_own_geojson(
    imp: &mut Import<'_>,
    ctx: &Ctx<'_>,
    features: &[Feature],
    crs: Crs,
) -> Result<Loaded, Error> {
    let _ = ctx;
    let mut facilities: Vec<(u64, Facility)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut zone_rows = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let line = i as u64 + 1;
        let raw = raw_feature(f);
        let kind = prop(f, "kind").unwrap_or_else(|| {
            if prop(f, "facility_id").is_some() {
                "zone".into()
            } else {
                "facility".into()
            }
        });
        match kind.as_str() {
            "facility" => match own_facility(f, crs, line, &raw) {
                Ok(fac) => {
                    if let Some(&j) = index.get(&fac.id) {
                        let reason = format!(
                            "duplicate facility id `{}` (first at feature {})",
                            fac.id, facilities[j].0
                        );
                        imp.reject(Rejection::field(line, "id", reason, raw))?;
                    } else {
                        index.insert(fac.id.clone(), facilities.len());
                        facilities.push((line, fac));
                    }
                }
                Err(r) => imp.reject(r)?,
            },
            "zone" => zone_rows.push((line, raw, f)),
            other => imp.reject(Rejection::field(
                line,
                "kind",
                format!("unknown feature kind `{other}`; expected `facility` or `zone`"),
                raw,
            ))?,
        }
    }
    // Zones second, so that they may precede their facility in the file.
    let mut zones_accepted = 0u64;
    let mut zone_lines: HashMap<(String, String), u64> = HashMap::new();
    for (line, raw, f) in zone_rows {
        let facility_id = prop(f, "facility_id");
        let target = facility_id.as_deref().and_then(|id| index.get(id)).copied();
        let zone = own_zone(f, crs, line, &raw).and_then(|z| {
            let fid = facility_id.clone().ok_or_else(|| {
                Rejection::field(line, "facility_id", "zone without `facility_id`", raw.clone())
            })?;
            let Some(j) = target else {
                return Err(Rejection::field(
                    line,
                    "facility_id",
                    format!("zone of unknown facility `{fid}`: zones must come in the same file as their facility"),
                    raw.clone(),
                ));
            };
            let fac = &facilities[j].1;
            if let Some(first) = zone_lines.get(&(fid.clone(), z.id.clone())) {
                return Err(Rejection::field(line, "id", format!("duplicate zone `{}` in facility `{fid}` (first at feature {first})", z.id), raw.clone()));
            }
            if let Some(fp) = &z.footprint
                && !fac.footprint.estimated
            {
                let inside = fp.shape.centroid().is_some_and(|c| fac.footprint.shape.contains(&c));
                if !inside {
                    return Err(Rejection::field(line, "geometry", format!("zone `{}` lies outside the footprint of facility `{fid}`", z.id), raw.clone()));
                }
            }
            Ok((j, fid, z))
        });
        match zone {
            Ok((j, fid, z)) => {
                zone_lines.insert((fid, z.id.clone()), line);
                facilities[j].1.zones.push(z);
                zones_accepted += 1;
            }
            Err(r) => imp.reject(r)?,
        }
    }
    // A parent must name another zone of the same facility.
    for (_, fac) in &mut facilities {
        let ids: Vec<String> = fac.zones.iter().map(|z| z.id.clone()).collect();
        let mut kept = Vec::new();
        for z in std::mem::take(&mut fac.zones) {
            match &z.parent {
                Some(p) if !ids.contains(p) || p == &z.id => {
                    let line = zone_lines[&(fac.id.clone(), z.id.clone())];
                    let raw = raw_feature(&features[line as usize - 1]);
                    imp.reject(Rejection::field(
                        line,
                        "parent",
                        format!(
                            "parent zone `{p}` is not another zone of facility `{}`",
                            fac.id
                        ),
                        raw,
                    ))?;
                    zones_accepted -= 1;
                }
                _ => kept.push(z),
            }
        }
        fac.zones = kept;
    }
    let estimated = facilities
        .iter()
        .filter(|(_, f)| f.footprint.estimated)
        .count();
    for (_, fac) in &facilities {
        store_facility(imp, fac)?;
    }
    Ok(Loaded {
        accepted: facilities.len() as u64 + zones_accepted,
        summary: format!(
            "{} facilities ({estimated} with estimated footprints), {zones_accepted} zones",
            facilities.len()
        ),
    })
}

fn own_facility(f: &Feature, crs: Crs, line: u64, raw: &str) -> Result<Facility, Rejection> {
    let err = |field: &str, reason: String| Rejection::field(line, field, reason, raw);
    let id = prop(f, "id")
        .or_else(|| {
            f.id.as_ref().map(|id| match id {
                geojson::feature::Id::String(s) => s.clone(),
                geojson::feature::Id::Number(n) => n.to_string(),
            })
        })
        .ok_or_else(|| err("id", "facility without `id`".into()))?;
    let name = prop(f, "name").ok_or_else(|| err("name", "facility without `name`".into()))?;
    let capacity = parse_count(prop(f, "capacity").as_deref()).map_err(|e| err("capacity", e))?;
    let occupancy =
        parse_count(prop(f, "occupancy").as_deref()).map_err(|e| err("occupancy", e))?;
    let footprint = footprint_of(f, crs, capacity, true)
        .map_err(|r| err("geometry", r))?
        .ok_or_else(|| err("geometry", "facility without geometry".into()))?;
    let jammer = match prop(f, "jammer_installed") {
        None => None,
        Some(d) => Some(Jammer {
            installed: parse_date(&d).map_err(|e| err("jammer_installed", e))?,
            bands: list_prop(f, "jammer_bands"),
        }),
    };
    let known = [
        "kind",
        "id",
        "name",
        "type",
        "capacity",
        "occupancy",
        "jammer_installed",
        "jammer_bands",
    ];
    let attributes = f
        .properties
        .iter()
        .flatten()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), scalar(v)))
        .collect();
    Ok(Facility {
        id,
        name,
        kind: prop(f, "type"),
        capacity,
        occupancy,
        footprint,
        jammer,
        zones: Vec::new(),
        attributes,
    })
}

fn own_zone(f: &Feature, crs: Crs, line: u64, raw: &str) -> Result<Zone, Rejection> {
    let err = |field: &str, reason: String| Rejection::field(line, field, reason, raw);
    let id = prop(f, "id").ok_or_else(|| err("id", "zone without `id`".into()))?;
    let kind: ZoneType = prop(f, "zone_type")
        .ok_or_else(|| err("zone_type", "zone without `zone_type`".into()))?
        .parse()
        .map_err(|e: String| err("zone_type", e))?;
    let cells = expand_cells(&list_prop(f, "cells")).map_err(|e| err("cells", e))?;
    Ok(Zone {
        id,
        name: prop(f, "name"),
        kind,
        parent: prop(f, "parent"),
        footprint: footprint_of(f, crs, None, false).map_err(|r| err("geometry", r))?,
        capacity: parse_count(prop(f, "capacity").as_deref()).map_err(|e| err("capacity", e))?,
        occupancy: parse_count(prop(f, "occupancy").as_deref()).map_err(|e| err("occupancy", e))?,
        cells,
    })
}

/// Expands prison-cell lists: plain numbers (`A101`, `A1-204`), and ranges with a shared
/// prefix: `A101..A148` always, and `A101-A148` or `101-148` when both sides share their prefix
/// (so that dashed numbers such as `A1-204` stay single cells).
pub(crate) fn expand_cells(items: &[String]) -> Result<Vec<String>, String> {
    let split = |s: &str| {
        let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (p, n) = s.split_at(s.len() - digits);
        (p.to_owned(), n.to_owned())
    };
    let mut out = Vec::new();
    for item in items {
        let item = item.trim();
        let explicit = item.split_once("..");
        let (a, b) = match explicit.or_else(|| item.split_once('-')) {
            Some((a, b)) => (a.trim(), b.trim()),
            None => {
                out.push(item.to_owned());
                continue;
            }
        };
        let ((pa, na), (pb, nb)) = (split(a), split(b));
        let same_shape = pa == pb && !na.is_empty() && !nb.is_empty();
        if !same_shape {
            if explicit.is_some() {
                return Err(format!("`{item}` is not a cell range like `A101..A148`"));
            }
            out.push(item.to_owned());
            continue;
        }
        let bad = || format!("`{item}` is not a cell range like `A101..A148`");
        let lo: u32 = na.parse().map_err(|_| bad())?;
        let hi: u32 = nb.parse().map_err(|_| bad())?;
        if hi < lo {
            return Err(format!("cell range `{item}` runs backwards"));
        }
        if hi - lo >= MAX_CELL_RANGE {
            return Err(format!(
                "cell range `{item}` has {} cells; at most {MAX_CELL_RANGE} per range",
                hi - lo + 1
            ));
        }
        let width = na.len();
        for n in lo..=hi {
            out.push(format!("{pa}{n:0width$}"));
        }
    }
    Ok(out)
}

/// Footprint from a feature's geometry: polygons are surveyed; a point gets the documented
/// estimate (only when `allow_point`).
fn footprint_of(
    f: &Feature,
    crs: Crs,
    capacity: Option<u32>,
    allow_point: bool,
) -> Result<Option<Footprint>, String> {
    let Some(g) = &f.geometry else {
        return Ok(None);
    };
    let geom = geo::Geometry::<f64>::try_from(&g.value)
        .map_err(|e| format!("unreadable geometry: {e}"))?;
    let geom = reproject(geom, crs)?;
    match geom {
        geo::Geometry::Polygon(p) => Footprint::surveyed(geo::MultiPolygon(vec![p]))
            .map(Some)
            .map_err(|e| e.to_string()),
        geo::Geometry::MultiPolygon(mp) => {
            Footprint::surveyed(mp).map(Some).map_err(|e| e.to_string())
        }
        geo::Geometry::Point(p) if allow_point => {
            let c = LonLat::new(p.x(), p.y()).map_err(|e| e.to_string())?;
            Ok(Some(default_footprint(c, capacity)))
        }
        other => Err(format!(
            "geometry must be {}, found {}",
            if allow_point {
                "Polygon, MultiPolygon or Point"
            } else {
                "Polygon or MultiPolygon"
            },
            geometry_name(&other)
        )),
    }
}

fn point_of(f: &Feature, crs: Crs) -> Result<LonLat, String> {
    let g = f
        .geometry
        .as_ref()
        .ok_or("no latitude/longitude and no geometry")?;
    match reproject(
        geo::Geometry::<f64>::try_from(&g.value).map_err(|e| e.to_string())?,
        crs,
    )? {
        geo::Geometry::Point(p) => LonLat::new(p.x(), p.y()).map_err(|e| e.to_string()),
        other => Err(format!("expected a Point, found {}", geometry_name(&other))),
    }
}

fn reproject(g: geo::Geometry<f64>, crs: Crs) -> Result<geo::Geometry<f64>, String> {
    if crs == Crs::Wgs84 {
        return Ok(g);
    }
    g.try_map_coords(|c| {
        crs.to_wgs84(c.x, c.y)
            .map(|p| geo::coord! { x: p.lon, y: p.lat })
    })
    .map_err(|e| e.to_string())
}

fn geometry_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::Polygon(_) => "Polygon",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        geo::Geometry::Rect(_) => "Rect",
        geo::Geometry::Triangle(_) => "Triangle",
    }
}

/// A property as text: strings as they are, numbers and booleans printed, null as absent.
fn prop(f: &Feature, key: &str) -> Option<String> {
    match f.properties.as_ref()?.get(key)? {
        JsonValue::Null => None,
        JsonValue::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        other => Some(scalar(other)),
    }
}

/// A property that may be a JSON array or a comma-separated string.
fn list_prop(f: &Feature, key: &str) -> Vec<String> {
    match f.properties.as_ref().and_then(|p| p.get(key)) {
        Some(JsonValue::Array(a)) => a.iter().map(scalar).collect(),
        Some(JsonValue::String(s)) => s
            .split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect(),
        Some(JsonValue::Null) | None => Vec::new(),
        Some(other) => vec![scalar(other)],
    }
}

fn scalar(v: &JsonValue) -> String {
    match v {
        JsonValue::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn raw_feature(f: &Feature) -> String {
    truncate(&serde_json::to_string(f).unwrap_or_default(), 2_000)
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn geojson_text(fp: &Footprint) -> String {
    geojson::Geometry::new(geojson::GeometryValue::from(&fp.shape)).to_string()
}

/// Writes a facility and its zones, replacing any earlier version of the same id.
fn store_facility(imp: &Import<'_>, f: &Facility) -> Result<(), Error> {
    let tx = imp.tx();
    let sql = |e| Error::Store(imp.sql_err(e));
    let c = f.footprint.centroid();
    let attributes: JsonObject = f
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), JsonValue::String(v.clone())))
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    let existed: Option<i64> = tx
        .query_row("SELECT 1 FROM facilities WHERE id = ?1", [&f.id], |r| {
            r.get(0)
        })
        .optional()
        .map_err(sql)?;
    if existed.is_some() {
        tx.execute("DELETE FROM zones WHERE facility_id = ?1", [&f.id])
            .map_err(sql)?;
        tx.execute("DELETE FROM facilities WHERE id = ?1", [&f.id])
            .map_err(sql)?;
    }
    tx.execute(
        "INSERT INTO facilities (id, name, kind, capacity, occupancy, footprint, footprint_estimated,
             area_m2, centroid_lon, centroid_lat, jammer_installed, jammer_bands, attributes, source_file_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            f.id,
            f.name,
            f.kind,
            f.capacity,
            f.occupancy,
            geojson_text(&f.footprint),
            f.footprint.estimated,
            f.footprint.area_m2(),
            c.lon,
            c.lat,
            f.jammer.as_ref().map(|j| j.installed.to_string()),
            f.jammer.as_ref().map(|j| j.bands.join(",")),
            JsonValue::Object(attributes).to_string(),
            imp.source_id(),
        ],
    )
    .map_err(sql)?;
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO zones (facility_id, id, name, kind, parent_id, footprint, capacity, occupancy, cells, source_file_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(sql)?;
    for z in &f.zones {
        stmt.execute(params![
            f.id,
            z.id,
            z.name,
            z.kind.as_str(),
            z.parent,
            z.footprint.as_ref().map(geojson_text),
            z.capacity,
            z.occupancy,
            JsonValue::from(z.cells.clone()).to_string(),
            imp.source_id(),
        ])
        .map_err(sql)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_ranges() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            expand_cells(&v(&["A101-A103", "B7"])).unwrap(),
            v(&["A101", "A102", "A103", "B7"])
        );
        assert_eq!(
            expand_cells(&v(&["008-010"])).unwrap(),
            v(&["008", "009", "010"])
        );
        assert!(expand_cells(&v(&["A101..B103"])).is_err());
        assert_eq!(
            expand_cells(&v(&["A1-204", "A101-B103"])).unwrap(),
            v(&["A1-204", "A101-B103"])
        );
        assert_eq!(
            expand_cells(&v(&["A1-201..A1-203"])).unwrap(),
            v(&["A1-201", "A1-202", "A1-203"])
        );
        assert!(expand_cells(&v(&["110-101"])).is_err());
        assert!(expand_cells(&v(&["1-100000"])).is_err());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("CP FRESNES - Villejuif"), "CP-FRESNES-VILLEJUIF");
    }
}
