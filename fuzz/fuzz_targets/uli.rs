//! The GTPv2 User Location Information decoder: no input panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = cellsweep_ingest::decode_uli(s);
    }
    // Also as the hex of arbitrary octets.
    let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
    let _ = cellsweep_ingest::decode_uli(&hex);
});
