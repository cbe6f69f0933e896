//! The `parquet-canonical` layout: identifiers as text, as an operator exporting from its own
//! warehouse would write them.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Int32Builder, RecordBatch, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::Error;
use crate::activity::{Dir, Kind, NO_TA, Row, SHORT_CODES};
use crate::deliver::text::imei15;
use crate::deliver::{Damage, RowCtx};

/// Rows per record batch and row group flush.
const BATCH: usize = 65_536;

pub(crate) fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new(
            "event_time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new("imei", DataType::Utf8, true),
        Field::new("imsi", DataType::Utf8, true),
        Field::new("msisdn", DataType::Utf8, true),
        Field::new("peer", DataType::Utf8, true),
        Field::new("event_type", DataType::Utf8, false),
        Field::new("direction", DataType::Utf8, true),
        Field::new("duration_s", DataType::Int32, true),
        Field::new("cell", DataType::Utf8, true),
        Field::new("radio", DataType::Utf8, true),
        Field::new("ta", DataType::Int32, true),
    ]))
}

/// An open Parquet delivery.
pub(crate) struct ParquetFile {
    path: PathBuf,
    writer: ArrowWriter<File>,
    time: TimestampMicrosecondBuilder,
    imei: StringBuilder,
    imsi: StringBuilder,
    msisdn: StringBuilder,
    peer: StringBuilder,
    event_type: StringBuilder,
    direction: StringBuilder,
    duration: Int32Builder,
    cell: StringBuilder,
    radio: StringBuilder,
    ta: Int32Builder,
    rows: usize,
}

/// Formats `v` in decimal, zero-padded to `width`, into `buf`; returns the text.
fn digits(buf: &mut [u8; 24], prefix: Option<u8>, v: u64, width: usize) -> &str {
    let mut i = buf.len();
    let mut v = v;
    let mut n = 0;
    while v > 0 || n < width.max(1) {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        n += 1;
    }
    if let Some(p) = prefix {
        i -= 1;
        buf[i] = p;
    }
    std::str::from_utf8(&buf[i..]).expect("ASCII digits")
}

fn strings() -> StringBuilder {
    StringBuilder::with_capacity(BATCH, BATCH * 16)
}

