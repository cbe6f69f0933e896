//! The crate's error type: what is wrong with a geometry or a coordinate, and where.

/// Errors raised while validating or converting geometry.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A coordinate lies outside the valid WGS84 range.
    #[error(
        "coordinate lon {lon}, lat {lat} is outside the WGS84 range (lon -180..180, lat -90..90)"
    )]
    OutOfRange {
        /// Longitude in degrees.
        lon: f64,
        /// Latitude in degrees.
        lat: f64,
    },
    /// A coordinate is not a finite number.
    #[error("coordinate is not a finite number")]
    NotFinite,
    /// A polygon is unusable as a footprint.
    #[error("invalid polygon: {reason}")]
    InvalidPolygon {
        /// What is wrong, in words.
        reason: String,
    },
    /// A projected coordinate could not be converted.
    #[error("cannot convert ({x}, {y}) from {crs} to WGS84")]
    Projection {
        /// Source coordinate system.
        crs: crate::Crs,
        /// Easting or longitude in source units.
        x: f64,
        /// Northing or latitude in source units.
        y: f64,
    },
    /// An unknown coordinate reference system name.
    #[error(
        "unsupported coordinate reference system `{name}`; supported: EPSG:4326 (WGS84), EPSG:2154 (Lambert-93), EPSG:3857 (Web Mercator)"
    )]
    UnknownCrs {
        /// The name as given.
        name: String,
    },
}
