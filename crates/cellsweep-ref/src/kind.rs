//! The kinds of reference data (prison records and RF logs included) and the file formats each
//! can arrive in.

use std::fmt;
use std::str::FromStr;

/// A kind of reference data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Prison facilities with footprints and zones.
    Facilities,
    /// Radio cells and antenna sites.
    Cells,
    /// TAC database: TAC -> brand and model.
    Tac,
    /// The user's overlay on the TAC database: form factor, known contraband models.
    TacOverlay,
    /// Operator codes: MCC-MNC -> operator.
    Operators,
    /// Supplier ledgers: IMEIs sold.
    Ledger,
    /// Devices that must never be flagged (staff, official).
    Allowlist,
    /// The prison administration's inmate registry: who occupied which prison cell, when.
    Registry,
    /// Numbers each inmate may call from the official in-cell telephone.
    PhoneAuthorised,
    /// Calls made from the official in-cell telephone.
    PhoneCalls,
    /// Visits as the visiting desk recorded them.
    Visits,
    /// Searches carried out and the devices they seized (prison records or planned-search
    /// outcomes).
    Searches,
    /// Burst detections of in-prison RF detectors.
    RfDetections,
}

impl Kind {
    /// Every kind, in the order `ref stats` prints them.
    pub const ALL: [Kind; 13] = [
        Kind::Facilities,
        Kind::Cells,
        Kind::Tac,
        Kind::TacOverlay,
        Kind::Operators,
        Kind::Ledger,
        Kind::Allowlist,
        Kind::Registry,
        Kind::PhoneAuthorised,
        Kind::PhoneCalls,
        Kind::Visits,
        Kind::Searches,
        Kind::RfDetections,
    ];

    /// The name used on the command line and in the catalog.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Facilities => "facilities",
            Kind::Cells => "cells",
            Kind::Tac => "tac",
            Kind::TacOverlay => "tac-overlay",
            Kind::Operators => "operators",
            Kind::Ledger => "ledger",
            Kind::Allowlist => "allowlist",
            Kind::Registry => "registry",
            Kind::PhoneAuthorised => "phone-authorised",
            Kind::PhoneCalls => "phone-calls",
            Kind::Visits => "visits",
            Kind::Searches => "searches",
            Kind::RfDetections => "rf-detections",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown kind `{s}`; expected one of {}", all.join(", "))
            })
    }
}

/// A file format a reference kind can be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// GeoJSON FeatureCollection of facilities and zones (ours), or of the national quartier
    /// list with point geometry.
    Geojson,
    /// The national quartier list as CSV (`etablissement`, `quartier`, `latitude`, ...).
    PrisonsCsv,
    /// Our documented cell CSV.
    CellsCsv,
    /// Arcep's antenna-site list (Lambert-93 original or its WGS84 conversion).
    ArcepSites,
    /// Osmocom tacdb export.
    Osmocom,
    /// A plain `tac,brand,model` CSV.
    TacCsv,
    /// The TAC overlay CSV.
    OverlayCsv,
    /// The `mcc-mnc-list` JSON array.
    MccMncJson,
    /// Operator codes as CSV.
    OperatorsCsv,
    /// Supplier ledger CSV.
    LedgerCsv,
    /// Allow-list CSV.
    AllowlistCsv,
    /// Inmate registry CSV (`docs/records.md`).
    RegistryCsv,
    /// Authorised numbers CSV.
    PhoneAuthorisedCsv,
    /// Official calls CSV.
    PhoneCallsCsv,
    /// Visits CSV.
    VisitsCsv,
    /// Searches and seizures CSV.
    SearchesCsv,
    /// RF detector log CSV.
    RfDetectionsCsv,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 17] = [
        Format::Geojson,
        Format::PrisonsCsv,
        Format::CellsCsv,
        Format::ArcepSites,
        Format::Osmocom,
        Format::TacCsv,
        Format::OverlayCsv,
        Format::MccMncJson,
        Format::OperatorsCsv,
        Format::LedgerCsv,
        Format::AllowlistCsv,
        Format::RegistryCsv,
        Format::PhoneAuthorisedCsv,
        Format::PhoneCallsCsv,
        Format::VisitsCsv,
        Format::SearchesCsv,
        Format::RfDetectionsCsv,
    ];

    /// The name used with `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Geojson => "geojson",
            Format::PrisonsCsv => "prisons-csv",
            Format::CellsCsv => "cells-csv",
            Format::ArcepSites => "arcep-sites",
            Format::Osmocom => "osmocom",
            Format::TacCsv => "tac-csv",
            Format::OverlayCsv => "overlay-csv",
            Format::MccMncJson => "mcc-mnc-json",
            Format::OperatorsCsv => "operators-csv",
            Format::LedgerCsv => "ledger-csv",
            Format::AllowlistCsv => "allowlist-csv",
            Format::RegistryCsv => "registry-csv",
            Format::PhoneAuthorisedCsv => "phone-authorised-csv",
            Format::PhoneCallsCsv => "phone-calls-csv",
            Format::VisitsCsv => "visits-csv",
            Format::SearchesCsv => "searches-csv",
            Format::RfDetectionsCsv => "rf-detections-csv",
        }
    }

    /// The kind of data the format holds.
    pub fn kind(self) -> Kind {
        match self {
            Format::Geojson | Format::PrisonsCsv => Kind::Facilities,
            Format::CellsCsv | Format::ArcepSites => Kind::Cells,
            Format::Osmocom | Format::TacCsv => Kind::Tac,
            Format::OverlayCsv => Kind::TacOverlay,
            Format::MccMncJson | Format::OperatorsCsv => Kind::Operators,
            Format::LedgerCsv => Kind::Ledger,
            Format::AllowlistCsv => Kind::Allowlist,
            Format::RegistryCsv => Kind::Registry,
            Format::PhoneAuthorisedCsv => Kind::PhoneAuthorised,
            Format::PhoneCallsCsv => Kind::PhoneCalls,
            Format::VisitsCsv => Kind::Visits,
            Format::SearchesCsv => Kind::Searches,
            Format::RfDetectionsCsv => Kind::RfDetections,
        }
    }

    /// The formats of one kind, comma-separated, for messages.
    pub fn names_for(kind: Kind) -> String {
        Format::ALL
            .iter()
            .filter(|f| f.kind() == kind)
            .map(|f| format!("`{}`", f.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = Format::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown format `{s}`; expected one of {}", all.join(", "))
            })
    }
}
