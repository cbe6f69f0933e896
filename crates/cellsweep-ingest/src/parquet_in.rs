//! Parquet deliveries with the documented input schema (docs/operator-data.md,
//! `parquet-canonical`): identifiers as text, validated here like any other input.
//!
//! | column | type | |
//! |---|---|---|
//! | `event_time` | timestamp (any unit; UTC when the column has no zone) | required |
//! | `event_type` | string, canonical names | required |
//! | `imei`, `imsi`, `msisdn`, `peer`, `direction`, `cell`, `radio` | string | optional |
//! | `duration_s`, `ta` | integer | optional |
//!
//! Columns may come in any order; other columns are ignored.

use std::fs::File;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use cellsweep_ids::{CellId, CellParseOptions, MncTable};
use cellsweep_store::Rejection;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::Error;
use crate::partition::Partitions;
use crate::read::{ReadCtx, ReadResult};
use crate::schema::{Direction, Event, EventType, Radio};
use crate::values::Ids;

/// Rows per batch read.
const BATCH_ROWS: usize = 1 << 16;
/// Rows per written chunk.
const CHUNK_ROWS: usize = 1 << 20;

const TEXT_COLUMNS: [&str; 8] = [
    "imei",
    "imsi",
    "msisdn",
    "peer",
    "event_type",
    "direction",
    "cell",
    "radio",
];
const INT_COLUMNS: [&str; 2] = ["duration_s", "ta"];

/// Normalised columns of one batch.
pub struct Columns {
    time: Option<ArrayRef>,
    text: Vec<Option<ArrayRef>>,
    ints: Vec<Option<ArrayRef>>,
}

impl Columns {
    /// Casts a batch's columns to the reader's types; fails when a required column is missing
    /// or a column has a type that cannot be read.
    pub fn of(batch: &RecordBatch) -> Result<Columns, String> {
        let schema = batch.schema();
        let col = |name: &str| schema.index_of(name).ok().map(|i| batch.column(i).clone());
        let time = match col("event_time") {
            Some(a) => {
                if !matches!(a.data_type(), DataType::Timestamp(_, _)) {
                    return Err(format!(
                        "`event_time` is {}, not a timestamp",
                        a.data_type()
                    ));
                }
                Some(
                    cast(
                        &a,
                        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                    )
                    .map_err(|e| format!("`event_time`: {e}"))?,
                )
            }
            None => return Err("missing column `event_time`".into()),
        };
        if col("event_type").is_none() {
            return Err("missing column `event_type`".into());
        }
        let mut text = Vec::new();
        for n in TEXT_COLUMNS {
            text.push(match col(n) {
                Some(a) => Some(
                    cast(&a, &DataType::Utf8)
                        .map_err(|e| format!("`{n}` is {}: {e}", a.data_type()))?,
                ),
                None => None,
            });
        }
        let mut ints = Vec::new();
        for n in INT_COLUMNS {
            ints.push(match col(n) {
                Some(a) if a.data_type().is_integer() => {
                    Some(cast(&a, &DataType::Int64).map_err(|e| format!("`{n}`: {e}"))?)
                }
                Some(a) => return Err(format!("`{n}` is {}, not an integer", a.data_type())),
                None => None,
            });
        }
        Ok(Columns { time, text, ints })
    }

    fn text(&self, i: usize, row: usize) -> Option<&str> {
        let a = self.text[i].as_ref()?;
        let s = a.as_string::<i32>();
        (!s.is_null(row))
            .then(|| s.value(row))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    fn int(&self, i: usize, row: usize) -> Option<i64> {
        let a = self.ints[i].as_ref()?.as_primitive::<Int64Type>();
        (!a.is_null(row)).then(|| a.value(row))
    }

    fn time(&self, row: usize) -> Option<i64> {
        let a = self
            .time
            .as_ref()?
            .as_primitive::<TimestampMicrosecondType>();
        (!a.is_null(row)).then(|| a.value(row))
    }

    /// The row as text, for the quarantine.
    fn raw(&self, row: usize) -> String {
        let mut parts = vec![format!(
            "event_time={}",
            self.time(row)
                .map(crate::time::fmt_micros)
                .unwrap_or_else(|| "null".into())
        )];
        for (i, n) in TEXT_COLUMNS.iter().enumerate() {
            if self.text[i].is_some() {
                parts.push(format!("{n}={}", self.text(i, row).unwrap_or("null")));
            }
        }
        for (i, n) in INT_COLUMNS.iter().enumerate() {
            if self.ints[i].is_some() {
                parts.push(format!(
                    "{n}={}",
                    self.int(i, row)
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "null".into())
                ));
            }
        }
        parts.join("; ")
    }
}

/// Parses rows of normalised columns.
pub struct RowReader {
    ids: Ids,
    operator: Option<cellsweep_ids::Plmn>,
    table: MncTable,
}

impl RowReader {
    /// A reader with the profile's identifier options.
    pub fn new(
        opts: &crate::profile::IdOptions,
        region: cellsweep_ids::Region,
        operator: Option<cellsweep_ids::Plmn>,
    ) -> RowReader {
        RowReader {
            ids: Ids::new(opts, region),
            operator,
            table: MncTable::builtin(),
        }
    }

