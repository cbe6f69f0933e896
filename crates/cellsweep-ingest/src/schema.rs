//! The canonical event (docs/operator-data.md): its Arrow schema, its small enumerations, and
//! the column builder every reader fills.
//!
//! Readers append parsed rows into an [`EventColumns`], one per (operator, UTC day) partition,
//! with no per-row allocation except the rare `peer_other` text; [`EventColumns::finish`] turns
//! it into one Arrow `RecordBatch` of the canonical schema.

use std::sync::{Arc, LazyLock};

use arrow::array::{
    ArrayRef, Int64Array, RecordBatch, StringArray, StringBuilder, TimestampMicrosecondArray,
    UInt16Array, UInt32Array, UInt64Array,
};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Column names, in schema order.
pub const COLUMNS: [&str; 15] = [
    "time",
    "imei",
    "imsi",
    "msisdn",
    "peer_msisdn",
    "peer_other",
    "event_type",
    "direction",
    "duration_s",
    "cell",
    "radio",
    "ta",
    "operator",
    "source_file",
    "source_row",
];

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let f = |name: &str, dt: DataType, nullable: bool| Field::new(name, dt, nullable);
    Arc::new(Schema::new(vec![
        f(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        f("imei", DataType::UInt64, true),
        f("imsi", DataType::UInt64, true),
        f("msisdn", DataType::UInt64, true),
        f("peer_msisdn", DataType::UInt64, true),
        f("peer_other", DataType::Utf8, true),
        f("event_type", DataType::Utf8, false),
        f("direction", DataType::Utf8, true),
        f("duration_s", DataType::UInt32, true),
        f("cell", DataType::UInt64, true),
        f("radio", DataType::Utf8, true),
        f("ta", DataType::UInt16, true),
        f("operator", DataType::Utf8, false),
        f("source_file", DataType::Int64, false),
        f("source_row", DataType::UInt64, false),
    ]))
});

/// The canonical event schema (Arrow).
pub fn event_schema() -> SchemaRef {
    SCHEMA.clone()
}

macro_rules! small_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The canonical name, as stored.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            /// The value of a canonical name (exact match).
            pub fn from_name(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$v),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

small_enum!(
    /// What happened.
    EventType {
        /// A voice call.
        Call = "call",
        /// A short message.
        Sms = "sms",
        /// A data session.
        Data = "data",
        /// A location update.
        LocationUpdate = "location_update",
        /// Attach to the network.
        Attach = "attach",
        /// Detach from the network.
        Detach = "detach",
    }
);

small_enum!(
    /// Who originated the event, seen from the served party.
    Direction {
        /// Originated by the served party.
        Mo = "mo",
        /// Received by the served party.
        Mt = "mt",
    }
);

small_enum!(
    /// Radio generation of the serving cell.
    Radio {
        /// GSM.
        G2 = "2g",
        /// UMTS.
        G3 = "3g",
        /// LTE.
        G4 = "4g",
        /// NR.
        G5 = "5g",
    }
);

/// One canonical event as a reader produces it, before it goes into columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Microseconds since the Unix epoch, UTC.
    pub time_us: i64,
    /// `Imei::key`.
    pub imei: Option<u64>,
    /// `Imsi::key`.
    pub imsi: Option<u64>,
    /// `Msisdn::key` of the served party.
    pub msisdn: Option<u64>,
    /// `Msisdn::key` of the other party when it is an E.164 number.
    pub peer_msisdn: Option<u64>,
    /// The other party when it is not a number (short code, alphanumeric sender).
    pub peer_other: Option<String>,
    /// What happened.
    pub event_type: EventType,
    /// Mobile originated or terminated.
    pub direction: Option<Direction>,
    /// Seconds.
    pub duration_s: Option<u32>,
    /// `CellId::key` of the serving cell.
    pub cell: Option<u64>,
    /// Radio generation.
    pub radio: Option<Radio>,
    /// Timing advance in the radio's steps.
    pub ta: Option<u16>,
    /// 1-based record number in the file (see docs/ingest.md for each format).
    pub source_row: u64,
}

/// Columns of one partition under construction. `operator` and `source_file` are constant in
/// a partition and filled at [`EventColumns::finish`].
#[derive(Debug)]
pub struct EventColumns {
    time: Vec<i64>,
    imei: Opt<u64>,
    imsi: Opt<u64>,
    msisdn: Opt<u64>,
    peer_msisdn: Opt<u64>,
    peer_other: StringBuilder,
    event_type: Vec<EventType>,
    direction: Vec<Option<Direction>>,
    duration_s: Opt<u32>,
    cell: Opt<u64>,
    radio: Vec<Option<Radio>>,
    ta: Opt<u16>,
    source_row: Vec<u64>,
}

/// A nullable column: values (0 where null) and validity.
#[derive(Debug)]
struct Opt<T> {
    values: Vec<T>,
    valid: Vec<bool>,
    nulls: usize,
}

impl<T> Default for Opt<T> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            valid: Vec::new(),
            nulls: 0,
        }
    }
}

impl<T: Copy + Default> Opt<T> {
    fn with_capacity(n: usize) -> Self {
        Self {
            values: Vec::with_capacity(n),
            valid: Vec::with_capacity(n),
            nulls: 0,
        }
    }

    #[inline]
    fn push(&mut self, v: Option<T>) {
        self.values.push(v.unwrap_or_default());
        self.valid.push(v.is_some());
        self.nulls += usize::from(v.is_none());
    }

