//! Tests for [`crate::CellId`]: canonical forms, the forms operators deliver,
//! and the error for each way a value can be wrong.

use crate::{CellId, CellKind, CellParseOptions, MncTable, NumberBase, Plmn};

fn opts(kind: Option<CellKind>, base: NumberBase) -> CellParseOptions {
    CellParseOptions { kind, base }
}

/// Parses `input` and compares the canonical string, or the error message
/// prefixed with `error: `.
fn check(input: &str, expected: &str) {
    check_with(CellParseOptions::default(), input, expected);
}

fn check_with(options: CellParseOptions, input: &str, expected: &str) {
    let got = match CellId::parse(input, &options, &MncTable::builtin()) {
        Ok(cell) => cell.to_string(),
        Err(e) => format!("error: {e}"),
    };
    assert_eq!(got, expected, "input {input:?} with {options:?}");
}

#[test]
fn canonical_forms_round_trip() {
    for canonical in [
        "208-01-1a2b-3c4d",
        "310-410-0001-ffff",
        "sai:208-01-1a2b-3c4d",
        "208-01-00a1b2c",
        "208-01-fffffff",
        "208-01-0000000",
        "208-01-0000a1b2c",
        "208-01-fffffffff",
        "001-01-000000000",
    ] {
        check(canonical, canonical);
    }
}

#[test]
fn separators_and_prefixes() {
    for input in [
        "208/01/1a2b/3c4d",
        "208:01:1a2b:3c4d",
        "208.01.1a2b.3c4d",
        "208_01_1a2b_3c4d",
        "208 01 1a2b 3c4d",
        "  208 - 01 -\t1A2B - 3C4D ",
        "cgi:208-01-1a2b-3c4d",
        "CGI: 208 01 1a2b 3c4d",
        "208-01-0x1a2b-0x3c4d",
    ] {
        check(input, "208-01-1a2b-3c4d");
    }
    check("SAI:208-01-1a2b-3c4d", "sai:208-01-1a2b-3c4d");
    check("ecgi:208-01-a1b2c", "208-01-00a1b2c");
    check("ncgi:208-01-a1b2c", "208-01-0000a1b2c");
    check_with(
        opts(Some(CellKind::Sai), NumberBase::Auto),
        "208-01-1a2b-3c4d",
        "sai:208-01-1a2b-3c4d",
    );
    check_with(
        opts(Some(CellKind::Ncgi), NumberBase::Auto),
        "208-01-00a1b2c",
        "208-01-0000a1b2c",
    );
}

#[test]
fn number_bases() {
    // Auto: LAC and CI share one base; hex when both are 4 wide or one has a hex letter.
    check("208-01-1234-5678", "208-01-1234-5678");
    check("208-01-4660-22136", "208-01-1234-5678");
    check("208-01-4660-1a", "208-01-4660-001a");
    check("208-01-100-20", "208-01-0064-0014");
    // Zero-padded decimals need the Decimal base.
    check_with(
        opts(None, NumberBase::Decimal),
        "208-01-01234-00042",
        "208-01-04d2-002a",
    );
    check_with(
        opts(None, NumberBase::Decimal),
        "208-01-1234-5678",
        "208-01-04d2-162e",
    );
    check_with(
        opts(None, NumberBase::Hex),
        "208-01-12-34",
        "208-01-0012-0034",
    );
    // ECI: 7 wide is hex, a decimal ECI is what most CDRs carry.
    check("208-01-0a1b2c3", "208-01-0a1b2c3");
    check("208-01-10597059", "208-01-0a1b2c3");
    check_with(
        opts(None, NumberBase::Decimal),
        "208-01-0010597059",
        "208-01-0a1b2c3",
    );
    // Above 28 bits, or 9 hex wide: NCGI.
    check_with(
        opts(None, NumberBase::Decimal),
        "208-01-268435456",
        "208-01-010000000",
    );
    // The width rule at work: 7 or 9 digits without a letter read as hex
    // under Auto, which is why decimal profiles must say Decimal.
    check("208-01-268435456", "208-01-268435456");
    check("208-01-2560000", "208-01-2560000");
    check_with(
        opts(None, NumberBase::Decimal),
        "208-01-2560000",
        "208-01-0271000",
    );
    check("208-01-00a1b2c3d", "208-01-00a1b2c3d");
    check("208-01-68719476735", "208-01-fffffffff");
}

