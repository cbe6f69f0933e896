//! Profile time formats: compiling any format and parsing any text never panics.
#![no_main]

use cellsweep_ingest::parsers::TimeFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str)| {
    let (format, text) = input;
    if let Ok(f) = TimeFormat::compile(format) {
        if let Ok(c) = f.parse(text) {
            let _ = c.to_micros(c.offset_s.unwrap_or(0));
        }
    }
});
