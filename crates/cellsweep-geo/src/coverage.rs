//! Radio coverage against places: how much of a cell's served area (its sector wedge, cut to
//! the timing-advance ring when one is known) falls inside a facility's footprint or a zone.
//!
//! Geometry is computed in a local metric frame centred on the cell's site (equirectangular:
//! within the tens of kilometres a cell reaches, its error is far below the model's), with
//! `geo`'s boolean operations.
//!
//! The share is the raw geometric overlap. [`presence_probability`] turns it into the
//! probability that a phone served by the cell is inside the place, given how much denser the
//! place is than its surroundings (a prison holds far more people per m² than its town).

use geo::{Area, BooleanOps, Coord, LineString, MapCoords, MultiPolygon, Polygon};

use crate::{Footprint, LonLat, Radio};

/// Metres per degree of latitude.
const M_PER_DEG: f64 = 111_320.0;

/// Points per full circle when approximating arcs.
const ARC_STEPS: f64 = 96.0;

/// A cell's served area, as the reference data describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sector {
    /// Antenna site.
    pub site: LonLat,
    /// Boresight, degrees clockwise from north; `None` for an omnidirectional cell.
    pub azimuth: Option<f64>,
    /// Beam width in degrees (360 for omnidirectional).
    pub beamwidth: f64,
    /// Serving range in metres.
    pub range_m: f64,
}

/// Overlap of a served area with a place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Served area inside the place, m².
    pub inside_m2: f64,
    /// Whole served area, m².
    pub served_m2: f64,
}

impl Overlap {
    /// Share of the served area inside the place, 0..=1.
    pub fn share(&self) -> f64 {
        if self.served_m2 <= 0.0 {
            0.0
        } else {
            (self.inside_m2 / self.served_m2).clamp(0.0, 1.0)
        }
    }
}

/// The distance band a timing advance value puts a phone in, metres from the site:
/// `[ta·step, (ta+1)·step)`. `None` for radios without timing advance.
pub fn ta_band(radio: Radio, ta: u16) -> Option<(f64, f64)> {
    let step = radio.ta_step_m()?;
    Some((f64::from(ta) * step, f64::from(ta + 1) * step))
}

struct Frame {
    lon0: f64,
    lat0: f64,
    cos: f64,
}

impl Frame {
    fn new(at: LonLat) -> Self {
        Self {
            lon0: at.lon,
            lat0: at.lat,
            cos: at.lat.to_radians().cos(),
        }
    }

    fn to_local(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * M_PER_DEG * self.cos,
            y: (c.y - self.lat0) * M_PER_DEG,
        }
    }
}

/// The served area in the site's local frame: a wedge (or a disc), cut to `band` when given.
fn served_shape(sector: &Sector, band: Option<(f64, f64)>) -> Polygon<f64> {
    let (inner, outer) = match band {
        Some((a, b)) => (a.max(0.0).min(sector.range_m), b.min(sector.range_m)),
        None => (0.0, sector.range_m),
    };
    let outer = outer.max(inner);
    let (start, sweep) = match sector.azimuth {
        Some(az) if sector.beamwidth < 360.0 => (az - sector.beamwidth / 2.0, sector.beamwidth),
        _ => (0.0, 360.0),
    };
    let steps = ((sweep / 360.0) * ARC_STEPS).ceil().max(4.0) as usize;
    let point = |bearing: f64, r: f64| {
        let b = bearing.to_radians();
        Coord {
            x: r * b.sin(),
            y: r * b.cos(),
        }
    };
    let arc = |r: f64| -> Vec<Coord<f64>> {
        (0..=steps)
            .map(|i| point(start + sweep * i as f64 / steps as f64, r))
            .collect()
    };
    let full = sweep >= 360.0;
    if full {
        let mut ring = arc(outer);
        ring.pop();
        let exterior = LineString::from(ring);
        let holes = if inner > 0.0 {
            let mut h = arc(inner);
            h.pop();
            vec![LineString::from(h)]
        } else {
            vec![]
        };
        return Polygon::new(exterior, holes);
    }
    let mut ring = arc(outer);
    if inner > 0.0 {
        let mut back = arc(inner);
        back.reverse();
        ring.extend(back);
    } else {
        ring.push(Coord { x: 0.0, y: 0.0 });
    }
    Polygon::new(LineString::from(ring), vec![])
}

