//! The Parquet input reader (`parquet-canonical`): any bytes either fail to open or go through
//! the row validation without panicking.
#![no_main]

use cellsweep_ids::Region;
use cellsweep_ingest::parsers::{ParquetColumns, ParquetRowReader, Partitions};
use libfuzzer_sys::fuzz_target;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fuzz_target!(|data: &[u8]| {
    let Ok(builder) = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(data))
    else {
        return;
    };
    let Ok(reader) = builder.with_batch_size(1024).build() else {
        return;
    };
    let mut rows = ParquetRowReader::new(&Default::default(), Region::FR, None);
    let mut out = Partitions::with_capacity(16);
    let mut n = 0;
    for batch in reader.take(16) {
        let Ok(batch) = batch else { return };
        let Ok(cols) = ParquetColumns::of(&batch) else {
            return;
        };
        for r in 0..batch.num_rows() {
            n += 1;
            let _ = rows.row(&cols, r, n, &mut out);
        }
    }
});