impl ParquetFile {
    pub(crate) fn create(path: PathBuf) -> Result<Self, Error> {
        let file = File::create(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                parquet::basic::ZstdLevel::try_new(1).expect("level 1 exists"),
            ))
            // Row groups of 128 Ki rows: the writer buffers one row group per open file, and a
            // simulation keeps up to eight files open per facility.
            .set_max_row_group_row_count(Some(BATCH * 2))
            // Identifier columns have tens of thousands of values per file: dictionaries overflow
            // and fall back to plain encoding after costing a hash per value (measured: twice the
            // time). Min/max of identifier strings help no reader and cost a pass over every value.
            .set_column_dictionary_enabled("imei".into(), false)
            .set_column_dictionary_enabled("imsi".into(), false)
            .set_column_dictionary_enabled("msisdn".into(), false)
            .set_column_dictionary_enabled("peer".into(), false)
            .set_column_statistics_enabled("imei".into(), EnabledStatistics::None)
            .set_column_statistics_enabled("imsi".into(), EnabledStatistics::None)
            .set_column_statistics_enabled("msisdn".into(), EnabledStatistics::None)
            .set_column_statistics_enabled("peer".into(), EnabledStatistics::None)
            .set_created_by("cellsweep simulator".into())
            .build();
        let writer =
            ArrowWriter::try_new(file, schema(), Some(props)).map_err(|source| Error::Parquet {
                path: path.clone(),
                source,
            })?;
        Ok(Self {
            path,
            writer,
            time: TimestampMicrosecondBuilder::with_capacity(BATCH).with_timezone("UTC"),
            imei: strings(),
            imsi: strings(),
            msisdn: strings(),
            peer: strings(),
            event_type: strings(),
            direction: strings(),
            duration: Int32Builder::with_capacity(BATCH),
            cell: strings(),
            radio: strings(),
            ta: Int32Builder::with_capacity(BATCH),
            rows: 0,
        })
    }

    pub(crate) fn row(
        &mut self,
        ev: &Row,
        cx: &RowCtx<'_>,
        damage: Option<Damage>,
    ) -> Result<(), Error> {
        let mut buf = [0u8; 24];
        self.time.append_value(ev.t * 1_000_000);
        if damage == Some(Damage::MissingIdentity) {
            self.imei.append_null();
            self.imsi.append_null();
            self.msisdn.append_null();
        } else {
            let mut i15 = imei15(ev.imei);
            if damage == Some(Damage::BadImeiCheck) {
                i15 = i15 / 10 * 10 + (i15 % 10 + 1) % 10;
            }
            self.imei.append_value(digits(&mut buf, None, i15, 15));
            let imsi = if damage == Some(Damage::TruncatedImsi) {
                ev.sim.imsi / 1_000_000
            } else {
                ev.sim.imsi
            };
            self.imsi.append_value(digits(&mut buf, None, imsi, 1));
            self.msisdn
                .append_value(digits(&mut buf, Some(b'+'), ev.sim.msisdn, 1));
        }
        if ev.peer == 0 {
            self.peer.append_null();
        } else if ev.peer < SHORT_CODES.len() as u64 {
            self.peer.append_value(SHORT_CODES[ev.peer as usize]);
        } else {
            self.peer
                .append_value(digits(&mut buf, Some(b'+'), ev.peer, 1));
        }
        self.event_type.append_value(match (ev.kind, damage) {
            (_, Some(Damage::UnknownType)) => "telepathy",
            (Kind::Call, _) => "call",
            (Kind::Sms, _) => "sms",
            (Kind::Data, _) => "data",
            (Kind::LocationUpdate, _) => "location_update",
        });
        match ev.dir {
            Dir::Mo => self.direction.append_value("mo"),
            Dir::Mt => self.direction.append_value("mt"),
            Dir::None => self.direction.append_null(),
        }
        if matches!(ev.kind, Kind::Call | Kind::Data) {
            self.duration.append_value(ev.duration as i32);
        } else {
            self.duration.append_null();
        }
        if damage == Some(Damage::GarbageCell) {
            self.cell.append_value("208-20-zzzzzzz");
        } else {
            self.cell.append_value(cx.cell_text);
        }
        self.radio.append_value(cx.cell.radio.as_str());
        if ev.ta == NO_TA {
            self.ta.append_null();
        } else {
            self.ta.append_value(i32::from(ev.ta));
        }
        self.rows += 1;
        if self.rows == BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.rows == 0 {
            return Ok(());
        }
        // Swap in fresh, pre-sized builders: `finish` would leave empty ones that regrow.
        let take = |b: &mut StringBuilder| -> ArrayRef {
            Arc::new(std::mem::replace(b, strings()).finish())
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                std::mem::replace(
                    &mut self.time,
                    TimestampMicrosecondBuilder::with_capacity(BATCH).with_timezone("UTC"),
                )
                .finish(),
            ),
            take(&mut self.imei),
            take(&mut self.imsi),
            take(&mut self.msisdn),
            take(&mut self.peer),
            take(&mut self.event_type),
            take(&mut self.direction),
            Arc::new(
                std::mem::replace(&mut self.duration, Int32Builder::with_capacity(BATCH)).finish(),
            ),
            take(&mut self.cell),
            take(&mut self.radio),
            Arc::new(std::mem::replace(&mut self.ta, Int32Builder::with_capacity(BATCH)).finish()),
        ];
        let batch = RecordBatch::try_new(schema(), columns).map_err(|e| Error::Parquet {
            path: self.path.clone(),
            source: e.into(),
        })?;
        self.writer.write(&batch).map_err(|source| Error::Parquet {
            path: self.path.clone(),
            source,
        })?;
        self.rows = 0;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<(), Error> {
        self.flush()?;
        self.writer.close().map_err(|source| Error::Parquet {
            path: self.path.clone(),
            source,
        })?;
        Ok(())
    }
}
