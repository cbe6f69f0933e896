//! The safety property of the block lists, whatever the inputs: no allow-listed pairing ever
//! reaches a blacklist or a notification list, and every allow-listed (IMEI, IMSI) pairing is
//! excepted by its home operator.
//!
//! Identifiers are drawn from tiny alphabets so that pairings, clones, shared IMEIs and
//! allow-list entries collide often; dates, grace periods, reversals and validity windows are
//! random too.

use std::collections::HashSet;

use cellsweep_interdict::lists::{Allow, Inputs, Lists, Pairing, build};
use jiff::civil::Date;
use proptest::prelude::*;

fn day(n: i64) -> Date {
    Date::constant(2026, 1, 1)
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
}

fn id(prefix: &str) -> impl Strategy<Value = Option<String>> {
    let p = prefix.to_owned();
    proptest::option::weighted(0.85, (0u8..6).prop_map(move |i| format!("{p}{i}")))
}

fn operator() -> impl Strategy<Value = Option<String>> {
    proptest::option::weighted(
        0.9,
        prop_oneof![Just("208-01"), Just("208-10")].prop_map(String::from),
    )
}

fn pairing() -> impl Strategy<Value = Pairing> {
    (
        0u8..5,
        id("imei"),
        id("imsi"),
        id("+33"),
        operator(),
        proptest::sample::subsequence(vec!["resident", "mini-phone", "cloned-imei"], 0..=3),
        0i64..60,
    )
        .prop_map(|(d, imei, imsi, msisdn, operator, conds, block)| Pairing {
            device: format!("D{d}"),
            imei,
            imsi,
            msisdn,
            operator,
            conditions: conds.into_iter().map(str::to_owned).collect(),
            block_date: day(block),
        })
}

fn allow() -> impl Strategy<Value = Allow> {
    (
        id("imei"),
        id("imsi"),
        id("+33"),
        operator(),
        0i64..60,
        proptest::option::of(0i64..60),
    )
        .prop_filter("an entry has an identifier", |(a, b, c, ..)| {
            a.is_some() || b.is_some() || c.is_some()
        })
        .prop_map(|(imei, imsi, msisdn, operator, from, len)| Allow {
            imei,
            imsi,
            msisdn,
            operator,
            valid_from: day(from),
            valid_to: len.map(|l| day(from + l)),
        })
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        proptest::collection::vec(pairing(), 0..30),
        proptest::collection::vec(allow(), 0..6),
        proptest::collection::hash_set((0u8..5).prop_map(|d| format!("D{d}")), 0..2),
    )
        .prop_map(|(pairings, allow, reversed)| Inputs {
            pairings,
            allow,
            reversed,
        })
}

fn check(inputs: &Inputs, today: Date, l: &Lists) -> Result<(), TestCaseError> {
    let valid: Vec<&Allow> = inputs.allow.iter().filter(|a| a.valid_on(today)).collect();
    let touches = |imei: &str, imsi: &str, msisdn: &str| {
        valid.iter().any(|a| {
            a.imei.as_deref() == Some(imei)
                || (!imsi.is_empty() && a.imsi.as_deref() == Some(imsi))
                || (!msisdn.is_empty() && a.msisdn.as_deref() == Some(msisdn))
        })
    };
    // No notification row touches the allow list.
    for rows in l.notifications.values() {
        for r in rows {
            prop_assert!(
                !touches(&r.imei, &r.imsi, &r.msisdn),
                "allow-listed pairing notified: {r:?}"
            );
        }
    }
    // No blacklisted IMEI is allow-listed, or used by a known pairing that touches the list:
    // blocking it would cut that pairing off.
    let protected: HashSet<&str> = valid
        .iter()
        .filter_map(|a| a.imei.as_deref())
        .chain(inputs.pairings.iter().filter_map(|p| {
            let imei = p.imei.as_deref()?;
            touches(
                imei,
                p.imsi.as_deref().unwrap_or(""),
                p.msisdn.as_deref().unwrap_or(""),
            )
            .then_some(imei)
        }))
        .collect();
    for imei in l.blacklist.keys() {
        prop_assert!(
            !protected.contains(imei.as_str()),
            "allow-listed IMEI blacklisted: {imei}"
        );
    }
    // Reversed devices are on no list, and IMEIs shared by devices are never blacklisted.
    for rows in l.notifications.values() {
        for r in rows {
            prop_assert!(!inputs.reversed.contains(&r.device));
        }
    }
    for b in l.blacklist.values() {
        prop_assert_eq!(b.devices.len(), 1);
        prop_assert!(b.block_date <= today);
    }
    // Every allow-listed (IMEI, IMSI) pairing is excepted by its home operator.
    for a in &valid {
        if let (Some(imei), Some(imsi), Some(op)) = (&a.imei, &a.imsi, &a.operator) {
            prop_assert!(
                l.exceptions
                    .get(op)
                    .is_some_and(|rows| rows.iter().any(|r| &r.imei == imei && &r.imsi == imsi)),
                "allow-listed pairing not excepted: {a:?}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Issue 7, "done when": no allow-listed pairing on a blacklist or notification list.
    #[test]
    fn no_allow_listed_pairing_is_ever_listed(inputs in inputs(), today in 0i64..70) {
        let today = day(today);
        let l = build(&inputs, today);
        check(&inputs, today, &l)?;
    }

    /// The lists do not depend on the order of the inputs.
    #[test]
    fn lists_do_not_depend_on_input_order(inputs in inputs(), today in 0i64..70) {
        let today = day(today);
        let mut shuffled = inputs.clone();
        shuffled.pairings.reverse();
        shuffled.allow.reverse();
        prop_assert_eq!(build(&inputs, today), build(&shuffled, today));
    }
}