    /// Adds row `row` of `c` (1-based `source_row`) or says why not.
    pub fn row(
        &mut self,
        c: &Columns,
        row: usize,
        source_row: u64,
        out: &mut Partitions,
    ) -> Result<(), Rejection> {
        let rej =
            |field: &str, reason: String| Rejection::field(source_row, field, reason, c.raw(row));
        let time_us = c
            .time(row)
            .ok_or_else(|| rej("event_time", "missing event time".into()))?;
        let et = c
            .text(4, row)
            .ok_or_else(|| rej("event_type", "missing event type".into()))?;
        let event_type = EventType::from_name(et).ok_or_else(|| {
            rej(
                "event_type",
                format!(
                    "unknown event type `{et}` (expected one of {})",
                    crate::profile::names(EventType::ALL.iter().map(|e| e.as_str()))
                ),
            )
        })?;
        let direction = c
            .text(5, row)
            .map(|d| {
                Direction::from_name(d)
                    .ok_or_else(|| rej("direction", format!("`{d}` is not `mo` or `mt`")))
            })
            .transpose()?;
        let (imei_t, imsi_t, msisdn_t) = (c.text(0, row), c.text(1, row), c.text(2, row));
        if imei_t.is_none() && imsi_t.is_none() && msisdn_t.is_none() {
            return Err(Rejection::row(
                source_row,
                "no identity: `imei`, `imsi` and `msisdn` all empty",
                c.raw(row),
            ));
        }
        let ids = &mut self.ids;
        let imei = imei_t
            .map(|s| ids.imei(s))
            .transpose()
            .map_err(|e| rej("imei", e))?;
        let imsi = imsi_t
            .map(|s| ids.imsi(s))
            .transpose()
            .map_err(|e| rej("imsi", e))?;
        let msisdn = msisdn_t
            .map(|s| ids.msisdn(s))
            .transpose()
            .map_err(|e| rej("msisdn", e))?;
        let peer_t = c.text(3, row);
        let peer_msisdn = peer_t.and_then(|s| ids.peer(s));
        let peer_other = peer_t.filter(|_| peer_msisdn.is_none());
        let cell = c
            .text(6, row)
            .map(|s| {
                CellId::parse(s, &CellParseOptions::default(), &self.table)
                    .map_err(|e| rej("cell", e.to_string()))
            })
            .transpose()?;
        let radio = c
            .text(7, row)
            .map(|r| {
                Radio::from_name(&r.to_ascii_lowercase())
                    .ok_or_else(|| rej("radio", format!("`{r}` is not one of 2g, 3g, 4g, 5g")))
            })
            .transpose()?;
        let duration_s = c
            .int(0, row)
            .map(|d| {
                u32::try_from(d)
                    .map_err(|_| rej("duration_s", format!("`{d}` is not a duration in seconds")))
            })
            .transpose()?;
        let ta = c
            .int(1, row)
            .map(|t| {
                u16::try_from(t)
                    .map_err(|_| rej("ta", format!("timing advance `{t}` is out of range")))
            })
            .transpose()?;
        let operator = self.operator.or(cell.map(|c| c.plmn())).ok_or_else(|| {
            Rejection::row(
                source_row,
                "no operator: the profile names none and the row has no cell",
                c.raw(row),
            )
        })?;
        let e = Event {
            time_us,
            imei,
            imsi,
            msisdn,
            peer_msisdn,
            peer_other: None,
            event_type,
            direction,
            duration_s,
            cell: cell.map(|c| c.key()),
            radio,
            ta,
            source_row,
        };
        out.push(operator, &e, peer_other);
        Ok(())
    }
}

/// Reads a Parquet delivery.
pub(crate) fn read(ctx: &ReadCtx<'_>) -> Result<ReadResult, Error> {
    let file = File::open(ctx.path).map_err(Error::io(ctx.path))?;
    let unreadable = |reason: String| Error::Unreadable {
        path: ctx.path.into(),
        format: "Parquet",
        reason,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| unreadable(e.to_string()))?
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| unreadable(e.to_string()))?;
    let mut rows = RowReader::new(
        &ctx.profile.ids,
        ctx.region,
        ctx.profile.operator_plmn(ctx.operator),
    );
    let mut result = ReadResult::default();
    let mut parts = Partitions::with_capacity(CHUNK_ROWS);
    let mut chunk = 0u64;
    let mut n = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| unreadable(e.to_string()))?;
        let cols = Columns::of(&batch).map_err(|reason| Error::HeaderMismatch {
            path: ctx.path.into(),
            profile: ctx.profile.name.clone(),
            reason,
        })?;
        for r in 0..batch.num_rows() {
            n += 1;
            match rows.row(&cols, r, n, &mut parts) {
                Ok(()) => result.accepted += 1,
                Err(rej) => result.rejections.push(rej),
            }
        }
        ctx.progress.advance(0, batch.num_rows() as u64);
        if parts.len() >= CHUNK_ROWS {
            let full = std::mem::replace(&mut parts, Partitions::with_capacity(CHUNK_ROWS));
            result
                .parts
                .extend(ctx.writer.write(chunk, full.into_sorted())?);
            chunk += 1;
        }
    }
    if !parts.is_empty() {
        result
            .parts
            .extend(ctx.writer.write(chunk, parts.into_sorted())?);
    }
    Ok(result)
}
