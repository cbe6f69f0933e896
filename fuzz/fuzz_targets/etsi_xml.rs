//! The ETSI TS 102 657 streaming reader and record-to-event conversion: no input panics.
#![no_main]

use cellsweep_ids::Region;
use cellsweep_ingest::parsers::{Partitions, RecordParser, stream_records};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parser = RecordParser::new(&Default::default(), Region::FR, None);
    let mut out = Partitions::with_capacity(16);
    let _ = stream_records(data, |n, r, _| {
        let _ = parser.event(&r, n, &mut out);
        Ok(())
    });
});
