//! Derived tables the presence SQL joins with, written as Parquet under `WS/derived/detect/`
//! (Parquet rather than in-memory tables, so that Ballista executors can read them):
//!
//! | table | columns | what |
//! |---|---|---|
//! | `cell_pos` | cell, x_km, y_km | every cell's site in a plane (equirectangular at the facilities' mean latitude) |
//! | `cell_fac` | cell, facility (index), share, prob | cells whose served area overlaps a facility: the overlapping share and the probability that a phone served there is inside |
//! | `ta_ok` | cell, ta, facility (index) | timing-advance values of those cells whose band (±1 step of measurement error) overlaps the footprint |
//! | `hours` | hour, local_day, local_hour, night | every UTC hour of the data: its local day, hour and night (22:00–06:00, named after its evening) |
//! | `fac` | facility (index), id, x_km, y_km | facility ids and centroids in the same plane |
//! | `agg` | device, cell, ta, local_day, night, class, n, t_min, t_max | the events of each device counted per cell, timing advance, day and hour class (`features::AGG_SQL`) |
//! | `pairs_dev` | imei, imsi, device | the device (its index in the resolution) of each (IMEI, IMSI) pairing, 0 for a missing identifier |

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch,
    StringArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema};
use cellsweep_geo::{Footprint, LonLat, Radio, Sector, overlap, presence_probability};
use cellsweep_ids::{CellId, CellParseOptions, MncTable};
use cellsweep_store::Workspace;
use parquet::arrow::ArrowWriter;

use crate::Error;

/// The derived tables, by name.
pub const NAMES: [&str; 7] = [
    "cell_pos",
    "cell_fac",
    "ta_ok",
    "hours",
    "fac",
    "pairs_dev",
    "agg",
];

/// Km per degree of latitude.
const KM_PER_DEG: f64 = 111.32;

/// People per km² assumed around a facility, to weigh coverage shares (a town's density).
pub const SURROUNDINGS_PER_KM2: f64 = 2_000.0;

/// A facility as detection needs it.
#[derive(Debug, Clone)]
pub struct Facility {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Footprint.
    pub footprint: Footprint,
    /// Occupancy (or capacity) for the density weighting.
    pub people: u32,
}

/// A cell as detection needs it.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Canonical key (`CellId::key`).
    pub key: u64,
    /// Radio.
    pub radio: Radio,
    /// Served area.
    pub sector: Sector,
}

/// Reads facilities from the catalog.
pub fn facilities(ws: &Workspace) -> Result<Vec<Facility>, Error> {
    let mut stmt = ws.conn().prepare(
        "SELECT id, name, footprint, coalesce(occupancy, capacity, 0) FROM facilities ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u32>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, geojson, people) = row?;
        let g: geojson::Geometry = geojson
            .parse()
            .map_err(|e| Error::Data(format!("facility `{id}`: footprint: {e}")))?;
        let shape = match cellsweep_geo::geo::Geometry::<f64>::try_from(&g.value) {
            Ok(cellsweep_geo::geo::Geometry::MultiPolygon(mp)) => mp,
            Ok(cellsweep_geo::geo::Geometry::Polygon(p)) => {
                cellsweep_geo::geo::MultiPolygon(vec![p])
            }
            _ => {
                return Err(Error::Data(format!(
                    "facility `{id}`: footprint is not a polygon"
                )));
            }
        };
        out.push(Facility {
            id,
            name,
            footprint: Footprint {
                shape,
                estimated: false,
            },
            people,
        });
    }
    Ok(out)
}

/// Reads cells from the catalog.
pub fn cells(ws: &Workspace, mnc: &MncTable) -> Result<Vec<Cell>, Error> {
    let mut stmt = ws.conn().prepare(
        "SELECT cell_id, radio, lon, lat, azimuth, beamwidth, range_m FROM cells ORDER BY cell_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, f64>(2)?,
            r.get::<_, f64>(3)?,
            r.get::<_, Option<f64>>(4)?,
            r.get::<_, f64>(5)?,
            r.get::<_, f64>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, radio, lon, lat, azimuth, beamwidth, range_m) = row?;
        let cell = CellId::parse(&id, &CellParseOptions::default(), mnc)
            .map_err(|e| Error::Data(format!("cell `{id}` in the catalog: {e}")))?;
        let radio: Radio = radio.parse().map_err(Error::Data)?;
        let site = LonLat::new(lon, lat).map_err(|e| Error::Data(e.to_string()))?;
        out.push(Cell {
            key: cell.key(),
            radio,
            sector: Sector {
                site,
                azimuth,
                beamwidth,
                range_m,
            },
        });
    }
    Ok(out)
}

