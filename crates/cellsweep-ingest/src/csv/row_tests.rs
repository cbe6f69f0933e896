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

mod plain_split {
    use crate::csv::fields::split_plain;
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time split agrees with a byte split on any input and delimiter,
        /// and reports ASCII exactly.
        #[test]
        fn agrees_with_a_byte_split(rec in proptest::collection::vec(any::<u8>(), 0..80),
                                    pick in any::<prop::sample::Index>(), d in any::<u8>()) {
            // Often a delimiter taken from the record itself, so that splits happen.
            let delimiter = if rec.is_empty() || d % 2 == 0 { d } else { rec[pick.index(rec.len())] };
            let mut got = Vec::new();
            let ascii = split_plain(&rec, delimiter, &mut got);
            let mut want = Vec::new();
            let mut start = 0;
            for (i, &b) in rec.iter().enumerate() {
                if b == delimiter {
                    want.push((start, i));
                    start = i + 1;
                }
            }
            want.push((start, rec.len()));
            prop_assert_eq!(got, want);
            prop_assert_eq!(ascii, rec.is_ascii());
        }
    }

    #[test]
    fn fields_of_a_record() {
        let mut r = Vec::new();
        assert!(split_plain(b"a,bb,,ccc,dddddddd,e", b',', &mut r));
        assert_eq!(r, [(0, 1), (2, 4), (5, 5), (6, 9), (10, 18), (19, 20)]);
        r.clear();
        assert!(!split_plain("caf\u{e9};x".as_bytes(), b';', &mut r));
        assert_eq!(r, [(0, 5), (6, 7)]);
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

    /// `prepare` + `parse_prepared` give exactly what `parse` gives record by record, with
    /// the numbers found in the memos (second round) and not (first round).
    #[test]
    fn prepared_batches_parse_like_single_records() {
        let p = Profile::resolve("en-comma").unwrap();
        let header: Vec<String> = "record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance".split(',').map(str::to_owned).collect();
        let rp = RowParser::new(&p, &header, None, Region::FR, std::path::Path::new("x")).unwrap();
        let records: Vec<&[u8]> = vec![
            b"1,2026-03-01T00:00:00+01:00,MTC,33601291409,208100000184487,4901542039833107,33699234806,45,208-10-0450e80,LTE,44",
            b"2,2026-03-01T00:00:01+01:00,MOC,33601291409,208100000184487,4901542039833107,+33699234806,45,208-10-0450e80,LTE,44\r",
            b"3,2026-03-01T00:00:02+01:00,SMS-MT,33612345678,208101234567890,4901542032375101,\"SFR INFO\",,208-10-0045a01,LTE,",
            b"4,2026-03-01T00:00:03+01:00,SMS-MT, 33612345678,208101234567890,4901542032375101,3179,,208-10-0045a01,LTE,",
            b"5,2026-03-01T00:00:04+01:00,SMS-MO,33000,208101234567890,4901542032375101,33612345678,,208-10-0045a01,LTE,",
            "6,2026-03-01T00:00:05+01:00,SMS-MO,33612345678,208101234567890,4901542032375101,Caf\u{e9},,208-10-0045a01,LTE,".as_bytes(),
            b"   ",
            b"7,2026-03-01T00:00:06+01:00,LU,33612345678",
            b"8,2026-03-01T00:00:07+01:00,LU,33699234806,208101234567890,4901542032375101,,,208-10-0045a01,GSM,3",
        ];
        let (mut single, mut batched) = (rp.clone(), rp.clone());
        let (mut out_single, mut out_batched) =
            (Partitions::with_capacity(4), Partitions::with_capacity(4));
        for round in 0..2 {
            let one: Vec<String> = records
                .iter()
                .enumerate()
                .map(|(i, r)| format!("{:?}", single.parse(r, i as u64, &mut out_single)))
                .collect();
            batched.prepare(records.iter().copied());
            let known = batched
                .prepared
                .iter()
                .filter(|p| p.served.is_some())
                .count();
            assert_eq!(
                known > 0,
                round == 1,
                "round {round}: {known} numbers known"
            );
            let many: Vec<String> = records
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    format!(
                        "{:?}",
                        batched.parse_prepared(r, i as u64, &mut out_batched, i)
                    )
                })
                .collect();
            assert_eq!(one, many);
        }
        let (a, b) = (out_single.into_sorted(), out_batched.into_sorted());
        assert_eq!(a.len(), b.len());
        for ((ka, ca), (kb, cb)) in a.iter().zip(&b) {
            assert_eq!(ka, kb);
            assert_eq!(ca.len(), cb.len());
            assert!(ca.len() >= 8, "{}", ca.len());
            for i in 0..ca.len() {
                assert_eq!(ca.get(i), cb.get(i));
            }
        }
    }
}

mod chunking {
    use crate::csv::chunk_bytes;

    #[test]
    fn an_eighth_of_the_file_between_4_and_32_mib() {
        assert_eq!(chunk_bytes(0), 4 << 20);
        assert_eq!(chunk_bytes(10 << 20), 4 << 20);
        assert_eq!(chunk_bytes(100 << 20), (100 << 20) / 8);
        assert_eq!(chunk_bytes(10 << 30), 32 << 20);
    }
}