#[test]
fn concatenated() {
    let cgi = opts(Some(CellKind::Cgi), NumberBase::Auto);
    check_with(cgi, "208011a2b3c4d", "208-01-1a2b-3c4d");
    check_with(cgi, "3104100001ffff", "310-410-0001-ffff");
    check("cgi:208011a2b3c4d", "208-01-1a2b-3c4d");
    check("sai:208011a2b3c4d", "sai:208-01-1a2b-3c4d");
    check("ecgi:208010a1b2c3", "208-01-0a1b2c3");
    check("ecgi:3104100a1b2c3", "310-410-0a1b2c3");
    check("ncgi:208010000a1b2c", "208-01-0000a1b2c");
    // Decimal: the MNC table splits.
    let dec = opts(Some(CellKind::Ecgi), NumberBase::Decimal);
    check_with(dec, "2080110597059", "208-01-0a1b2c3");
    check_with(dec, "31041010597059", "310-410-0a1b2c3");
}

#[test]
fn errors() {
    let cases = [
        ("", CellParseOptions::default()),
        ("208-01-0000-3c4d", CellParseOptions::default()),
        ("208-01-fffe-3c4d", CellParseOptions::default()),
        ("208-01-65534-1", CellParseOptions::default()),
        ("208-01-1a2b-65536", CellParseOptions::default()),
        ("208-01-1a2b-1ffff", CellParseOptions::default()),
        ("208-01-1g2b-3c4d", CellParseOptions::default()),
        ("208-01-1a2b-3c4d", opts(None, NumberBase::Decimal)),
        (
            "208-01-1a2b-3c4d",
            opts(Some(CellKind::Ecgi), NumberBase::Auto),
        ),
        (
            "208-01-0a1b2c3",
            opts(Some(CellKind::Cgi), NumberBase::Auto),
        ),
        ("ecgi:208-01-fffffff0", CellParseOptions::default()),
        ("ecgi:208-01-268435456", CellParseOptions::default()),
        ("208-01-68719476736", CellParseOptions::default()),
        (
            "208-01-99999999999999999999999",
            CellParseOptions::default(),
        ),
        ("208-01", CellParseOptions::default()),
        ("208-01-1-2-3", CellParseOptions::default()),
        ("208--01-1a2b", CellParseOptions::default()),
        ("-208-01-1a2b", CellParseOptions::default()),
        ("208-01-1a2b-", CellParseOptions::default()),
        ("lte:208-01-0a1b2c3", CellParseOptions::default()),
        (
            "sai:208-01-1a2b-3c4d",
            opts(Some(CellKind::Cgi), NumberBase::Auto),
        ),
        ("208011a2b3c4d", CellParseOptions::default()),
        ("cgi:20801a2b3c4d", CellParseOptions::default()),
        ("ncgi:208010a1b2c3", CellParseOptions::default()),
        ("cgi:208011a2b3c4d", opts(None, NumberBase::Decimal)),
        ("ecgi:2080é0a1b2c3", CellParseOptions::default()),
        ("120-01-0a1b2c3", CellParseOptions::default()),
        ("20-801-0a1b2c3", CellParseOptions::default()),
        ("208-1-0a1b2c3", CellParseOptions::default()),
        ("208-0001-0a1b2c3", CellParseOptions::default()),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(input, options)| {
            let err = CellId::parse(input, options, &MncTable::builtin()).unwrap_err();
            format!("{input:?} {options:?} => {err}")
        })
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn lte_and_nr_parts() {
    let plmn = Plmn::parse("208-01").unwrap();
    let ecgi: CellId = "208-01-0a1b2c3".parse().unwrap();
    assert_eq!(ecgi.kind(), CellKind::Ecgi);
    assert_eq!(ecgi.plmn(), plmn);
    assert_eq!(ecgi.enb_id(), Some(0x0a1b2));
    assert_eq!(ecgi.enb_id(), Some(41_394));
    assert_eq!(ecgi.local_cell_id(), Some(0xc3));
    assert_eq!(CellId::ecgi_from_parts(plmn, 0x0a1b2, 0xc3).unwrap(), ecgi);
    assert_eq!(
        CellId::ecgi_from_parts(plmn, 1 << 20, 0)
            .unwrap_err()
            .to_string(),
        "cell `208-01-100000-0`: enb id `100000` is out of range, expected at most 20 bits"
    );
    assert_eq!(ecgi.gnb_id(22), None);

    let ncgi: CellId = "208-01-123456789".parse().unwrap();
    assert_eq!(ncgi.kind(), CellKind::Ncgi);
    assert_eq!(ncgi.gnb_id(22), Some(0x123456789 >> 14));
    assert_eq!(ncgi.nr_local_cell_id(22), Some(0x123456789 & 0x3fff));
    assert_eq!(ncgi.gnb_id(32), Some(0x12345678));
    assert_eq!(ncgi.nr_local_cell_id(32), Some(0x9));
    assert_eq!(ncgi.gnb_id(21), None);
    assert_eq!(ncgi.gnb_id(33), None);
    assert_eq!(ncgi.enb_id(), None);
    assert_eq!(ncgi.local_cell_id(), None);
}

#[test]
fn checked_constructors() {
    let plmn = Plmn::parse("208-01").unwrap();
    assert_eq!(
        CellId::cgi(plmn, 0x1a2b, 0x3c4d).unwrap().to_string(),
        "208-01-1a2b-3c4d"
    );
    assert_eq!(
        CellId::sai(plmn, 1, 2).unwrap().to_string(),
        "sai:208-01-0001-0002"
    );
    assert_eq!(
        CellId::cgi(plmn, 0xfffe, 1).unwrap_err().to_string(),
        "cell `208-01-fffe-0001`: lac `fffe` is reserved (3gpp ts 23.003 §4.1)"
    );
    assert!(CellId::sai(plmn, 0, 1).is_err());
    assert!(CellId::ecgi(plmn, (1 << 28) - 1).is_ok());
    assert_eq!(
        CellId::ecgi(plmn, 1 << 28).unwrap_err().to_string(),
        "cell `208-01-10000000`: eci `10000000` is out of range, expected at most 28 bits"
    );
    assert!(CellId::ncgi(plmn, (1 << 36) - 1).is_ok());
    assert!(CellId::ncgi(plmn, 1 << 36).is_err());
}

#[test]
fn kinds() {
    for (text, kind) in [
        ("cgi", CellKind::Cgi),
        ("SAI", CellKind::Sai),
        ("Ecgi", CellKind::Ecgi),
        ("ncgi", CellKind::Ncgi),
    ] {
        assert_eq!(text.parse::<CellKind>().unwrap(), kind);
        assert_eq!(kind.to_string(), text.to_lowercase());
    }
    assert!("lte".parse::<CellKind>().is_err());
}

#[test]
fn serde_uses_canonical_strings() {
    let cell: CellId = "sai:208-01-1a2b-3c4d".parse().unwrap();
    assert_eq!(
        serde_json::to_string(&cell).unwrap(),
        r#""sai:208-01-1a2b-3c4d""#
    );
    let back: CellId = serde_json::from_str(r#""SAI 208 01 1A2B 3C4D""#).unwrap();
    assert_eq!(back, cell);
    assert!(serde_json::from_str::<CellId>(r#""208-01-0000-0001""#).is_err());
}
