//! Reference data for cellsweep: the files an investigation unit already has before any
//! operator data arrives.
//!
//! | kind | formats | becomes |
//! |---|---|---|
//! | `facilities` | GeoJSON (ours: facility and zone features; or the national quartier list with points), national list CSV | facilities with footprints, zones, prison cells, jammers |
//! | `cells` | cell CSV (documented in `cells.rs`), Arcep antenna-site list | cells with canonical ids and sector shape; antenna sites |
//! | `tac` | Osmocom export, `tac,brand,model` CSV | TAC -> brand, model |
//! | `tac-overlay` | CSV | form factor, known contraband models |
//! | `operators` | `mcc-mnc-list` JSON, CSV | MCC-MNC -> operator; also teaches the IMSI parser MNC lengths |
//! | `ledger` | CSV | IMEIs sold by suppliers |
//! | `allowlist` | CSV | staff and official devices |
//! | `registry` | CSV | inmates' prison cells over time |
//! | `phone-authorised` | CSV | numbers each inmate may call (E.164) |
//! | `phone-calls` | CSV | official in-cell telephone calls (UTC) |
//! | `visits` | CSV | visits with the visitor's declared phone |
//! | `searches` | CSV | searches, seized devices (IMEI/IMSI keys) and their first custody entry |
//! | `rf-detections` | CSV | RF detector bursts (µs since the epoch, UTC) |
//!
//! The last six are the prison administration's records and RF detector logs
//! (`docs/records.md`); they are checked against the facilities, zones and prison cells already
//! in the workspace when there are any.
//!
//! Each import is one transaction in the workspace catalog: every row is either accepted or
//! quarantined with its line, field, reason and raw text, and the same file imported twice is
//! a no-op. A file fails as a whole only when it is unusable (unreadable, unrecognised format,
//! missing required columns).
//!
//! ```
//! use cellsweep_ref::{import, ImportOutcome, ImportRequest, Kind};
//! use cellsweep_store::Workspace;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let file = dir.path().join("ledger.csv");
//! std::fs::write(&file, "imei,supplier,sold_at\n490154203237518,Acme,2026-01-05\n490154203237519,Acme,2026-01-05\n").unwrap();
//! let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
//! let req = ImportRequest {
//!     kind: Kind::Ledger,
//!     path: file,
//!     format: None,
//!     request_ref: None,
//!     replace: false,
//!     region: cellsweep_ids::Region::FR,
//! };
//! let ImportOutcome::Imported { source, .. } = import(&mut ws, &req).unwrap() else { panic!() };
//! assert_eq!((source.rows_in, source.rows_accepted, source.rows_quarantined), (2, 1, 1));
//! assert!(matches!(import(&mut ws, &req).unwrap(), ImportOutcome::AlreadyImported(_)));
//! ```

mod allowlist;
mod cells;
mod clock;
mod common;
mod error;
mod facilities;
mod import;
mod kind;
mod ledger;
mod lookup;
mod operators;
mod phones;
mod places;
mod registry;
mod rf;
mod searches;
mod stats;
mod tac;
mod text;
mod visits;

pub use allowlist::ROLES;
pub use error::Error;
pub use import::{ImportOutcome, ImportRequest, import, recognise};
pub use kind::{Format, Kind};
pub use lookup::{TacInfo, mnc_table, operator_name, tac_info};
pub use searches::{SearchesImported, import_searches};
pub use stats::{KindStats, stats};
pub use tac::FORM_FACTORS;
