//! The profile CSV row parser and the record cutter, for each CSV profile: no input panics.
#![no_main]

use cellsweep_ids::Region;
use cellsweep_ingest::Profile;
use cellsweep_ingest::parsers::{Partitions, RowParser, record_spans};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fr = data.first().is_some_and(|b| b & 1 == 1);
    let (name, header, sep) = if fr {
        (
            "fr-semicolon",
            "DATE_HEURE;TYPE_EVT;SENS;DUREE;NUM_A;IMSI_A;IMEI_A;NUM_B;CGI;TECHNO;AT;LIBELLE_SITE;LAT;LONG",
            ';',
        )
    } else {
        (
            "en-comma",
            "record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance",
            ',',
        )
    };
    let header: Vec<String> = header.split(sep).map(str::to_owned).collect();
    let profile = Profile::resolve(name).expect("shipped profile");
    let mut parser = RowParser::new(
        &profile,
        &header,
        None,
        Region::FR,
        std::path::Path::new("fuzz"),
    )
    .expect("header matches");
    let mut out = Partitions::with_capacity(16);
    let body = data.get(1..).unwrap_or_default();
    let (spans, _) = record_spans(body, b'"', true);
    for (i, (s, e)) in spans.into_iter().enumerate() {
        let _ = parser.parse(&body[s..e], i as u64 + 2, &mut out);
    }
});
