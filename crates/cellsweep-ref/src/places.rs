//! Referential checks of prison records against the facilities already in the workspace.
//!
//! Records name a facility, often a zone (the wing) and a prison cell. When facilities have been
//! imported, a record naming one the workspace does not know is quarantined: it would join to
//! nothing later. The checks go only as deep as the reference data: no facilities at all means
//! no check; a facility without zones accepts any zone; a zone whose subtree lists no prison
//! cells accepts any cell number. Cells are listed on the deepest zones (floors) while records
//! name the wing, so a zone owns every cell of its descendants.

use std::collections::{HashMap, HashSet};

use cellsweep_store::Import;

use crate::Error;

/// A failed check: the field at fault and why.
pub(crate) type Miss = (&'static str, String);

/// Facilities, their zones, and the prison cells under each zone.
pub(crate) struct Places {
    facilities: HashMap<String, Zones>,
}

#[derive(Default)]
struct Zones {
    /// Zone id -> cells in the zone and its descendants.
    cells: HashMap<String, HashSet<String>>,
}

impl Places {
    /// Reads the facilities and zones of the workspace (inside the import's transaction).
    pub(crate) fn load(imp: &Import<'_>) -> Result<Places, Error> {
        let sql = |e| Error::Store(imp.sql_err(e));
        let mut facilities: HashMap<String, Zones> = HashMap::new();
        let mut stmt = imp.tx().prepare("SELECT id FROM facilities").map_err(sql)?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql)?;
        for id in ids {
            facilities.insert(id, Zones::default());
        }
        let mut stmt = imp
            .tx()
            .prepare("SELECT facility_id, id, parent_id, cells FROM zones")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql)?;
        let mut parents: HashMap<(String, String), Option<String>> = HashMap::new();
        let mut own: Vec<(String, String, Vec<String>)> = Vec::new();
        for (fid, zid, parent, cells) in rows {
            let zones = facilities.entry(fid.clone()).or_default();
            zones.cells.entry(zid.clone()).or_default();
            parents.insert((fid.clone(), zid.clone()), parent);
            // The facilities reader wrote this JSON list; anything else counts as no cells.
            let list: Vec<String> = serde_json::from_str(&cells).unwrap_or_default();
            own.push((fid, zid, list));
        }
        for (fid, zid, list) in own {
            if list.is_empty() {
                continue;
            }
            let zones = facilities.get_mut(&fid).expect("inserted above");
            // Walk up to the root; the bound guards against a parent cycle in hand-made data.
            let mut at = Some(zid);
            for _ in 0..64 {
                let Some(z) = at else { break };
                if let Some(set) = zones.cells.get_mut(&z) {
                    set.extend(list.iter().cloned());
                }
                at = parents.get(&(fid.clone(), z)).cloned().flatten();
            }
        }
        Ok(Places { facilities })
    }

    /// Checks a facility and, when given, a zone and a prison cell in it.
    pub(crate) fn check(
        &self,
        facility: &str,
        zone: Option<&str>,
        cell: Option<&str>,
    ) -> Result<(), Miss> {
        if self.facilities.is_empty() {
            return Ok(());
        }
        let Some(zones) = self.facilities.get(facility) else {
            return Err((
                "facility_id",
                format!(
                    "unknown facility `{facility}`: not among the {} facilities in the workspace",
                    self.facilities.len()
                ),
            ));
        };
        let Some(zone) = zone else { return Ok(()) };
        if zones.cells.is_empty() {
            return Ok(());
        }
        let Some(cells) = zones.cells.get(zone) else {
            return Err((
                "zone_id",
                format!("facility `{facility}` has no zone `{zone}`"),
            ));
        };
        match cell {
            Some(c) if !cells.is_empty() && !cells.contains(c) => Err((
                "cell_no",
                format!("zone `{zone}` of facility `{facility}` has no prison cell `{c}`"),
            )),
            _ => Ok(()),
        }
    }
}
