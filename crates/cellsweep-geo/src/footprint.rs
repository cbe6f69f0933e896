//! Footprints: the ground a facility or zone occupies, and the estimate used when a
//! reference file gives only a point.

use geo::orient::{Direction, Orient};
use geo::{
    Area, BoundingRect, Centroid, Coord, Destination, GeodesicArea, Haversine, LineString,
    MultiPolygon, Point, Polygon, Validation,
};

use crate::Error;

/// Ground area assumed per operational place when a facility has no polygon.
///
/// French establishments built since the 1990s occupy roughly 150–250 m² of enclosed
/// ground per place (buildings, yards, walkways, wall set-back); 200 m² is the middle.
pub const DEFAULT_FOOTPRINT_M2_PER_PLACE: f64 = 200.0;

/// Smallest estimated footprint, for tiny or capacity-less facilities (2 ha).
pub const DEFAULT_FOOTPRINT_MIN_M2: f64 = 20_000.0;

/// Vertices of the estimated circle; 32 keeps the area within 0.7 % of a true circle.
const CIRCLE_VERTICES: usize = 32;

/// A WGS84 position, validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
}

impl LonLat {
    /// Validates a longitude/latitude pair.
    pub fn new(lon: f64, lat: f64) -> Result<Self, Error> {
        if !lon.is_finite() || !lat.is_finite() {
            return Err(Error::NotFinite);
        }
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(Error::OutOfRange { lon, lat });
        }
        Ok(Self { lon, lat })
    }

    /// The position as a `geo` point (x = longitude, y = latitude).
    pub fn point(self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }
}

/// The ground a facility or zone occupies, in WGS84, and whether it was estimated.
#[derive(Debug, Clone, PartialEq)]
pub struct Footprint {
    /// The polygons (x = longitude, y = latitude).
    pub shape: MultiPolygon<f64>,
    /// True when the shape is our estimate rather than a surveyed outline.
    pub estimated: bool,
}

impl Footprint {
    /// Validates a surveyed outline: rings closed, coordinates in range, no
    /// self-intersection, non-zero area.
    pub fn surveyed(shape: MultiPolygon<f64>) -> Result<Self, Error> {
        if shape.0.is_empty() {
            return Err(Error::InvalidPolygon {
                reason: "no polygon".into(),
            });
        }
        for c in shape.0.iter().flat_map(|p| {
            p.exterior()
                .coords()
                .chain(p.interiors().iter().flat_map(|r| r.coords()))
        }) {
            LonLat::new(c.x, c.y)?;
        }
        if let Err(e) = shape.check_validation() {
            return Err(Error::InvalidPolygon {
                reason: e.to_string(),
            });
        }
        if shape.unsigned_area() == 0.0 {
            return Err(Error::InvalidPolygon {
                reason: "zero area".into(),
            });
        }
        // Geodesic area takes ring orientation as meaningful (a clockwise ring encloses the
        // rest of the planet); files use both orientations, so normalise to RFC 7946's.
        Ok(Self {
            shape: shape.orient(Direction::Default),
            estimated: false,
        })
    }

    /// Geodesic area on the WGS84 ellipsoid, in square metres.
    pub fn area_m2(&self) -> f64 {
        self.shape.geodesic_area_unsigned()
    }

    /// The centroid of the shape.
    pub fn centroid(&self) -> LonLat {
        // A validated footprint has non-zero area, so the centroid exists; fall back to the
        // bounding box centre rather than panicking on a pathological shape.
        let p = self.shape.centroid().unwrap_or_else(|| {
            self.shape
                .bounding_rect()
                .map(|r| r.center().into())
                .unwrap_or_else(|| Point::new(0.0, 0.0))
        });
        LonLat {
            lon: p.x(),
            lat: p.y(),
        }
    }

    /// Whether a position falls inside the footprint.
    pub fn contains(&self, at: LonLat) -> bool {
        use geo::Contains;
        self.shape.contains(&at.point())
    }
}

/// The documented estimate for a facility known only by a point: a circle centred on the
/// point whose area is [`DEFAULT_FOOTPRINT_M2_PER_PLACE`] per place, at least
/// [`DEFAULT_FOOTPRINT_MIN_M2`]. The result is marked `estimated`.
pub fn default_footprint(centre: LonLat, capacity: Option<u32>) -> Footprint {
    let area = capacity
        .map(|c| f64::from(c) * DEFAULT_FOOTPRINT_M2_PER_PLACE)
        .unwrap_or(0.0)
        .max(DEFAULT_FOOTPRINT_MIN_M2);
    // Choose the circumradius so that the inscribed regular polygon has the wanted area:
    // A = n/2 · r² · sin(2π/n).
    let n = CIRCLE_VERTICES as f64;
    let r = (2.0 * area / (n * (2.0 * std::f64::consts::PI / n).sin())).sqrt();
    let origin = centre.point();
    let mut ring: Vec<Coord<f64>> = (0..CIRCLE_VERTICES)
        .map(|i| {
            let bearing = 360.0 * i as f64 / n;
            Haversine.destination(origin, bearing, r).into()
        })
        .collect();
    ring.push(ring[0]);
    let shape = MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]);
    Footprint {
        shape: shape.orient(Direction::Default),
        estimated: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64, d: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (lon, lat),
                (lon + d, lat),
                (lon + d, lat + d),
                (lon, lat + d),
                (lon, lat),
            ]),
            vec![],
        )])
    }

    #[test]
    fn estimated_area_follows_capacity() {
        let c = LonLat::new(2.0, 48.0).unwrap();
        for (cap, want) in [
            (Some(600), 120_000.0),
            (Some(10), 20_000.0),
            (None, 20_000.0),
        ] {
            let fp = default_footprint(c, cap);
            let got = fp.area_m2();
            assert!(
                (got - want).abs() / want < 0.01,
                "capacity {cap:?}: area {got}"
            );
            assert!(fp.contains(c));
            assert!(fp.estimated);
        }
    }

    #[test]
    fn surveyed_rejects_bad_shapes() {
        assert!(Footprint::surveyed(square(2.0, 48.0, 0.001)).is_ok());
        assert!(Footprint::surveyed(MultiPolygon(vec![])).is_err());
        assert!(Footprint::surveyed(square(179.9995, 48.0, 0.001)).is_err());
        let bow_tie = MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (1.0, 1.0),
                (1.0, 0.0),
                (0.0, 1.0),
                (0.0, 0.0),
            ]),
            vec![],
        )]);
        let err = Footprint::surveyed(bow_tie).unwrap_err().to_string();
        assert!(err.starts_with("invalid polygon"), "{err}");
    }

    #[test]
    fn clockwise_rings_are_normalised() {
        let mut sq = square(2.0, 48.0, 0.001);
        sq.0[0].exterior_mut(|r| r.0.reverse());
        let fp = Footprint::surveyed(sq).unwrap();
        let area = fp.area_m2();
        // 0.001° × 0.001° at 48°N ≈ 111 m × 74 m.
        assert!((8_000.0..8_500.0).contains(&area), "{area}");
    }

    #[test]
    fn lonlat_range() {
        assert!(LonLat::new(181.0, 0.0).is_err());
        assert!(LonLat::new(0.0, -91.0).is_err());
        assert!(LonLat::new(f64::NAN, 0.0).is_err());
        assert!(LonLat::new(-180.0, 90.0).is_ok());
    }
}