/// The plane detection measures distances in.
#[derive(Debug, Clone, Copy)]
pub struct Plane {
    cos: f64,
}

impl Plane {
    /// Equirectangular at the mean latitude of the facilities.
    pub fn for_facilities(f: &[Facility]) -> Plane {
        let lat = if f.is_empty() {
            46.5
        } else {
            f.iter().map(|f| f.footprint.centroid().lat).sum::<f64>() / f.len() as f64
        };
        Plane {
            cos: lat.to_radians().cos(),
        }
    }

    /// Kilometres east and north of (0°, 0°).
    pub fn xy(&self, p: LonLat) -> (f64, f64) {
        (p.lon * KM_PER_DEG * self.cos, p.lat * KM_PER_DEG)
    }
}

fn write(path: &Path, batch: RecordBatch) -> Result<(), Error> {
    write_batches(path, batch.schema(), &[batch])
}

/// Writes record batches to one Parquet file.
pub(crate) fn write_batches(
    path: &Path,
    schema: arrow::datatypes::SchemaRef,
    batches: &[RecordBatch],
) -> Result<(), Error> {
    let mut w = writer(path, schema)?;
    for batch in batches {
        w.write(batch)?;
    }
    w.close()
}

/// A Parquet file being written, batch by batch.
pub(crate) struct TableWriter {
    path: std::path::PathBuf,
    inner: ArrowWriter<File>,
}

/// Starts a Parquet file. Derived tables are read once or a few times soon after: plain
/// encoding, no dictionary and no compression. Measured on the presence benchmark's `agg`
/// (60 M rows): plain 60–63 s for stage one, 15–18 s for stage two; with dictionaries 64 s
/// and 17 s; zstd 72 s and 21 s.
pub(crate) fn writer(
    path: &Path,
    schema: arrow::datatypes::SchemaRef,
) -> Result<TableWriter, Error> {
    let file = File::create(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    let props = parquet::file::properties::WriterProperties::builder()
        .set_dictionary_enabled(false)
        .build();
    let inner = ArrowWriter::try_new(file, schema, Some(props))
        .map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
    Ok(TableWriter {
        path: path.into(),
        inner,
    })
}

impl TableWriter {
    /// Appends a batch.
    pub(crate) fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        self.inner
            .write(batch)
            .map_err(|e| Error::Data(format!("{}: {e}", self.path.display())))
    }

    /// Finishes the file.
    pub(crate) fn close(self) -> Result<(), Error> {
        self.inner
            .close()
            .map_err(|e| Error::Data(format!("{}: {e}", self.path.display())))?;
        Ok(())
    }
}

fn batch(fields: Vec<(&str, DataType)>, columns: Vec<ArrayRef>) -> RecordBatch {
    let schema = Schema::new(
        fields
            .into_iter()
            .map(|(n, t)| Field::new(n, t, false))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(Arc::new(schema), columns).expect("columns match their schema")
}

/// One overlapping (cell, facility) and its timing-advance values consistent with it.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Cell key.
    pub cell: u64,
    /// Facility id.
    pub facility: String,
    /// Share of the served area inside the footprint.
    pub share: f64,
    /// Probability that a phone served by the cell is inside.
    pub prob: f64,
    /// Consistent timing-advance values.
    pub ta_ok: Vec<u16>,
}

/// Coverage of every facility by every cell that reaches it.
pub fn coverage(facilities: &[Facility], cells: &[Cell]) -> Vec<Coverage> {
    let mut out = Vec::new();
    for f in facilities {
        let c = f.footprint.centroid();
        let area_km2 = f.footprint.area_m2() / 1e6;
        let reach = (f.footprint.area_m2() / std::f64::consts::PI).sqrt();
        let density = if area_km2 > 0.0 {
            f64::from(f.people) / area_km2
        } else {
            0.0
        };
        let ratio = (density / SURROUNDINGS_PER_KM2).max(1.0);
        let cos = c.lat.to_radians().cos();
        for cell in cells {
            let dx = (cell.sector.site.lon - c.lon) * 111_320.0 * cos;
            let dy = (cell.sector.site.lat - c.lat) * 111_320.0;
            if (dx * dx + dy * dy).sqrt() > cell.sector.range_m + reach {
                continue;
            }
            let o = overlap(&cell.sector, None, &f.footprint);
            if o.inside_m2 <= 0.0 {
                continue;
            }
            let mut ta_ok = Vec::new();
            if let Some(step) = cell.radio.ta_step_m() {
                let max_ta = (cell.sector.range_m / step).ceil() as u16 + 2;
                for ta in 0..=max_ta {
                    // ±1 step: the measurement jitters by one step either way.
                    let band = (
                        f64::from(ta.saturating_sub(1)) * step,
                        f64::from(ta + 2) * step,
                    );
                    if overlap(&cell.sector, Some(band), &f.footprint).inside_m2 > 0.0 {
                        ta_ok.push(ta);
                    }
                }
            }
            out.push(Coverage {
                cell: cell.key,
                facility: f.id.clone(),
                share: o.share(),
                prob: presence_probability(&o, ratio),
                ta_ok,
            });
        }
    }
    out
}

