//! Accepted rows grouped by partition: (delivering operator, UTC day).

use cellsweep_ids::Plmn;

use crate::schema::{Event, EventColumns};

/// Microseconds in a day.
const DAY_US: i64 = 86_400_000_000;

/// A partition of the event store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartitionKey {
    /// The delivering operator.
    pub operator: Plmn,
    /// Days since 1970-01-01, UTC.
    pub day: i32,
}

impl PartitionKey {
    /// The partition of an event time.
    #[inline]
    pub fn of(operator: Plmn, time_us: i64) -> PartitionKey {
        PartitionKey {
            operator,
            day: time_us.div_euclid(DAY_US) as i32,
        }
    }

    /// `YYYY-MM-DD`.
    pub fn day_string(&self) -> String {
        let d = jiff::civil::date(1970, 1, 1)
            .checked_add(jiff::Span::new().days(i64::from(self.day)))
            .map(|d| d.to_string());
        d.unwrap_or_else(|_| format!("day{}", self.day))
    }
}

/// Columns per partition, in order of first appearance.
#[derive(Debug, Default)]
pub struct Partitions {
    parts: Vec<(PartitionKey, EventColumns)>,
    last: usize,
    capacity: usize,
}

impl Partitions {
    /// Room for about `capacity` rows in the first partition.
    pub fn with_capacity(capacity: usize) -> Partitions {
        Partitions {
            parts: Vec::new(),
            last: 0,
            capacity,
        }
    }

    /// The columns of a partition, created on first use.
    #[inline]
    pub fn columns(&mut self, key: PartitionKey) -> &mut EventColumns {
        if self.parts.get(self.last).is_some_and(|(k, _)| *k == key) {
            return &mut self.parts[self.last].1;
        }
        match self.parts.iter().position(|(k, _)| *k == key) {
            Some(i) => self.last = i,
            None => {
                // Later partitions of a chunk are usually a day's tail: start small.
                let cap = if self.parts.is_empty() {
                    self.capacity
                } else {
                    1024
                };
                self.parts.push((key, EventColumns::with_capacity(cap)));
                self.last = self.parts.len() - 1;
            }
        }
        &mut self.parts[self.last].1
    }

    /// Appends one event.
    #[inline]
    pub fn push(&mut self, operator: Plmn, e: &Event, peer_other: Option<&str>) {
        self.columns(PartitionKey::of(operator, e.time_us))
            .push_parts(e, peer_other);
    }

    /// Rows in all partitions.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|(_, c)| c.len()).sum()
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The partitions, sorted by key.
    pub fn into_sorted(mut self) -> Vec<(PartitionKey, EventColumns)> {
        self.parts.retain(|(_, c)| !c.is_empty());
        self.parts.sort_by_key(|(k, _)| *k);
        self.parts
    }
}
