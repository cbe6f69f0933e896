//! The inside of facilities as the catalog describes it: search zones and prison cells.
//!
//! A *search zone* is the unit a plan and the prison's own records name: the nearest zone
//! (the one listing a prison cell, or an ancestor) that has a footprint, in practice a wing.
//! Floors usually have no polygon of their own; their cells belong to their wing.
//! Each search zone with a polygon gets sample points (a grid of up to 8 × 8 points inside
//! it) on which radio evidence is evaluated.
//!
//! Prison cells come from the zones' cell lists and, for cells no zone lists (a facility
//! imported from a list of establishments, without a floor plan), from the inmate registry's
//! cell assignments: such a cell joins the search zone of its registry zone when the catalog
//! knows that zone, else a search zone of that name without a polygon (radio evidence then
//! cannot tell its cells from the facility's other zones, and `locate` says so by spreading).

use std::collections::HashMap;

use cellsweep_detect::tables::{Facility, Plane};
use cellsweep_geo::geo::{Contains, Coord, Geometry, MultiPolygon, Point};
use cellsweep_store::Workspace;

use crate::Error;

/// A facility's search zones and prison cells.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Facility id.
    pub facility: String,
    /// Search zones, in catalog order.
    pub zones: Vec<SearchZone>,
    /// Prison cells, with the index of their search zone.
    pub cells: Vec<PrisonCell>,
}

/// A zone searches are planned in.
#[derive(Debug, Clone)]
pub struct SearchZone {
    /// Zone id.
    pub id: String,
    /// Sample points inside it, kilometres in the detection plane; empty without a polygon.
    pub samples: Vec<(f64, f64)>,
}

/// A numbered prison cell.
#[derive(Debug, Clone)]
pub struct PrisonCell {
    /// Cell number as the facility writes it.
    pub no: String,
    /// Index into [`Layout::zones`].
    pub zone: usize,
}

impl Layout {
    /// The index of a cell by number.
    pub fn cell_index(&self) -> HashMap<&str, usize> {
        self.cells
            .iter()
            .enumerate()
            .map(|(i, c)| (c.no.as_str(), i))
            .collect()
    }

    /// The index of a zone by id.
    pub fn zone_index(&self) -> HashMap<&str, usize> {
        self.zones
            .iter()
            .enumerate()
            .map(|(i, z)| (z.id.as_str(), i))
            .collect()
    }

    /// Number of prison cells of each zone.
    pub fn cells_per_zone(&self) -> Vec<usize> {
        let mut n = vec![0; self.zones.len()];
        for c in &self.cells {
            n[c.zone] += 1;
        }
        n
    }
}

struct ZoneRow {
    id: String,
    parent: Option<String>,
    shape: Option<MultiPolygon<f64>>,
    cells: Vec<String>,
}

/// Reads the layout of every facility that has prison cells, in its zones or in the inmate
/// registry (others cannot be planned at cell level and are skipped; [`layouts`] returns their
/// ids as the second value).
pub fn layouts(
    ws: &Workspace,
    facilities: &[Facility],
    plane: Plane,
) -> Result<(Vec<Layout>, Vec<String>), Error> {
    let mut stmt = ws.conn().prepare(
        "SELECT facility_id, id, parent_id, footprint, cells FROM zones ORDER BY facility_id, rowid",
    )?;
    let mut by_fac: HashMap<String, Vec<ZoneRow>> = HashMap::new();
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    for row in rows {
        let (fac, id, parent, footprint, cells) = row?;
        let shape = match footprint {
            Some(text) => Some(parse_shape(&text).map_err(|e| {
                Error::Data(format!("zone `{id}` of facility `{fac}`: footprint: {e}"))
            })?),
            None => None,
        };
        let cells: Vec<String> = serde_json::from_str(&cells)
            .map_err(|e| Error::Data(format!("zone `{id}` of facility `{fac}`: cells: {e}")))?;
        by_fac.entry(fac).or_default().push(ZoneRow {
            id,
            parent,
            shape,
            cells,
        });
    }
    let mut registry: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut stmt = ws.conn().prepare(
        "SELECT DISTINCT facility_id, zone_id, cell_no FROM inmate_cells
         ORDER BY facility_id, zone_id, cell_no",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (fac, zone, cell) = row?;
        registry.entry(fac).or_default().push((zone, cell));
    }
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for f in facilities {
        let rows = by_fac.get(&f.id).map(Vec::as_slice).unwrap_or_default();
        let registered = registry.get(&f.id).map(Vec::as_slice).unwrap_or_default();
        let layout = build(&f.id, rows, registered, plane);
        if layout.cells.is_empty() {
            skipped.push(f.id.clone());
        } else {
            out.push(layout);
        }
    }
    Ok((out, skipped))
}

