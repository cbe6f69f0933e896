//! Property tests: canonical forms round-trip, the Luhn digit catches every
//! single-digit typo, and no parser panics on arbitrary input.

use cellsweep_ids::{
    CellId, CellKind, CellParseOptions, CheckDigit, DetectContext, Imei, Imeisv, Imsi, Mcc, Mnc,
    MncTable, Msisdn, NumberBase, Plmn, Region, Tac, detect_or_explain,
};
use proptest::prelude::*;

fn imei() -> impl Strategy<Value = Imei> {
    (0..100_000_000_000_000u64).prop_map(|v| Imei::from_u64(v).unwrap())
}

fn mcc() -> impl Strategy<Value = Mcc> {
    prop_oneof![200u16..=799, Just(1), Just(901), Just(999)].prop_map(|v| Mcc::from_u16(v).unwrap())
}

fn mnc() -> impl Strategy<Value = Mnc> {
    prop_oneof![
        (0u16..100).prop_map(|v| Mnc::new(v, 2).unwrap()),
        (0u16..1000).prop_map(|v| Mnc::new(v, 3).unwrap()),
    ]
}

fn plmn() -> impl Strategy<Value = Plmn> {
    (mcc(), mnc()).prop_map(|(mcc, mnc)| Plmn::new(mcc, mnc))
}

/// Any LAC but the two reserved ones.
fn lac() -> impl Strategy<Value = u16> {
    prop_oneof![1u16..=0xfffd, Just(0xffff)]
}

fn cell() -> impl Strategy<Value = CellId> {
    prop_oneof![
        (plmn(), lac(), any::<u16>()).prop_map(|(plmn, lac, ci)| CellId::Cgi { plmn, lac, ci }),
        (plmn(), lac(), any::<u16>()).prop_map(|(plmn, lac, sac)| CellId::Sai { plmn, lac, sac }),
        (plmn(), 0u32..(1 << 28)).prop_map(|(plmn, eci)| CellId::Ecgi { plmn, eci }),
        (plmn(), 0u64..(1 << 36)).prop_map(|(plmn, nci)| CellId::Ncgi { plmn, nci }),
    ]
}