/// Writes every derived table; returns the table paths by name.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_all(
    dir: &Path,
    plane: Plane,
    facilities: &[Facility],
    cells: &[Cell],
    cov: &[Coverage],
    hours: &[(i64, i32, i8, Option<i32>)],
) -> Result<Vec<(&'static str, PathBuf)>, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.into(),
        source,
    })?;
    let mut out = Vec::new();
    let mut put = |name: &'static str, b: RecordBatch| -> Result<(), Error> {
        let p = dir.join(format!("{name}.parquet"));
        write(&p, b)?;
        out.push((name, p));
        Ok(())
    };
    // Facilities travel as their index in `facilities`: narrower join and group keys than ids.
    let by_id: std::collections::HashMap<&str, u32> = facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i as u32))
        .collect();
    let index = |id: &str| by_id.get(id).copied().unwrap_or(u32::MAX);
    let xy: Vec<(f64, f64)> = cells.iter().map(|c| plane.xy(c.sector.site)).collect();
    put(
        "cell_pos",
        batch(
            vec![
                ("cell", DataType::UInt64),
                ("x_km", DataType::Float64),
                ("y_km", DataType::Float64),
            ],
            vec![
                Arc::new(UInt64Array::from_iter_values(cells.iter().map(|c| c.key))),
                Arc::new(Float64Array::from_iter_values(xy.iter().map(|p| p.0))),
                Arc::new(Float64Array::from_iter_values(xy.iter().map(|p| p.1))),
            ],
        ),
    )?;
    put(
        "cell_fac",
        batch(
            vec![
                ("cell", DataType::UInt64),
                ("facility", DataType::UInt32),
                ("share", DataType::Float64),
                ("prob", DataType::Float64),
            ],
            vec![
                Arc::new(UInt64Array::from_iter_values(cov.iter().map(|c| c.cell))),
                Arc::new(UInt32Array::from_iter_values(
                    cov.iter().map(|c| index(&c.facility)),
                )),
                Arc::new(Float64Array::from_iter_values(cov.iter().map(|c| c.share))),
                Arc::new(Float64Array::from_iter_values(cov.iter().map(|c| c.prob))),
            ],
        ),
    )?;
    let ta: Vec<(u64, u16, u32)> = cov
        .iter()
        .flat_map(|c| {
            c.ta_ok
                .iter()
                .map(move |t| (c.cell, *t, index(&c.facility)))
        })
        .collect();
    put(
        "ta_ok",
        batch(
            vec![
                ("cell", DataType::UInt64),
                ("ta", DataType::UInt16),
                ("facility", DataType::UInt32),
            ],
            vec![
                Arc::new(UInt64Array::from_iter_values(ta.iter().map(|t| t.0))),
                Arc::new(UInt16Array::from_iter_values(ta.iter().map(|t| t.1))),
                Arc::new(UInt32Array::from_iter_values(ta.iter().map(|t| t.2))),
            ],
        ),
    )?;
    put(
        "hours",
        RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("hour", DataType::Int64, false),
                Field::new("local_day", DataType::Int32, false),
                Field::new("local_hour", DataType::Int8, false),
                Field::new("night", DataType::Int32, true),
            ])),
            vec![
                Arc::new(Int64Array::from_iter_values(hours.iter().map(|h| h.0))),
                Arc::new(Int32Array::from_iter_values(hours.iter().map(|h| h.1))),
                Arc::new(Int8Array::from_iter_values(hours.iter().map(|h| h.2))),
                Arc::new(Int32Array::from_iter(hours.iter().map(|h| h.3))),
            ],
        )
        .expect("columns match"),
    )?;
    let fxy: Vec<(f64, f64)> = facilities
        .iter()
        .map(|f| plane.xy(f.footprint.centroid()))
        .collect();
    put(
        "fac",
        batch(
            vec![
                ("facility", DataType::UInt32),
                ("id", DataType::Utf8),
                ("x_km", DataType::Float64),
                ("y_km", DataType::Float64),
            ],
            vec![
                Arc::new(UInt32Array::from_iter_values(0..facilities.len() as u32)),
                Arc::new(StringArray::from_iter_values(
                    facilities.iter().map(|f| f.id.as_str()),
                )),
                Arc::new(Float64Array::from_iter_values(fxy.iter().map(|p| p.0))),
                Arc::new(Float64Array::from_iter_values(fxy.iter().map(|p| p.1))),
            ],
        ),
    )?;
    Ok(out)
}

