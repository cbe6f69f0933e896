//! Property tests for the parsers: they never panic on any input, and valid values survive the
//! round trip through the canonical row.

use cellsweep_ids::{CellId, Imei, Plmn, Region};
use cellsweep_ingest::parsers::{
    Outcome, Partitions, RowParser, TimeFormat, record_spans, stream_records,
};
use cellsweep_ingest::{Profile, decode_uli};
use proptest::prelude::*;

fn parser(profile: &str) -> RowParser {
    let p = Profile::resolve(profile).unwrap();
    let header: Vec<String> = match profile {
        "fr-semicolon" => "DATE_HEURE;TYPE_EVT;SENS;DUREE;NUM_A;IMSI_A;IMEI_A;NUM_B;CGI;TECHNO;AT;LIBELLE_SITE;LAT;LONG".split(';').map(str::to_owned).collect(),
        _ => "record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance".split(',').map(str::to_owned).collect(),
    };
    RowParser::new(
        &p,
        &header,
        None,
        Region::FR,
        std::path::Path::new("prop.csv"),
    )
    .unwrap()
}

fn luhn(d: &str) -> u8 {
    cellsweep_ids::luhn_check_digit(&d.bytes().map(|b| b - b'0').collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn csv_rows_never_panic(line in proptest::collection::vec(any::<u8>(), 0..300), fr in any::<bool>()) {
        let mut p = parser(if fr { "fr-semicolon" } else { "en-comma" });
        let mut out = Partitions::with_capacity(4);
        let _ = p.parse(&line, 2, &mut out);
    }

    #[test]
    fn csv_rows_of_real_shape_never_panic(fields in proptest::collection::vec("[0-9A-Za-z ;,\"+:/-]{0,20}", 0..16)) {
        let mut p = parser("en-comma");
        let mut out = Partitions::with_capacity(4);
        let _ = p.parse(fields.join(",").as_bytes(), 2, &mut out);
        let mut p = parser("fr-semicolon");
        let _ = p.parse(fields.join(";").as_bytes(), 2, &mut out);
    }

    #[test]
    fn valid_en_comma_rows_round_trip(
        secs in 1_700_000_000i64..1_900_000_000,
        offset_q in -48i32..56,
        sub in 0u64..100_000,
        tac in 10_000_000u64..99_999_999,
        serial in 0u64..999_999,
        svn in 0u8..99,
        eci in 0u32..(1 << 28),
        ty in 0usize..6,
        ta in proptest::option::of(0u16..1000),
        dur in 0u32..100_000,
    ) {
        let offset = offset_q * 900;
        let local = jiff::Timestamp::from_second(secs).unwrap().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_seconds(offset).unwrap()));
        let time = local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let types = ["MOC", "MTC", "SMS-MO", "SMS-MT", "GPRS", "LU"];
        let imsi = format!("2081{:011}", sub);
        let imei14 = format!("{tac:08}{serial:06}");
        let line = format!(
            "1,{time},{},336{:08},{imsi},{imei14}{svn:02},33144556677,{dur},208-10-{eci:07x},LTE,{}",
            types[ty], sub, ta.map(|t| t.to_string()).unwrap_or_default()
        );
        let mut p = parser("en-comma");
        let mut out = Partitions::with_capacity(4);
        let o = p.parse(line.as_bytes(), 7, &mut out);
        prop_assert!(matches!(o, Outcome::Accepted), "{:?} for {}", o, line);
        let parts = out.into_sorted();
        prop_assert_eq!(parts.len(), 1);
        let e = parts[0].1.get(0);
        prop_assert_eq!(e.time_us, secs * 1_000_000);
        prop_assert_eq!(e.imei, Some(Imei::parse(&imei14).unwrap().key()));
        prop_assert_eq!(e.imsi, Some(imsi.parse::<u64>().unwrap()));
        prop_assert_eq!(e.cell, Some(CellId::ecgi(Plmn::parse("208-10").unwrap(), eci).unwrap().key()));
        prop_assert_eq!(e.ta, ta);
        prop_assert_eq!(e.source_row, 7);
        prop_assert_eq!(parts[0].0.operator, Plmn::parse("208-10").unwrap());
        let _ = luhn(&imei14);
    }

    #[test]
    fn uli_never_panics(hex in "[0-9a-fA-F ]{0,80}") {
        let _ = decode_uli(&hex);
    }

    #[test]
    fn uli_round_trips(mcc in 200u16..999, mnc in 0u16..99, lac in 1u16..0xfffe, tac in any::<u16>(), eci in 0u32..(1 << 28), sac in any::<u16>()) {
        prop_assume!(cellsweep_ids::Mcc::from_u16(mcc).is_some());
        let d = [mcc / 100, mcc / 10 % 10, mcc % 10, mnc / 10, mnc % 10];
        let plmn = format!("{:x}{:x}f{:x}{:x}{:x}", d[1], d[0], d[2], d[4], d[3]);
        let uli = format!("1a{plmn}{lac:04x}{sac:04x}{plmn}{tac:04x}{plmn}{eci:08x}");
        let u = decode_uli(&uli).unwrap();
        let p = Plmn::parse(&format!("{mcc}-{mnc:02}")).unwrap();
        prop_assert_eq!(u.ecgi, Some(CellId::ecgi(p, eci).unwrap()));
        prop_assert_eq!(u.sai, Some(CellId::sai(p, lac, sac).unwrap()));
        prop_assert_eq!(u.tai, Some((p, tac)));
    }

    #[test]
    fn times_parse_like_jiff(secs in -2_000_000_000i64..7_000_000_000, fmt in 0usize..3) {
        let t = jiff::Timestamp::from_second(secs).unwrap();
        let (f, s) = match fmt {
            0 => ("%Y-%m-%dT%H:%M:%S%z", t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
            1 => ("%d/%m/%Y %H:%M:%S%z", t.strftime("%d/%m/%Y %H:%M:%S+00:00").to_string()),
            _ => ("%Y%m%d%H%M%S%z", t.strftime("%Y%m%d%H%M%S+0000").to_string()),
        };
        let c = TimeFormat::compile(f).unwrap().parse(&s);
        let year = t.to_zoned(jiff::tz::TimeZone::UTC).year();
        if (1900..=2200).contains(&year) {
            let c = c.unwrap();
            prop_assert_eq!(c.to_micros(c.offset_s.unwrap()), secs * 1_000_000);
        } else {
            prop_assert!(c.is_err());
        }
    }

    #[test]
    fn xml_never_panics(doc in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = stream_records(&doc[..], |_, _, _| Ok(()));
    }

    #[test]
    fn xml_of_real_shape_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("<RetainedDataMessage>".to_owned()), Just("</RetainedDataMessage>".to_owned()),
        Just("<ResponseRecord>".to_owned()), Just("</ResponseRecord>".to_owned()),
        Just("<TelephonyPartyInformation>".to_owned()), Just("</TelephonyPartyInformation>".to_owned()),
        Just("<partyRole><originating-Party/></partyRole>".to_owned()),
        "<iMSI>[0-9]{0,16}</iMSI>", "<startTime>[0-9+Z]{0,20}</startTime>", "&[a-z#0-9]{0,5};",
    ], 0..30)) {
        let doc = parts.concat();
        let mut parser = cellsweep_ingest::parsers::RecordParser::new(&Default::default(), Region::FR, None);
        let mut out = Partitions::with_capacity(4);
        let _ = stream_records(doc.as_bytes(), |n, r, _| {
            let _ = parser.event(&r, n, &mut out);
            Ok(())
        });
    }

    #[test]
    fn record_spans_are_ordered_and_in_bounds(data in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b'\n'), Just(b','), Just(b'a')], 0..500), eof in any::<bool>()) {
        let (spans, end) = record_spans(&data, b'"', eof);
        prop_assert!(end <= data.len());
        let mut last = 0;
        for (s, e) in spans {
            prop_assert!(s >= last && s <= e && e <= end.max(e).min(data.len()));
            last = e;
        }
        if eof {
            prop_assert_eq!(end, data.len());
        }
    }
}
