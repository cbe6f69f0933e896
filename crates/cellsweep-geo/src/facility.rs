//! Facilities (prisons) and the zones inside them.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use crate::Footprint;

/// A prison establishment: what the search plan allocates teams to.
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// Stable identifier chosen by the reference file (e.g. the ministry's establishment code).
    pub id: String,
    /// Human name, e.g. `CP FRESNES`.
    pub name: String,
    /// Establishment type as the file states it (`CP`, `MA`, `CD`, `MC`, `EPM`, ...).
    pub kind: Option<String>,
    /// Operational places.
    pub capacity: Option<u32>,
    /// People held on the reference date; `None` when not communicated.
    pub occupancy: Option<u32>,
    /// The ground the facility occupies.
    pub footprint: Footprint,
    /// Jammer installation, when there is one.
    pub jammer: Option<Jammer>,
    /// Zones (quartiers, buildings, wings, floors) inside the facility.
    pub zones: Vec<Zone>,
    /// Free-form attributes kept from the source (address, directorate, ...), as JSON text.
    pub attributes: Vec<(String, String)>,
}

/// A jammer installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jammer {
    /// Day the jammer went into service.
    pub installed: Date,
    /// Bands it covers, as the file names them (e.g. `GSM900`, `LTE800`).
    pub bands: Vec<String>,
}

/// A part of a facility that a search can target.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// Identifier, unique within the facility.
    pub id: String,
    /// Human name.
    pub name: Option<String>,
    /// What kind of part this is.
    pub kind: ZoneType,
    /// Enclosing zone (a floor's wing, a wing's building), when given.
    pub parent: Option<String>,
    /// Outline, when known; quartiers of the national list have none.
    pub footprint: Option<Footprint>,
    /// Operational places in the zone.
    pub capacity: Option<u32>,
    /// People held in the zone.
    pub occupancy: Option<u32>,
    /// Prison-cell numbers in the zone, as the administration writes them.
    pub cells: Vec<String>,
}

/// The kinds of zone a facility is divided into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneType {
    /// An administrative regime inside an establishment (maison d'arrêt, centre de détention, ...).
    Quartier,
    /// A building.
    Building,
    /// A wing of a building.
    Wing,
    /// A floor of a wing or building.
    Floor,
}

impl ZoneType {
    /// All zone types, for help texts.
    pub const ALL: [ZoneType; 4] = [
        ZoneType::Quartier,
        ZoneType::Building,
        ZoneType::Wing,
        ZoneType::Floor,
    ];

    /// The lowercase name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneType::Quartier => "quartier",
            ZoneType::Building => "building",
            ZoneType::Wing => "wing",
            ZoneType::Floor => "floor",
        }
    }
}

impl fmt::Display for ZoneType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ZoneType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        ZoneType::ALL
            .into_iter()
            .find(|z| z.as_str() == t)
            .ok_or_else(|| {
                format!("unknown zone type `{s}`; expected one of quartier, building, wing, floor")
            })
    }
}