/// One scored (device, facility) of a run, as the `scores` table keeps it for later stages
/// (localisation and planning read it instead of re-running detection).
#[derive(Debug, Clone)]
pub struct Score {
    /// Device index (`pairs_dev.device`).
    pub device: u64,
    /// Stable device id.
    pub device_id: String,
    /// Facility id.
    pub facility: String,
    /// Calibrated probability of a contraband phone inside the facility.
    pub probability: f64,
    /// A mini phone (harder to find in a search).
    pub mini: bool,
    /// On the allow list (never a candidate).
    pub allow_listed: bool,
}

/// The file name of the scores table in a run directory.
pub const SCORES: &str = "scores.parquet";

/// Writes the `scores` table; returns its path.
pub(crate) fn write_scores(dir: &Path, scores: &[Score]) -> Result<PathBuf, Error> {
    let path = dir.join(SCORES);
    write(
        &path,
        batch(
            vec![
                ("device", DataType::UInt64),
                ("device_id", DataType::Utf8),
                ("facility", DataType::Utf8),
                ("probability", DataType::Float64),
                ("mini", DataType::Boolean),
                ("allow_listed", DataType::Boolean),
            ],
            vec![
                Arc::new(UInt64Array::from_iter_values(
                    scores.iter().map(|s| s.device),
                )),
                Arc::new(StringArray::from_iter_values(
                    scores.iter().map(|s| s.device_id.as_str()),
                )),
                Arc::new(StringArray::from_iter_values(
                    scores.iter().map(|s| s.facility.as_str()),
                )),
                Arc::new(Float64Array::from_iter_values(
                    scores.iter().map(|s| s.probability),
                )),
                Arc::new(BooleanArray::from(
                    scores.iter().map(|s| s.mini).collect::<Vec<_>>(),
                )),
                Arc::new(BooleanArray::from(
                    scores.iter().map(|s| s.allow_listed).collect::<Vec<_>>(),
                )),
            ],
        ),
    )?;
    Ok(path)
}

/// Writes the `pairs_dev` table (after identity resolution); returns its path.
pub(crate) fn write_pairs_dev(dir: &Path, pairs_dev: &[(u64, u64, u64)]) -> Result<PathBuf, Error> {
    let path = dir.join("pairs_dev.parquet");
    write(
        &path,
        batch(
            vec![
                ("imei", DataType::UInt64),
                ("imsi", DataType::UInt64),
                ("device", DataType::UInt64),
            ],
            vec![
                Arc::new(UInt64Array::from_iter_values(pairs_dev.iter().map(|p| p.0))),
                Arc::new(UInt64Array::from_iter_values(pairs_dev.iter().map(|p| p.1))),
                Arc::new(UInt64Array::from_iter_values(pairs_dev.iter().map(|p| p.2))),
            ],
        ),
    )?;
    Ok(path)
}

/// The UTC hours from `first_us` to `last_us` with their local day, hour and night.
pub fn hours(
    first_us: i64,
    last_us: i64,
    tz: &jiff::tz::TimeZone,
) -> Vec<(i64, i32, i8, Option<i32>)> {
    let h0 = first_us.div_euclid(3_600_000_000);
    let h1 = last_us.div_euclid(3_600_000_000);
    (h0..=h1)
        .map(|h| {
            let ts = jiff::Timestamp::from_second(h * 3_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            let offset = i64::from(tz.to_offset(ts).seconds());
            let local = h * 3_600 + offset;
            let day = local.div_euclid(86_400) as i32;
            let hour = (local.rem_euclid(86_400) / 3_600) as i8;
            let night = if hour >= 22 {
                Some(day)
            } else if hour < 6 {
                Some(day - 1)
            } else {
                None
            };
            (h, day, hour, night)
        })
        .collect()
}
