//! Tests of the row parser and the field splitter.

mod splitting {
    use crate::csv::fields::*;

    #[test]
    fn quoted_split() {
        let (mut s, mut e, mut r) = (Vec::new(), Vec::new(), Vec::new());
        split_quoted(
            b"1,\"SFR INFO\",\"a\"\"b\",",
            b',',
            b'"',
            &mut s,
            &mut e,
            &mut r,
        )
        .unwrap();
        let got: Vec<&[u8]> = r.iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(got, [&b"1"[..], b"SFR INFO", b"a\"b", b""]);
        assert!(split_quoted(b"1,\"open", b',', b'"', &mut s, &mut e, &mut r).is_err());
    }
}

mod reuse {
    use crate::csv::fields::*;

    #[test]
    fn a_reused_reader_splits_quoted_records() {
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(b',')
            .quote(b'"')
            .build();
        let (mut s, mut e, mut r) = (Vec::new(), Vec::new(), Vec::new());
        for rec in [&b"1,\"SFR INFO\",x"[..], b"2,\"a\nb\",y"] {
            reader.reset();
            split_with(&mut reader, rec, b'"', &mut s, &mut e, &mut r).unwrap();
            assert_eq!(r.len(), 3);
        }
    }
}

mod parser {
    use crate::csv::row::*;
    use crate::partition::Partitions;
    use crate::profile::Profile;
    use cellsweep_ids::Region;

    #[test]
    fn quoted_rows_through_the_parser() {
        let p = Profile::resolve("en-comma").unwrap();
        let header: Vec<String> = "record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance".split(',').map(str::to_owned).collect();
        let rp0 = RowParser::new(&p, &header, None, Region::FR, std::path::Path::new("x")).unwrap();
        let mut rp = rp0.clone();
        let mut out = Partitions::with_capacity(4);
        let o = rp.parse(b"2,2026-03-01T23:16:00+01:00,SMS-MT,33612345678,208101234567890,4901542032375101,\"SFR INFO\",,208-10-0045a01,LTE,", 3, &mut out);
        assert!(matches!(o, Outcome::Accepted), "{o:?}");
    }
}
