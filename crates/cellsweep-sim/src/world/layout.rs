//! A facility's ground: footprint, buildings, wings, floors and prison cells, the visiting
//! room, staff housing, the town around it and its roads.

use rand::RngExt;

use crate::local::{Rect, Xy};
use crate::rng::Rng;
use crate::scenario::Scenario;

/// Enclosed ground per operational place (m²), as the reference importer assumes.
const M2_PER_PLACE: f64 = 200.0;

/// A zone of a facility.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) kind: &'static str,
    pub(crate) parent: Option<String>,
    pub(crate) rect: Rect,
    pub(crate) capacity: u32,
    /// Indices into `Layout::cells` of the prison cells in this zone (floors and wings list
    /// theirs; buildings list none, their wings do).
    pub(crate) cells: Vec<usize>,
}

/// A prison cell.
#[derive(Debug, Clone)]
pub(crate) struct PrisonCell {
    /// Number as the administration writes it, e.g. `A1-204`.
    pub(crate) no: String,
    /// The wing zone id.
    pub(crate) wing: String,
    /// Index of the wing in `Layout::wings`.
    pub(crate) wing_idx: usize,
    pub(crate) pos: Xy,
}

/// The ground of one facility, in its local frame (facility centre at the origin).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) footprint: Rect,
    pub(crate) zones: Vec<Zone>,
    pub(crate) cells: Vec<PrisonCell>,
    /// Wing zone ids, in order.
    pub(crate) wings: Vec<String>,
    /// Visiting room (inside the wall, in the entrance building).
    pub(crate) visiting_room: Xy,
    /// Administration offices (official devices).
    pub(crate) admin: Xy,
    /// Staff posts: gate, control rooms, wing offices.
    pub(crate) staff_posts: Vec<Xy>,
    /// Staff housing right outside the wall, when the facility has some.
    pub(crate) staff_housing: Option<Rect>,
    /// Centre of the town the facility belongs to.
    pub(crate) town_centre: Xy,
    /// Roads near the facility: segments passers-by travel along.
    pub(crate) roads: Vec<(Xy, Xy)>,
    /// Whether the facility sits in a dense city.
    pub(crate) dense: bool,
}

