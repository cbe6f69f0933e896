//! Geometry of the places cellsweep reasons about: prison facilities, their zones, and the
//! coordinate systems real reference files arrive in.
//!
//! Everything here is plain data and arithmetic on WGS84 longitude/latitude: no files, no SQL.
//! Readers (in `cellsweep-ref`) build these types; the store persists them; later stages
//! (coverage, localisation) intersect them with radio cells.
//!
//! ```
//! use cellsweep_geo::{default_footprint, LonLat};
//!
//! // A point-only facility of 600 places gets an estimated circular footprint.
//! let fp = default_footprint(LonLat::new(2.3631, 48.8034).unwrap(), Some(600));
//! assert!(fp.estimated);
//! assert!((fp.area_m2() - 120_000.0).abs() / 120_000.0 < 0.01);
//! ```

mod coverage;
mod error;
mod facility;
mod footprint;
mod projection;
mod radio;

pub use coverage::{Overlap, Sector, overlap, presence_probability, ta_band};
pub use error::Error;
pub use facility::{Facility, Jammer, Zone, ZoneType};
pub use footprint::{
    DEFAULT_FOOTPRINT_M2_PER_PLACE, DEFAULT_FOOTPRINT_MIN_M2, Footprint, LonLat, default_footprint,
};
pub use projection::Crs;
pub use radio::{DEFAULT_SECTOR_BEAMWIDTH_DEG, Radio};

/// Re-exported so that callers build footprints with the same `geo` version as ours.
pub use geo;