/// How much of a cell's served area (cut to a timing-advance band when given) lies inside
/// `place`.
pub fn overlap(sector: &Sector, band: Option<(f64, f64)>, place: &Footprint) -> Overlap {
    let frame = Frame::new(sector.site);
    let served = MultiPolygon(vec![served_shape(sector, band)]);
    let local: MultiPolygon<f64> = place.shape.map_coords(|c| frame.to_local(c));
    let inside = served.intersection(&local);
    Overlap {
        inside_m2: inside.unsigned_area(),
        served_m2: served.unsigned_area(),
    }
}

/// Probability that a phone served by the cell is inside the place:
/// `a_in·ρ_in / (a_in·ρ_in + a_out·ρ_out)`, with `density_ratio = ρ_in / ρ_out`.
pub fn presence_probability(o: &Overlap, density_ratio: f64) -> f64 {
    let a_in = o.inside_m2 * density_ratio.max(0.0);
    let a_out = (o.served_m2 - o.inside_m2).max(0.0);
    if a_in + a_out <= 0.0 {
        0.0
    } else {
        a_in / (a_in + a_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::default_footprint;

    fn site() -> LonLat {
        LonLat::new(2.0, 47.0).unwrap()
    }

    /// A square footprint of side `side` metres centred `dist` metres from the site at `bearing`.
    fn square_at(bearing: f64, dist: f64, side: f64) -> Footprint {
        let b = bearing.to_radians();
        let (cx, cy) = (dist * b.sin(), dist * b.cos());
        let cos = 47f64.to_radians().cos();
        let ll = |x: f64, y: f64| (2.0 + x / (M_PER_DEG * cos), 47.0 + y / M_PER_DEG);
        let h = side / 2.0;
        let ring = vec![
            ll(cx - h, cy - h),
            ll(cx + h, cy - h),
            ll(cx + h, cy + h),
            ll(cx - h, cy + h),
            ll(cx - h, cy - h),
        ];
        Footprint::surveyed(MultiPolygon(vec![Polygon::new(
            LineString::from(ring),
            vec![],
        )]))
        .unwrap()
    }

    #[test]
    fn wedge_area_and_containment() {
        let s = Sector {
            site: site(),
            azimuth: Some(90.0),
            beamwidth: 65.0,
            range_m: 2_000.0,
        };
        let o = overlap(&s, None, &square_at(90.0, 1_000.0, 200.0));
        let wedge = std::f64::consts::PI * 2_000f64.powi(2) * 65.0 / 360.0;
        assert!((o.served_m2 - wedge).abs() / wedge < 0.01, "{o:?}");
        assert!((o.inside_m2 - 40_000.0).abs() / 40_000.0 < 0.02, "{o:?}");
        // Pointing away: nothing inside.
        let away = Sector {
            azimuth: Some(270.0),
            ..s
        };
        assert_eq!(
            overlap(&away, None, &square_at(90.0, 1_000.0, 200.0)).inside_m2,
            0.0
        );
        // Omnidirectional.
        let omni = Sector {
            azimuth: None,
            beamwidth: 360.0,
            ..s
        };
        let o = overlap(&omni, None, &square_at(200.0, 500.0, 100.0));
        assert!((o.inside_m2 - 10_000.0).abs() < 300.0, "{o:?}");
    }

    #[test]
    fn timing_advance_band_narrows_the_area() {
        let s = Sector {
            site: site(),
            azimuth: Some(0.0),
            beamwidth: 65.0,
            range_m: 3_000.0,
        };
        let place = square_at(0.0, 1_000.0, 150.0);
        let (a, b) = ta_band(Radio::G4, 12).unwrap();
        assert!((a - 937.4).abs() < 1.0 && (b - 1_015.6).abs() < 1.0);
        let with_ta = overlap(&s, Some((a, b)), &place);
        let without = overlap(&s, None, &place);
        assert!(
            with_ta.share() > 10.0 * without.share(),
            "{with_ta:?} vs {without:?}"
        );
        // A band that misses the place.
        let miss = overlap(&s, ta_band(Radio::G4, 30), &place);
        assert_eq!(miss.inside_m2, 0.0);
        assert!(ta_band(Radio::G3, 1).is_none());
    }

    #[test]
    fn density_weighs_the_share() {
        let o = Overlap {
            inside_m2: 100.0,
            served_m2: 1_000.0,
        };
        assert!((presence_probability(&o, 1.0) - 0.1).abs() < 1e-12);
        assert!((presence_probability(&o, 9.0) - 0.5).abs() < 1e-12);
        let fp = default_footprint(site(), Some(600));
        let s = Sector {
            site: LonLat::new(2.01, 47.0).unwrap(),
            azimuth: Some(270.0),
            beamwidth: 65.0,
            range_m: 1_500.0,
        };
        assert!(overlap(&s, None, &fp).share() > 0.0);
    }
}
