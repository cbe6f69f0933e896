//! Real inputs a scenario may name: the national facilities list and Arcep's antenna sites.
//! Both are read through the reference importer, the same code users run, into a scratch
//! workspace, so that the simulator accepts exactly what `cellsweep ref import` accepts.

use std::path::Path;

use cellsweep_ids::Region;
use cellsweep_ref::{ImportOutcome, ImportRequest, Kind};
use cellsweep_store::Workspace;

use crate::Error;

/// A real facility.
#[derive(Debug, Clone)]
pub(crate) struct RealFacility {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) town: String,
    pub(crate) lon: f64,
    pub(crate) lat: f64,
    pub(crate) capacity: u32,
    pub(crate) occupancy: Option<u32>,
}

/// A real antenna site.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RealSite {
    pub(crate) op: usize,
    pub(crate) lon: f64,
    pub(crate) lat: f64,
}

fn scratch(kind: Kind, path: &Path) -> Result<(tempfile::TempDir, Workspace), Error> {
    let err = |reason: String| Error::Input {
        path: path.into(),
        reason,
    };
    let dir =
        tempfile::tempdir().map_err(|e| err(format!("cannot create a scratch workspace: {e}")))?;
    let mut ws = Workspace::init(&dir.path().join("ws")).map_err(|e| err(e.to_string()))?;
    let req = ImportRequest {
        kind,
        path: path.into(),
        format: None,
        request_ref: None,
        replace: false,
        region: Region::FR,
    };
    match cellsweep_ref::import(&mut ws, &req) {
        Ok(ImportOutcome::Imported { .. }) | Ok(ImportOutcome::AlreadyImported(_)) => Ok((dir, ws)),
        Err(e) => Err(err(e.to_string())),
    }
}

/// Facilities of a real list, in the file's order; those without operational places are left
/// out (closed quartiers).
pub(crate) fn real_facilities(path: &Path) -> Result<Vec<RealFacility>, Error> {
    let (_dir, ws) = scratch(Kind::Facilities, path)?;
    let mut stmt = ws
        .conn()
        .prepare(
            "SELECT id, name, coalesce(kind, 'CP'), coalesce(json_extract(attributes, '$.ville_etab'), name),
                    centroid_lon, centroid_lat, coalesce(capacity, 0), occupancy
             FROM facilities ORDER BY rowid",
        )
        .map_err(|e| Error::Input { path: path.into(), reason: e.to_string() })?;
    let rows = stmt
        .query_map([], |r| {
            Ok(RealFacility {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                town: r.get(3)?,
                lon: r.get(4)?,
                lat: r.get(5)?,
                capacity: r.get(6)?,
                occupancy: r.get(7)?,
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Error::Input {
            path: path.into(),
            reason: e.to_string(),
        })?;
    Ok(rows.into_iter().filter(|f| f.capacity > 0).collect())
}

/// Antenna sites of a real list.
pub(crate) fn real_sites(path: &Path) -> Result<Vec<RealSite>, Error> {
    let (_dir, ws) = scratch(Kind::Cells, path)?;
    let mut stmt = ws
        .conn()
        .prepare("SELECT operator, lon, lat FROM sites")
        .map_err(|e| Error::Input {
            path: path.into(),
            reason: e.to_string(),
        })?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Error::Input {
            path: path.into(),
            reason: e.to_string(),
        })?;
    Ok(rows
        .into_iter()
        .filter_map(|(op, lon, lat)| {
            let op = match op.as_str() {
                "208-01" => 0,
                "208-10" => 1,
                "208-15" => 2,
                "208-20" => 3,
                _ => return None,
            };
            Some(RealSite { op, lon, lat })
        })
        .collect())
}
