//! Interdiction: from approved candidates to block lists for operators, disable requests,
//! evidence packages, and the retention of what the workspace holds.
//!
//! ```text
//! candidates.csv (cellsweep detect) ──► approve (policy + who + why) ──► approved pairings
//!                                                                         │
//!            allow list, reversals on appeal ──► lists::build(day) ◄──────┤
//!                                                  │                      │
//!    generation n: blacklist, notifications_<op>, exceptions_<op>         │
//!    + deltas against generation n-1, zipped with manifest.json           │
//!                                                                         ▼
//!        disable requests per operator: requested → acknowledged → confirmed | rejected
//!                                                         confirmed → reversed (appeal)
//!        evidence packages (JSON + HTML) per device      retention: erase what expired
//! ```
//!
//! Every step writes the workspace's audit log (`cellsweep_store::audit`). The safety rule
//! that comes before everything else: no allow-listed pairing ever reaches a blacklist or a
//! notification list ([`lists`], property-tested).
//!
//! ```
//! use cellsweep_interdict::lists::{build, Allow, Inputs, Pairing};
//!
//! let day: jiff::civil::Date = "2026-03-20".parse().unwrap();
//! let pairing = |imsi: &str| Pairing {
//!     device: "D0000000000000001".into(),
//!     imei: Some("86603928201867".into()),
//!     imsi: Some(imsi.into()),
//!     msisdn: None,
//!     operator: Some("208-01".into()),
//!     conditions: vec!["resident".into()],
//!     block_date: "2026-03-10".parse().unwrap(),
//! };
//! let staff_sim = Allow {
//!     imei: None,
//!     imsi: Some("208011111111111".into()),
//!     msisdn: None,
//!     operator: Some("208-01".into()),
//!     valid_from: "2025-01-01".parse().unwrap(),
//!     valid_to: None,
//! };
//! let inputs = Inputs {
//!     pairings: vec![pairing("208012222222222"), pairing("208011111111111")],
//!     allow: vec![staff_sim],
//!     ..Inputs::default()
//! };
//! let lists = build(&inputs, day);
//! // The handset once held a staff SIM: its IMEI is not blacklisted, the contraband SIM is
//! // notified instead, and the staff pairing is excepted.
//! assert!(lists.blacklist.is_empty());
//! assert_eq!(lists.notifications["208-01"].len(), 1);
//! assert_eq!(lists.exceptions["208-01"].len(), 1);
//! ```

mod approve;
mod conditions;
mod error;
pub mod evidence;
mod generate;
pub mod lists;
pub mod requests;
pub mod retention;
mod state;
mod util;

pub use approve::{
    Approval, ApproveRequest, CANDIDATE_COLUMNS, CandidateRow, DEFAULT_GRACE_DAYS, approve,
    read_candidates, register_candidates,
};
pub use error::{Error, RowError};
pub use generate::{
    FileEntry, GenerateRequest, Generation, HeldImei, LISTS_DIR, MANIFEST_FORMAT, Manifest,
    generate,
};
pub use util::{parse_date, today};