proptest! {
    #[test]
    fn imei_round_trips(imei in imei()) {
        let with_check = imei.to_string_with_check_digit();
        prop_assert_eq!(with_check.len(), 15);
        prop_assert_eq!(Imei::parse(&with_check).unwrap(), imei);
        prop_assert_eq!(Imei::parse(&imei.to_string()).unwrap(), imei);
        prop_assert_eq!(Imei::from_parts(imei.tac(), imei.serial()), Some(imei));
        prop_assert_eq!(Tac::parse(&imei.tac().to_string()).unwrap(), imei.tac());
        // Network form: the spare digit instead of the check digit.
        let spare = format!("{imei}0");
        prop_assert_eq!(Imei::parse_with(&spare, CheckDigit::Spare).unwrap(), imei);
    }

    #[test]
    fn luhn_catches_every_single_digit_change(imei in imei(), position in 0usize..15, delta in 1u8..10) {
        let mut digits: Vec<u8> = imei.to_string_with_check_digit().into_bytes();
        digits[position] = b'0' + (digits[position] - b'0' + delta) % 10;
        let changed = String::from_utf8(digits).unwrap();
        prop_assert!(Imei::parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn imeisv_round_trips(imei in imei(), svn in 0u8..99) {
        let imeisv = Imeisv::new(imei, svn).unwrap();
        let text = imeisv.to_string();
        prop_assert_eq!(text.len(), 16);
        prop_assert_eq!(Imeisv::parse(&text).unwrap(), imeisv);
        prop_assert_eq!(Imei::parse(&text).unwrap(), imei);
    }

    #[test]
    fn plmn_round_trips(plmn in plmn()) {
        prop_assert_eq!(Plmn::parse(&plmn.to_string()).unwrap(), plmn);
        let concatenated = format!("{}{}", plmn.mcc, plmn.mnc);
        prop_assert_eq!(Plmn::parse(&concatenated).unwrap(), plmn);
    }

    #[test]
    fn imsi_round_trips(plmn in plmn(), len in 14usize..=15, msin_seed in any::<u64>()) {
        let mut table = MncTable::builtin();
        table.insert(plmn);
        let msin_len = len - 3 - usize::from(plmn.mnc.digits());
        let msin = format!("{:0width$}", msin_seed % 10u64.pow(msin_len as u32), width = msin_len);
        let text = format!("{}{}{msin}", plmn.mcc, plmn.mnc);
        let imsi = Imsi::parse(&text, &table).unwrap();
        prop_assert_eq!(imsi.to_string(), text.clone());
        prop_assert_eq!(imsi.plmn(), plmn);
        prop_assert_eq!(imsi.msin(), msin);
        prop_assert_eq!(Imsi::parse(&imsi.to_string(), &table).unwrap(), imsi);
    }

    #[test]
    fn cell_round_trips(cell in cell()) {
        let text = cell.to_string();
        let options = CellParseOptions::default();
        prop_assert_eq!(CellId::parse(&text, &options, &MncTable::builtin()).unwrap(), cell);
        // The same with the kind given, and run together with a prefix.
        let kind = CellParseOptions { kind: Some(cell.kind()), base: NumberBase::Auto };
        prop_assert_eq!(CellId::parse(&text, &kind, &MncTable::builtin()).unwrap(), cell);
        let bare = text.trim_start_matches("sai:").replace('-', "");
        let prefixed = format!("{}:{bare}", cell.kind());
        prop_assert_eq!(CellId::parse(&prefixed, &options, &MncTable::builtin()).unwrap(), cell);
    }

    #[test]
    fn msisdn_e164_reparses_to_itself(
        national in prop_oneof![
            "[67][0-9]{8}".prop_map(|n| format!("0{n}")),
            "[1-59][0-9]{8}".prop_map(|n| format!("0{n}")),
            "7[0-9]{9}".prop_map(|n| format!("+44{n}")),
            "1[5-7][0-9]{8,9}".prop_map(|n| format!("+49{n}")),
            "[67][0-9]{8}".prop_map(|n| format!("+212{n}")),
        ]
    ) {
        if let Ok(msisdn) = Msisdn::parse(&national, Region::FR) {
            let e164 = msisdn.to_string();
            prop_assert!(e164.starts_with('+'));
            prop_assert_eq!(Msisdn::parse(&e164, Region::FR).unwrap(), msisdn);
            prop_assert_eq!(Msisdn::parse_e164(&e164).unwrap(), msisdn);
            let rebuilt = format!("+{}", msisdn.country_code());
            prop_assert!(e164.starts_with(&rebuilt));
        }
    }

    #[test]
    fn parsers_never_panic(
        input in prop_oneof![
            any::<String>(),
            "[0-9 +().:/_-]{0,24}",
            "(cgi|sai|ecgi|ncgi|CGI|x)?[:. ]?[0-9a-fA-FxX .:/_-]{0,24}",
        ]
    ) {
        let table = MncTable::builtin();
        let _ = Imei::parse(&input);
        let _ = Imei::parse_with(&input, CheckDigit::Spare);
        let _ = Imeisv::parse(&input);
        let _ = Tac::parse(&input);
        let _ = Imsi::parse(&input, &table);
        let _ = Plmn::parse(&input);
        let _ = Mcc::parse(&input);
        let _ = Mnc::parse(&input);
        let _ = Region::parse(&input);
        let _ = Msisdn::parse(&input, Region::FR);
        let _ = Msisdn::parse_e164(&input);
        for kind in [None, Some(CellKind::Cgi), Some(CellKind::Sai), Some(CellKind::Ecgi), Some(CellKind::Ncgi)] {
            for base in [NumberBase::Auto, NumberBase::Hex, NumberBase::Decimal] {
                let _ = CellId::parse(&input, &CellParseOptions { kind, base }, &table);
            }
        }
        if let Err(e) = detect_or_explain(&input, &DetectContext::default()) {
            // Every explanation renders.
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

proptest! {
    /// Integer keys map back to the same identifier.
    #[test]
    fn keys_round_trip(c in cell(), i in imei(), v in 0u64..1_000_000_000_000) {
        prop_assert_eq!(CellId::from_key(c.key()), Some(c));
        prop_assert_eq!(Imei::from_key(i.key()), Some(i));
        let table = MncTable::builtin();
        for len in [14usize, 15] {
            let digits = format!("208{:0w$}", v, w = len - 3);
            let imsi = Imsi::parse(&digits, &table).unwrap();
            prop_assert_eq!(Imsi::from_key(imsi.key(), &table), Some(imsi));
            prop_assert_eq!(Imsi::from_key(imsi.key(), &table).unwrap().to_string(), digits);
        }
    }

    /// Distinct cells never share a key.
    #[test]
    fn cell_keys_are_injective(a in cell(), b in cell()) {
        prop_assert_eq!(a == b, a.key() == b.key());
    }
}
