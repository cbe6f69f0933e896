//! Operator data ingest for cellsweep: deliveries in, canonical events out, nothing lost.
//!
//! ```text
//!  delivery file ──profile──▶ reader ──────────────▶ canonical rows ──▶ Parquet parts (staged)
//!   CSV (any layout, TOML)     csv: cutter + N workers   (schema.rs)         │
//!   TS 102 657 XML             xml: streaming, local names                   ▼
//!   Parquet                    parquet_in                         one catalog transaction:
//!                                 │ bad rows                       source file, counts, time
//!                                 └────────────▶ quarantine ─────▶ range, quarantine, parts;
//!                                                                  parts renamed, then COMMIT
//! ```
//!
//! Every row of a file is accepted or quarantined with its line, field, reason and raw text
//! (rows in = accepted + quarantined, enforced by the catalog); only an unusable file fails
//! (unreadable, unknown profile, header not matching the profile, not XML, not Parquet). A file
//! is identified by its SHA-256: ingesting it again is a no-op. An ingest killed at any moment
//! leaves orphans that the next ingest removes, and the re-run produces exactly the state of
//! an uninterrupted run (see `parts.rs` and docs/ingest.md).
//!
//! Layouts are described by profiles (`profiles/*.toml`, shipped, or a user's file); the
//! canonical event schema is in docs/operator-data.md. The crate also writes ETSI TS 103 120
//! requests for the data it ingests ([`request`]). It decides nothing about devices.
//!
//! ```
//! use cellsweep_ingest::{ingest, IngestOutcome, IngestRequest, NoProgress};
//! use cellsweep_store::Workspace;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let file = dir.path().join("20810_traffic_R1_001.csv");
//! std::fs::write(&file, "record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance\n\
//!     1,2026-03-01T23:15:02+01:00,MOC,33612345678,208101234567890,4901542032375101,33144556677,90,208-10-0045a01,LTE,12\n\
//!     2,2026-03-01T23:16:00+01:00,MOC,33612345678,20810123,4901542032375101,33144556677,90,208-10-0045a01,LTE,12\n").unwrap();
//! let mut ws = Workspace::init(&dir.path().join("ws")).unwrap();
//! let req = IngestRequest {
//!     path: file,
//!     profile: None, // recognised: en-comma
//!     request_ref: Some("R1".into()),
//!     operator: None,
//!     region: cellsweep_ids::Region::FR,
//!     threads: None,
//! };
//! let IngestOutcome::Imported(report) = ingest(&mut ws, &req, &NoProgress).unwrap() else { panic!() };
//! let s = &report.source;
//! assert_eq!((s.format.as_str(), s.rows_in, s.rows_accepted, s.rows_quarantined), ("en-comma", 2, 1, 1));
//! assert_eq!(ws.quarantined(Some(s.id), 10).unwrap()[0].field.as_deref(), Some("served_imsi"));
//! assert!(matches!(ingest(&mut ws, &req, &NoProgress).unwrap(), IngestOutcome::AlreadyImported(_)));
//! ```

mod csv;
mod error;
mod ingest;
mod parquet_in;
mod partition;
mod parts;
mod profile;
mod read;
mod schema;
mod suggest;
mod time;
mod uli;
mod values;
mod xml;

pub mod request;

pub use error::Error;
pub use ingest::{
    IngestOutcome, IngestReport, IngestRequest, KIND, collect_files, ingest, recognise,
};
pub use partition::PartitionKey;
pub use parts::{read_events, writer_properties};
pub use profile::{
    AmbiguousPolicy, ColumnRef, Format, Profile, builtin_names, builtin_profiles, builtin_text,
};
pub use read::{NoProgress, Progress};
pub use schema::{COLUMNS, Direction, Event, EventColumns, EventType, Radio, event_schema};
pub use suggest::{suggest_from_bytes, suggest_profile};
pub use uli::{Uli, decode_uli};

/// Entry points for the fuzz targets and benchmarks: the parsers without a workspace.
pub mod parsers {
    pub use crate::csv::row::{Outcome, RowParser};
    pub use crate::csv::split::record_spans;
    pub use crate::parquet_in::{Columns as ParquetColumns, RowReader as ParquetRowReader};
    pub use crate::partition::Partitions;
    pub use crate::time::{Civil, TimeFormat};
    pub use crate::xml::{Party, Record, RecordParser, stream_records};
}
