//! The simulated world: the nation-level plan (facilities, numbering, supplier, cross-prison
//! links) drawn first and sequentially, then each facility's area built and simulated
//! independently and in parallel.

pub(crate) mod catalog;
pub(crate) mod layout;
pub(crate) mod nation;
pub(crate) mod people;
pub(crate) mod radio;
