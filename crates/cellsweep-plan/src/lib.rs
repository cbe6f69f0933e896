//! Planning searches: where inside its facility each candidate phone is, and where to spend a
//! budget of cell searches to find the most phones.
//!
//! ```text
//! workspace (detect run: scores, identities; events; prison records; RF logs; searches)
//!    └─ inputs::load ─► locate::locate_all ─► planner::plan ─► plan.csv
//!                        (attribution × radio × RF × searches, per prison cell)
//! truth (simulator) + plan.csv ─► evaluate::evaluate ─► plan vs random vs oracle
//! ```
//!
//! Model and constants: docs/plan.md. This crate reads the workspace and writes nothing to it;
//! recording outcomes is the catalog's (`cellsweep-ref` reads search files).

mod error;
pub mod evaluate;
#[cfg(test)]
mod fixture;
pub mod inputs;
pub mod layout;
pub mod locate;
pub mod planner;

pub use error::Error;
pub use inputs::{Inputs, Load, load};
pub use locate::{Evidence, Location, Params, locate_all};
pub use planner::{Budget, Plan, PlanRow, plan};
