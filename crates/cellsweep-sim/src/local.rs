//! A local metric frame around each facility: x east, y north, in metres.
//!
//! Within 60 km the equirectangular approximation errs by well under 0.1 %, far below the
//! radio model's own uncertainty, and keeps the hot loops in plain arithmetic.

/// Metres per degree of latitude.
const M_PER_DEG: f64 = 111_320.0;

/// A point in a facility's local frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Xy {
    pub(crate) x: f64,
    pub(crate) y: f64,
}

impl Xy {
    pub(crate) fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    pub(crate) fn dist(self, o: Xy) -> f64 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }

    /// Bearing from `self` to `o`, degrees clockwise from north.
    pub(crate) fn bearing_to(self, o: Xy) -> f64 {
        let b = (o.x - self.x).atan2(o.y - self.y).to_degrees();
        if b < 0.0 { b + 360.0 } else { b }
    }

    pub(crate) fn offset(self, bearing_deg: f64, dist: f64) -> Xy {
        let r = bearing_deg.to_radians();
        Xy::new(self.x + dist * r.sin(), self.y + dist * r.cos())
    }
}

/// The frame: its origin in WGS84.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) lon0: f64,
    pub(crate) lat0: f64,
    cos_lat0: f64,
}

impl Frame {
    pub(crate) fn new(lon0: f64, lat0: f64) -> Self {
        Self {
            lon0,
            lat0,
            cos_lat0: lat0.to_radians().cos(),
        }
    }

    /// Longitude and latitude of a local point.
    pub(crate) fn lonlat(&self, p: Xy) -> (f64, f64) {
        (
            self.lon0 + p.x / (M_PER_DEG * self.cos_lat0),
            self.lat0 + p.y / M_PER_DEG,
        )
    }
}

/// A rectangle rotated about its centre, for footprints and zones.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub(crate) centre: Xy,
    /// Half extent along the rectangle's own x axis.
    pub(crate) hw: f64,
    /// Half extent along its own y axis.
    pub(crate) hh: f64,
    /// Rotation, degrees counter-clockwise.
    pub(crate) angle: f64,
}

impl Rect {
    /// The point at local rectangle coordinates `(u, v)` in `[-1, 1]²`.
    pub(crate) fn at(&self, u: f64, v: f64) -> Xy {
        let (s, c) = self.angle.to_radians().sin_cos();
        let (dx, dy) = (u * self.hw, v * self.hh);
        Xy::new(
            self.centre.x + dx * c - dy * s,
            self.centre.y + dx * s + dy * c,
        )
    }

    /// The sub-rectangle spanning `[u0, u1] × [v0, v1]` of this one.
    pub(crate) fn sub(&self, u0: f64, u1: f64, v0: f64, v1: f64) -> Rect {
        Rect {
            centre: self.at((u0 + u1) / 2.0, (v0 + v1) / 2.0),
            hw: self.hw * (u1 - u0) / 2.0,
            hh: self.hh * (v1 - v0) / 2.0,
            angle: self.angle,
        }
    }

    /// Corners, counter-clockwise, closed.
    pub(crate) fn ring(&self) -> [Xy; 5] {
        let c = [
            self.at(-1.0, -1.0),
            self.at(1.0, -1.0),
            self.at(1.0, 1.0),
            self.at(-1.0, 1.0),
        ];
        [c[0], c[1], c[2], c[3], c[0]]
    }

    pub(crate) fn contains(&self, p: Xy) -> bool {
        let (s, c) = self.angle.to_radians().sin_cos();
        let (dx, dy) = (p.x - self.centre.x, p.y - self.centre.y);
        let (u, v) = (dx * c + dy * s, -dx * s + dy * c);
        u.abs() <= self.hw && v.abs() <= self.hh
    }

    /// Distance from `p` to the rectangle (0 inside).
    pub(crate) fn distance(&self, p: Xy) -> f64 {
        let (s, c) = self.angle.to_radians().sin_cos();
        let (dx, dy) = (p.x - self.centre.x, p.y - self.centre.y);
        let (u, v) = (dx * c + dy * s, -dx * s + dy * c);
        let du = (u.abs() - self.hw).max(0.0);
        let dv = (v.abs() - self.hh).max(0.0);
        (du * du + dv * dv).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_geometry() {
        let r = Rect {
            centre: Xy::new(10.0, 20.0),
            hw: 100.0,
            hh: 50.0,
            angle: 30.0,
        };
        assert!(r.contains(r.at(0.9, -0.9)));
        assert!(!r.contains(r.at(1.1, 0.0)));
        assert!((r.distance(r.at(1.0, 0.0).offset(0.0, 0.0)) - 0.0).abs() < 1e-9);
        let far = r.centre.offset(0.0, 1_000.0);
        assert!(r.distance(far) > 800.0);
        assert!((Xy::new(0.0, 0.0).bearing_to(Xy::new(1.0, 0.0)) - 90.0).abs() < 1e-9);
    }
}
