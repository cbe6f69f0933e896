//! Coordinate reference systems that real French reference files use, converted to WGS84.
//!
//! The Arcep antenna-site list is in Lambert-93 (EPSG:2154); GeoServer exports are often in
//! Web Mercator (EPSG:3857). We convert with `proj4rs`, a pure-Rust port of PROJ.4, rather than
//! hand-writing the projection formulas.

use std::fmt;
use std::sync::OnceLock;

use proj4rs::proj::Proj;

use crate::{Error, LonLat};

/// A supported coordinate reference system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// EPSG:4326, longitude/latitude in degrees.
    Wgs84,
    /// EPSG:2154, RGF93 / Lambert-93, metres.
    Lambert93,
    /// EPSG:3857, spherical Web Mercator, metres.
    WebMercator,
}

const WGS84_DEF: &str = "+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs";
// RGF93 is tied to ETRS89 and, at the metre level we need, equal to WGS84: no datum shift.
const LAMBERT93_DEF: &str = "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 \
     +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";
const WEB_MERCATOR_DEF: &str = "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 \
     +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs";

impl Crs {
    /// Parses the usual spellings: `EPSG:2154`, `urn:ogc:def:crs:EPSG::2154`, `2154`,
    /// `lambert93`, `wgs84`, `CRS84`.
    pub fn parse(name: &str) -> Result<Self, Error> {
        let n = name.trim().to_ascii_lowercase();
        let code = n.rsplit([':', '/']).next().unwrap_or("");
        match (n.as_str(), code) {
            (_, "4326") | (_, "crs84") | ("wgs84", _) => Ok(Crs::Wgs84),
            (_, "2154") | ("lambert93", _) | ("l93", _) => Ok(Crs::Lambert93),
            (_, "3857") | (_, "900913") | ("webmercator", _) => Ok(Crs::WebMercator),
            _ => Err(Error::UnknownCrs { name: name.into() }),
        }
    }

    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        match self {
            Crs::Wgs84 => 4326,
            Crs::Lambert93 => 2154,
            Crs::WebMercator => 3857,
        }
    }

    /// Converts one coordinate (x/easting, y/northing; or lon, lat for WGS84) to WGS84.
    pub fn to_wgs84(self, x: f64, y: f64) -> Result<LonLat, Error> {
        if !x.is_finite() || !y.is_finite() {
            return Err(Error::NotFinite);
        }
        let src = match self {
            Crs::Wgs84 => return LonLat::new(x, y),
            Crs::Lambert93 => proj(&LAMBERT93, LAMBERT93_DEF),
            Crs::WebMercator => proj(&WEB_MERCATOR, WEB_MERCATOR_DEF),
        };
        let mut p = (x, y, 0.0);
        proj4rs::transform::transform(src, proj(&WGS84, WGS84_DEF), &mut p)
            .map_err(|_| Error::Projection { crs: self, x, y })?;
        LonLat::new(p.0.to_degrees(), p.1.to_degrees()).map_err(|_| Error::Projection {
            crs: self,
            x,
            y,
        })
    }
}

static WGS84: OnceLock<Proj> = OnceLock::new();
static LAMBERT93: OnceLock<Proj> = OnceLock::new();
static WEB_MERCATOR: OnceLock<Proj> = OnceLock::new();

fn proj(cell: &'static OnceLock<Proj>, def: &str) -> &'static Proj {
    cell.get_or_init(|| {
        // The definitions are constants of this file; a failure is a bug caught by the tests.
        Proj::from_proj_string(def).expect("built-in projection definition parses")
    })
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{}", self.epsg())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_matches_pyproj() {
        // First rows of the Arcep site list, converted by pyproj (EPSG:2154 -> EPSG:4326)
        // in the data's SOURCE.md: 102980,6847973 -> 48.456575,-5.088856.
        let p = Crs::Lambert93.to_wgs84(102_980.0, 6_847_973.0).unwrap();
        assert!((p.lat - 48.456575).abs() < 2e-6, "{p:?}");
        assert!((p.lon - -5.088856).abs() < 2e-6, "{p:?}");
        // The projection origin maps to (3°E, 46.5°N).
        let o = Crs::Lambert93.to_wgs84(700_000.0, 6_600_000.0).unwrap();
        assert!((o.lon - 3.0).abs() < 1e-9 && (o.lat - 46.5).abs() < 1e-9);
    }

    #[test]
    fn web_mercator() {
        // CD Argentan in the Ministry's GeoServer export: geometry in EPSG:3857, WGS84 given
        // alongside as properties.
        let p = Crs::WebMercator
            .to_wgs84(-1_143.807_768, 6_229_005.877_758)
            .unwrap();
        assert!((p.lon - -0.010275).abs() < 1e-6, "{p:?}");
        assert!((p.lat - 48.729018).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn parse_names() {
        for (s, c) in [
            ("EPSG:2154", Crs::Lambert93),
            ("urn:ogc:def:crs:EPSG::3857", Crs::WebMercator),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", Crs::Wgs84),
            ("4326", Crs::Wgs84),
        ] {
            assert_eq!(Crs::parse(s).unwrap(), c, "{s}");
        }
        assert!(Crs::parse("EPSG:27572").is_err());
        assert!(Crs::Wgs84.to_wgs84(200.0, 0.0).is_err());
    }
}
