//! Detection of contraband devices: which phones live inside which prison, how sure we are,
//! and why, in words a prosecutor can read.
//!
//! ```text
//! catalog (facilities, cells, TACs, ledgers, allow list)        event store (Parquet parts)
//!        │                                                              │
//!        ├─► coverage: sector wedges × footprints (cellsweep-geo) ──┐   │
//!        │                                                          ▼   ▼
//!        │                         derived Parquet tables ──► SQL (cellsweep-query: DataFusion,
//!        │                                                    or the same plan on Ballista)
//!        │                                                          │ pairings, distant IMEIs
//!        │                              identity resolution ◄───────┘
//!        │                                      │ devices
//!        │                                      ▼
//!        │                       presence features per (device, facility)
//!        ▼                                      │
//!   device facts ──► conditions (TOML) ─────────┤
//!                                               ▼
//!                         logistic score (calibrated on past outcomes) + explanation
//! ```
//!
//! The rules of each stage are documented in its module: [`identity`], [`features`],
//! [`conditions`], [`score`], [`tables`].

pub mod conditions;
mod detect;
mod error;
pub mod evaluate;
pub mod facts;
pub mod features;
pub mod identity;
pub mod score;
pub mod tables;

pub use detect::{
    Candidate, Detection, Settings, latest_run_dir, model_description, register_event_store,
    register_tables, run,
};
pub use error::Error;