/// A facility's layout from its zone rows and the (zone, cell) pairs of its inmate registry.
fn build(facility: &str, rows: &[ZoneRow], registry: &[(String, String)], plane: Plane) -> Layout {
    let by_id: HashMap<&str, &ZoneRow> = rows.iter().map(|z| (z.id.as_str(), z)).collect();
    let mut zones: Vec<SearchZone> = Vec::new();
    let mut zone_of: HashMap<String, usize> = HashMap::new();
    let mut cells = Vec::new();
    // The search zone of a zone row: the nearest one with a polygon, walking up; bounded
    // against cycles in bad data.
    let mut search_zone = |z: &ZoneRow, zones: &mut Vec<SearchZone>| {
        let mut at = z;
        let mut hops = 0;
        while at.shape.is_none() && hops < 16 {
            match at.parent.as_deref().and_then(|p| by_id.get(p)) {
                Some(p) => at = p,
                None => break,
            }
            hops += 1;
        }
        let search = if at.shape.is_some() { at } else { z };
        *zone_of.entry(search.id.clone()).or_insert_with(|| {
            zones.push(SearchZone {
                id: search.id.clone(),
                samples: search
                    .shape
                    .as_ref()
                    .map(|s| samples(s, plane))
                    .unwrap_or_default(),
            });
            zones.len() - 1
        })
    };
    for z in rows.iter().filter(|z| !z.cells.is_empty()) {
        let idx = search_zone(z, &mut zones);
        for no in &z.cells {
            cells.push(PrisonCell {
                no: no.clone(),
                zone: idx,
            });
        }
    }
    // Cells only the registry knows (cell numbers are unique within a facility, as the plan
    // and the outcomes name them).
    let mut known: std::collections::HashSet<String> = cells.iter().map(|c| c.no.clone()).collect();
    let mut bare: HashMap<String, usize> = HashMap::new();
    for (zone, no) in registry {
        if !known.insert(no.clone()) {
            continue;
        }
        let idx = match by_id.get(zone.as_str()) {
            Some(z) => search_zone(z, &mut zones),
            None => *bare.entry(zone.clone()).or_insert_with(|| {
                zones.push(SearchZone {
                    id: zone.clone(),
                    samples: Vec::new(),
                });
                zones.len() - 1
            }),
        };
        cells.push(PrisonCell {
            no: no.clone(),
            zone: idx,
        });
    }
    Layout {
        facility: facility.to_owned(),
        zones,
        cells,
    }
}

fn parse_shape(text: &str) -> Result<MultiPolygon<f64>, String> {
    let g: geojson::Geometry = text.parse().map_err(|e| format!("{e}"))?;
    match Geometry::<f64>::try_from(&g.value) {
        Ok(Geometry::MultiPolygon(mp)) => Ok(mp),
        Ok(Geometry::Polygon(p)) => Ok(MultiPolygon(vec![p])),
        _ => Err("not a polygon".into()),
    }
}

/// A grid of up to 8 × 8 points inside the shape (its centroid-ish first point if none falls
/// inside, for slivers).
fn samples(shape: &MultiPolygon<f64>, plane: Plane) -> Vec<(f64, f64)> {
    let pts: Vec<Coord<f64>> = shape
        .0
        .iter()
        .flat_map(|p| p.exterior().0.iter().copied())
        .collect();
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for c in &pts {
        x0 = x0.min(c.x);
        y0 = y0.min(c.y);
        x1 = x1.max(c.x);
        y1 = y1.max(c.y);
    }
    const N: usize = 8;
    let mut out = Vec::new();
    for i in 0..N {
        for j in 0..N {
            let x = x0 + (x1 - x0) * (i as f64 + 0.5) / N as f64;
            let y = y0 + (y1 - y0) * (j as f64 + 0.5) / N as f64;
            if shape.contains(&Point::new(x, y)) {
                out.push(xy(plane, x, y));
            }
        }
    }
    if out.is_empty() && !pts.is_empty() {
        out.push(xy(plane, (x0 + x1) / 2.0, (y0 + y1) / 2.0));
    }
    out
}

fn xy(plane: Plane, lon: f64, lat: f64) -> (f64, f64) {
    match cellsweep_geo::LonLat::new(lon, lat) {
        Ok(p) => plane.xy(p),
        Err(_) => (0.0, 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64) -> MultiPolygon<f64> {
        parse_shape(&format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}"#,
            x + 0.001,
            x + 0.001,
            y + 0.001,
            y + 0.001
        ))
        .unwrap()
    }

    fn plane() -> Plane {
        Plane::for_facilities(&[])
    }

    #[test]
    fn floors_join_their_wing_and_registry_cells_fill_what_zones_do_not_list() {
        let rows = vec![
            ZoneRow {
                id: "A".into(),
                parent: None,
                shape: Some(square(2.0, 48.0)),
                cells: vec![],
            },
            ZoneRow {
                id: "A1".into(),
                parent: Some("A".into()),
                shape: None,
                cells: vec!["101".into(), "102".into()],
            },
        ];
        let registry = vec![
            ("A1".to_owned(), "101".to_owned()),
            ("A1".to_owned(), "103".to_owned()),
            ("QH".to_owned(), "7".to_owned()),
        ];
        let l = build("F1", &rows, &registry, plane());
        let zones: Vec<&str> = l.zones.iter().map(|z| z.id.as_str()).collect();
        assert_eq!(zones, ["A", "QH"]);
        assert!(!l.zones[0].samples.is_empty());
        assert!(l.zones[1].samples.is_empty());
        let cells: Vec<(&str, usize)> = l.cells.iter().map(|c| (c.no.as_str(), c.zone)).collect();
        assert_eq!(cells, [("101", 0), ("102", 0), ("103", 0), ("7", 1)]);
    }

    #[test]
    fn a_facility_known_only_from_its_registry_is_planned_by_registry_zone() {
        let registry = vec![
            ("QMA".to_owned(), "1".to_owned()),
            ("QMA".to_owned(), "2".to_owned()),
            ("QCD".to_owned(), "3".to_owned()),
        ];
        let l = build("F2", &[], &registry, plane());
        assert_eq!(l.zones.len(), 2);
        assert_eq!(l.cells_per_zone(), [2, 1]);
        assert!(build("F3", &[], &[], plane()).cells.is_empty());
    }
}
