//! The cellsweep workspace on disk.
//!
//! A workspace is one directory:
//!
//! ```text
//! WS/
//! ├── workspace.toml     typed, versioned settings (format version, default region, ...)
//! ├── catalog.sqlite     provenance of every imported file, quarantine, reference data,
//! │                      the list of event parts, the audit log and its signed checkpoints
//! ├── keys/audit.key     the audit signing key (ed25519 seed, owner-only; an HSM in production)
//! ├── keys/audit.pub     its public half
//! ├── lists/             block-list generations (written by cellsweep-interdict)
//! └── events/            canonical operator events as Parquet parts (written by cellsweep-ingest)
//!     └── operator=208-01/day=2026-03-01/<sha256>-<chunk>.parquet
//! ```
//!
//! Every command that reads or changes personal data appends to the audit log
//! ([`Workspace::audit`], module [`audit`]) and ends with a signed checkpoint.
//!
//! This crate knows the layout and the schema, and guarantees three things to every importer:
//!
//! - **provenance**: each file is recorded once with its SHA-256, size, format and legal
//!   request reference, and re-importing the same content under the same kind is a no-op;
//! - **nothing is lost**: a file's rows in = rows accepted + rows quarantined, enforced by a
//!   `CHECK` constraint, and every rejected row is kept with line, field, reason and raw text;
//! - **no half state**: an import is one SQLite transaction, so a crash leaves the workspace as
//!   it was before the import started.
//!
//! It knows nothing of telecom semantics beyond the schema: readers live in `cellsweep-ref`
//! and `cellsweep-ingest`.
//!
//! ```
//! use cellsweep_store::{NewSource, Rejection, Workspace};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let ws_dir = dir.path().join("ws");
//! let mut ws = Workspace::init(&ws_dir).unwrap();
//! let mut import = ws
//!     .begin_import(NewSource {
//!         kind: "ledger".into(),
//!         format: "ledger-csv".into(),
//!         path: "ledger.csv".into(),
//!         sha256: "00".repeat(32),
//!         bytes: 10,
//!         request_ref: None,
//!     })
//!     .unwrap();
//! import
//!     .reject(Rejection::field(3, "imei", "wrong check digit", "bad,row"))
//!     .unwrap();
//! let source = import.commit(1, None).unwrap();
//! assert_eq!((source.rows_in, source.rows_quarantined), (2, 1));
//! ```

pub mod audit;
mod config;
mod error;
mod events;
mod hash;
mod import;
mod workspace;

pub use audit::{Action, AuditEntry};
pub use config::{
    CONFIG_FILE, DEFAULT_EVENTS_DAYS, DEFAULT_LISTS_DAYS, DEFAULT_QUARANTINE_DAYS, FORMAT_VERSION,
    RetentionConfig, WorkspaceConfig,
};
pub use error::Error;
pub use events::{EVENTS_DIR, EventPart, STAGING_DIR, ScanDay};
pub use hash::{FileDigest, digest_file};
pub use import::{Import, NewSource, QuarantinedRow, Rejection, SourceFile};
pub use workspace::{CATALOG_FILE, Workspace};

/// Re-exported so that readers use the same SQLite binding as the catalog.
pub use rusqlite;