    fn nulls(&self) -> Option<NullBuffer> {
        (self.nulls > 0).then(|| NullBuffer::from(self.valid.as_slice()))
    }
}

impl Default for EventColumns {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl EventColumns {
    /// Empty columns with room for `n` rows.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            time: Vec::with_capacity(n),
            imei: Opt::with_capacity(n),
            imsi: Opt::with_capacity(n),
            msisdn: Opt::with_capacity(n),
            peer_msisdn: Opt::with_capacity(n),
            peer_other: StringBuilder::with_capacity(n, n),
            event_type: Vec::with_capacity(n),
            direction: Vec::with_capacity(n),
            duration_s: Opt::with_capacity(n),
            cell: Opt::with_capacity(n),
            radio: Vec::with_capacity(n),
            ta: Opt::with_capacity(n),
            source_row: Vec::with_capacity(n),
        }
    }

    /// Rows so far.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Smallest and largest time, when not empty.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let min = self.time.iter().copied().min()?;
        let max = self.time.iter().copied().max()?;
        Some((min, max))
    }

    /// Appends one event.
    #[inline]
    pub fn push(&mut self, e: &Event) {
        self.push_parts(e, e.peer_other.as_deref());
    }

    /// Appends one event whose `peer_other` text is given apart (so a reader can pass a
    /// borrowed field without building a `String`).
    #[inline]
    pub fn push_parts(&mut self, e: &Event, peer_other: Option<&str>) {
        self.time.push(e.time_us);
        self.imei.push(e.imei);
        self.imsi.push(e.imsi);
        self.msisdn.push(e.msisdn);
        self.peer_msisdn.push(e.peer_msisdn);
        self.peer_other.append_option(peer_other);
        self.event_type.push(e.event_type);
        self.direction.push(e.direction);
        self.duration_s.push(e.duration_s);
        self.cell.push(e.cell);
        self.radio.push(e.radio);
        self.ta.push(e.ta);
        self.source_row.push(e.source_row);
    }

    /// The event at `i` (tests and re-reading).
    pub fn get(&self, i: usize) -> Event {
        let opt = |o: &Opt<u64>| o.valid[i].then(|| o.values[i]);
        Event {
            time_us: self.time[i],
            imei: opt(&self.imei),
            imsi: opt(&self.imsi),
            msisdn: opt(&self.msisdn),
            peer_msisdn: opt(&self.peer_msisdn),
            peer_other: {
                let valid = self
                    .peer_other
                    .validity_slice()
                    .is_none_or(|v| v[i / 8] & (1 << (i % 8)) != 0);
                let off = self.peer_other.offsets_slice();
                let bytes = &self.peer_other.values_slice()[off[i] as usize..off[i + 1] as usize];
                valid.then(|| String::from_utf8_lossy(bytes).into_owned())
            },
            event_type: self.event_type[i],
            direction: self.direction[i],
            duration_s: self.duration_s.valid[i].then(|| self.duration_s.values[i]),
            cell: opt(&self.cell),
            radio: self.radio[i],
            ta: self.ta.valid[i].then(|| self.ta.values[i]),
            source_row: self.source_row[i],
        }
    }

    /// The canonical record batch, with the partition's operator and the file's catalog id.
    pub fn finish(mut self, operator: &str, source_file: i64) -> RecordBatch {
        let n = self.len();
        let u64col = |o: Opt<u64>| -> ArrayRef {
            let nulls = o.nulls();
            Arc::new(UInt64Array::new(o.values.into(), nulls))
        };
        let text = |it: &mut dyn Iterator<Item = Option<&'static str>>| -> ArrayRef {
            Arc::new(it.collect::<StringArray>())
        };
        let duration_nulls = self.duration_s.nulls();
        let ta_nulls = self.ta.nulls();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(TimestampMicrosecondArray::new(self.time.into(), None).with_timezone("UTC")),
            u64col(self.imei),
            u64col(self.imsi),
            u64col(self.msisdn),
            u64col(self.peer_msisdn),
            Arc::new(self.peer_other.finish()),
            text(&mut self.event_type.iter().map(|t| Some(t.as_str()))),
            text(&mut self.direction.iter().map(|d| d.map(Direction::as_str))),
            Arc::new(UInt32Array::new(
                self.duration_s.values.into(),
                duration_nulls,
            )),
            u64col(self.cell),
            text(&mut self.radio.iter().map(|r| r.map(Radio::as_str))),
            Arc::new(UInt16Array::new(self.ta.values.into(), ta_nulls)),
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
                operator, n,
            ))),
            Arc::new(Int64Array::from_value(source_file, n)),
            Arc::new(UInt64Array::from(self.source_row)),
        ];
        RecordBatch::try_new(event_schema(), columns).expect("columns follow the canonical schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_builds_the_canonical_batch() {
        let mut c = EventColumns::with_capacity(2);
        let e = Event {
            time_us: 1_772_403_302_000_000,
            imei: Some(49015420323751),
            imsi: None,
            msisdn: Some(33612345678),
            peer_msisdn: None,
            peer_other: Some("3179".into()),
            event_type: EventType::Call,
            direction: Some(Direction::Mo),
            duration_s: Some(90),
            cell: Some(7),
            radio: Some(Radio::G2),
            ta: None,
            source_row: 2,
        };
        c.push(&e);
        assert_eq!(c.get(0), e);
        let b = c.finish("208-01", 4);
        assert_eq!(b.num_rows(), 1);
        assert_eq!(b.schema(), event_schema());
        assert_eq!(b.column(11).null_count(), 1);
        let names: Vec<_> = b
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, COLUMNS);
    }
}
