//! What every reader gets and gives back.

use std::path::Path;

use cellsweep_ids::{Plmn, Region};
use cellsweep_store::Rejection;

use crate::parts::{PartWriter, StagedPart};
use crate::profile::Profile;

/// Progress of one file, for bars or plain lines. Called from worker threads.
pub trait Progress: Sync {
    /// A file starts; `bytes` is its size.
    fn begin(&self, _path: &Path, _bytes: u64) {}
    /// `bytes` more were read and `rows` more records handled.
    fn advance(&self, _bytes: u64, _rows: u64) {}
    /// The file is read (the catalog commit follows).
    fn end(&self) {}
}

/// No progress reporting.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Context of one read.
pub(crate) struct ReadCtx<'a> {
    pub(crate) path: &'a Path,
    pub(crate) profile: &'a Profile,
    pub(crate) operator: Option<Plmn>,
    pub(crate) region: Region,
    pub(crate) writer: &'a PartWriter,
    pub(crate) progress: &'a dyn Progress,
    pub(crate) threads: usize,
}

/// What a reader produced.
#[derive(Debug, Default)]
pub(crate) struct ReadResult {
    pub(crate) parts: Vec<StagedPart>,
    pub(crate) rejections: Vec<Rejection>,
    pub(crate) accepted: u64,
    /// Rows whose local time needed the ambiguous-time policy and were resolved by it.
    pub(crate) ambiguous_resolved: u64,
    pub(crate) notes: Vec<String>,
}

impl ReadResult {
    pub(crate) fn merge(&mut self, mut other: ReadResult) {
        self.parts.append(&mut other.parts);
        self.rejections.append(&mut other.rejections);
        self.accepted += other.accepted;
        self.ambiguous_resolved += other.ambiguous_resolved;
        self.notes.append(&mut other.notes);
    }

    /// Earliest and latest accepted event.
    pub(crate) fn time_range(&self) -> Option<(i64, i64)> {
        let min = self.parts.iter().map(|p| p.record.time_min).min()?;
        let max = self.parts.iter().map(|p| p.record.time_max).max()?;
        Some((min, max))
    }
}