/// Builds the ground of a facility of `capacity` places.
pub(crate) fn build(
    s: &Scenario,
    capacity: u32,
    dense: bool,
    by_wall: bool,
    rng: &mut Rng,
) -> Layout {
    let area = f64::from(capacity.max(20)) * M2_PER_PLACE * rng.random_range(1.0..1.3);
    let aspect = rng.random_range(1.0..1.6);
    let hh = (area / aspect).sqrt() / 2.0;
    let hw = hh * aspect;
    let footprint = Rect {
        centre: Xy::new(0.0, 0.0),
        hw,
        hh,
        angle: rng.random_range(0.0..90.0),
    };
    // Detention buildings on a grid over the inner part; the entrance building at one end.
    let n_buildings = (capacity / 150).clamp(2, 6) as usize;
    let cols = n_buildings.div_ceil(2);
    let rows = if n_buildings > 1 { 2 } else { 1 };
    let floors = rng.random_range(s.facilities.floors[0]..=s.facilities.floors[1]);
    let wings_total = n_buildings as u32 * 2;
    let per_floor_needed = capacity.div_ceil(wings_total * floors).max(1);
    let per_floor = per_floor_needed.clamp(
        s.facilities.cells_per_floor[0],
        s.facilities.cells_per_floor[1].max(per_floor_needed),
    );

    let mut zones = Vec::new();
    let mut cells = Vec::new();
    let mut wings = Vec::new();
    let mut staff_posts = vec![footprint.at(-0.92, 0.0)];
    for b in 0..n_buildings {
        let (c, r) = (b % cols, b / cols);
        let u0 = -0.75 + 1.6 * c as f64 / cols as f64;
        let u1 = u0 + 1.6 / cols as f64 * 0.7;
        let v0 = -0.8 + 1.6 * r as f64 / rows as f64;
        let v1 = v0 + 1.6 / rows as f64 * 0.6;
        let rect = footprint.sub(u0, u1, v0, v1);
        let bid = char::from(b'A' + b as u8).to_string();
        zones.push(Zone {
            id: bid.clone(),
            name: Some(format!("Bâtiment {bid}")),
            kind: "building",
            parent: None,
            rect,
            capacity: per_floor * floors * 2,
            cells: Vec::new(),
        });
        staff_posts.push(rect.at(0.0, 0.0));
        for w in 0..2u32 {
            let wrect = rect.sub(
                if w == 0 { -1.0 } else { 0.0 },
                if w == 0 { 0.0 } else { 1.0 },
                -1.0,
                1.0,
            );
            let wid = format!("{bid}{}", w + 1);
            let wing_idx = wings.len();
            wings.push(wid.clone());
            let wing_zone = zones.len();
            zones.push(Zone {
                id: wid.clone(),
                name: None,
                kind: "wing",
                parent: Some(bid.clone()),
                rect: wrect,
                capacity: per_floor * floors,
                cells: Vec::new(),
            });
            for f in 1..=floors {
                let fid = format!("{wid}-{f}");
                let floor_zone = zones.len();
                zones.push(Zone {
                    id: fid,
                    name: None,
                    kind: "floor",
                    parent: Some(wid.clone()),
                    rect: wrect,
                    capacity: per_floor,
                    cells: Vec::new(),
                });
                for k in 0..per_floor {
                    // Two rows of cells facing a central corridor along the wing.
                    let along =
                        -0.9 + 1.8 * (f64::from(k / 2) + 0.5) / f64::from(per_floor.div_ceil(2));
                    let across = if k % 2 == 0 { -0.5 } else { 0.5 };
                    let idx = cells.len();
                    cells.push(PrisonCell {
                        no: format!("{wid}-{f}{:02}", k + 1),
                        wing: wid.clone(),
                        wing_idx,
                        pos: wrect.at(across, along),
                    });
                    zones[floor_zone].cells.push(idx);
                    zones[wing_zone].cells.push(idx);
                }
            }
        }
    }
    let entrance = footprint.sub(-0.98, -0.8, -0.3, 0.3);
    zones.push(Zone {
        id: "ADM".into(),
        name: Some("Accueil, parloirs et administration".into()),
        kind: "building",
        parent: None,
        rect: entrance,
        capacity: 0,
        cells: Vec::new(),
    });
    let visiting_room = entrance.at(0.3, 0.4);
    let admin = entrance.at(-0.3, -0.4);
    let staff_housing = by_wall.then(|| {
        // A row of houses 20–60 m outside one long side of the wall.
        let side = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        let gap = rng.random_range(20.0..60.0);
        let depth = 40.0;
        let off = footprint.hh + gap + depth / 2.0;
        let centre = footprint.at(0.0, 0.0);
        let (s, c) = footprint.angle.to_radians().sin_cos();
        Rect {
            centre: Xy::new(centre.x - side * off * s, centre.y + side * off * c),
            hw: footprint.hw * 0.8,
            hh: depth / 2.0,
            angle: footprint.angle,
        }
    });
    let town_dist = if dense {
        rng.random_range(200.0..900.0)
    } else {
        rng.random_range(1_000.0..3_000.0)
    };
    let town_centre = Xy::new(0.0, 0.0).offset(rng.random_range(0.0..360.0), town_dist);
    let roads = (0..2)
        .map(|_| {
            let pass = rng.random_range(hw.max(hh) + 60.0..hw.max(hh) + 700.0);
            let side = rng.random_range(0.0..360.0);
            let mid = Xy::new(0.0, 0.0).offset(side, pass);
            let dir = side + 90.0;
            (mid.offset(dir, 2_500.0), mid.offset(dir + 180.0, 2_500.0))
        })
        .collect();
    Layout {
        footprint,
        zones,
        cells,
        wings,
        visiting_room,
        admin,
        staff_posts,
        staff_housing,
        town_centre,
        roads,
        dense,
    }
}
