//! Compact integer keys for identifiers, for the event store and the query engine.
//!
//! At 10^9 events, grouping and joining on `u64`s is several times cheaper than on strings, and
//! Parquet stores them in 8 bytes or less. Every key maps back to exactly one identifier:
//!
//! | identifier | key |
//! |---|---|
//! | IMEI | the 14 digits as a number ([`Imei::as_u64`]) |
//! | IMSI | the digits as a number; a 14-digit IMSI adds 10^15, so that length survives |
//! | MSISDN | the E.164 digits as a number (no country code starts with 0) |
//! | cell | kind (2 bits) · MCC (10) · 3-digit-MNC flag (1) · MNC (10) · identity (41) |
//!
//! Cell keys order by kind, then network, then identity; a CGI's identity is `lac << 16 | ci`.

use crate::cell::CellId;
use crate::imei::Imei;
use crate::imsi::Imsi;
use crate::msisdn::Msisdn;
use crate::plmn::{Mcc, Mnc, MncTable, Plmn};

/// Offset marking a 14-digit IMSI key.
const IMSI_14_OFFSET: u64 = 1_000_000_000_000_000;

const KIND_SHIFT: u32 = 62;
const MCC_SHIFT: u32 = 52;
const MNC3_SHIFT: u32 = 51;
const MNC_SHIFT: u32 = 41;
const IDENTITY_MASK: u64 = (1 << 41) - 1;

impl Imei {
    /// The key: the 14 digits as a number (same as [`Imei::as_u64`]).
    pub fn key(self) -> u64 {
        self.as_u64()
    }

    /// The IMEI of a key, `None` when the key is not one.
    pub fn from_key(key: u64) -> Option<Imei> {
        Imei::from_u64(key)
    }
}

impl Imsi {
    /// The key: the digits as a number, plus 10^15 for a 14-digit IMSI.
    pub fn key(self) -> u64 {
        let (value, len) = self.raw();
        if len == 14 {
            value + IMSI_14_OFFSET
        } else {
            value
        }
    }

    /// The IMSI of a key; `table` splits MCC and MNC as [`Imsi::parse`] does.
    pub fn from_key(key: u64, table: &MncTable) -> Option<Imsi> {
        let text = if key >= IMSI_14_OFFSET {
            let v = key - IMSI_14_OFFSET;
            (v < IMSI_14_OFFSET / 10).then(|| format!("{v:014}"))?
        } else {
            format!("{key:015}")
        };
        Imsi::parse(&text, table).ok()
    }
}

impl Msisdn {
    /// The key: the E.164 digits as a number.
    pub fn key(self) -> u64 {
        self.digits()
    }

    /// The number of a key; `None` when `+<key>` is not a valid number.
    pub fn from_key(key: u64) -> Option<Msisdn> {
        Msisdn::parse_e164(&format!("+{key}")).ok()
    }
}

impl Plmn {
    /// The network part of a cell key: MCC (10 bits), 3-digit flag, MNC (10 bits).
    fn key_bits(self) -> u64 {
        (u64::from(self.mcc.as_u16()) << MCC_SHIFT)
            | (u64::from(self.mnc.digits() == 3) << MNC3_SHIFT)
            | (u64::from(self.mnc.value()) << MNC_SHIFT)
    }

    fn from_key_bits(key: u64) -> Option<Plmn> {
        let mcc = Mcc::from_u16(((key >> MCC_SHIFT) & 0x3ff) as u16)?;
        let digits = if (key >> MNC3_SHIFT) & 1 == 1 { 3 } else { 2 };
        let mnc = Mnc::new(((key >> MNC_SHIFT) & 0x3ff) as u16, digits)?;
        Some(Plmn::new(mcc, mnc))
    }
}

impl CellId {
    /// The key (see the module documentation).
    pub fn key(&self) -> u64 {
        let (kind, identity) = match *self {
            CellId::Cgi { lac, ci, .. } => (0, (u64::from(lac) << 16) | u64::from(ci)),
            CellId::Sai { lac, sac, .. } => (1, (u64::from(lac) << 16) | u64::from(sac)),
            CellId::Ecgi { eci, .. } => (2, u64::from(eci)),
            CellId::Ncgi { nci, .. } => (3, nci),
        };
        (kind << KIND_SHIFT) | self.plmn().key_bits() | identity
    }

    /// The cell of a key; `None` when the key is not one.
    pub fn from_key(key: u64) -> Option<CellId> {
        let plmn = Plmn::from_key_bits(key)?;
        let identity = key & IDENTITY_MASK;
        let lac = (identity >> 16) as u16;
        let low = (identity & 0xffff) as u16;
        match key >> KIND_SHIFT {
            0 if identity >> 32 == 0 => CellId::cgi(plmn, lac, low).ok(),
            1 if identity >> 32 == 0 => CellId::sai(plmn, lac, low).ok(),
            2 => u32::try_from(identity)
                .ok()
                .and_then(|eci| CellId::ecgi(plmn, eci).ok()),
            3 => CellId::ncgi(plmn, identity).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CellParseOptions, Region};

    #[test]
    fn known_keys() {
        let t = MncTable::builtin();
        let imsi = Imsi::parse("208011234567890", &t).unwrap();
        assert_eq!(imsi.key(), 208_011_234_567_890);
        let short = Imsi::parse("20801123456789", &t).unwrap();
        assert_eq!(short.key(), 1_020_801_123_456_789);
        assert_eq!(Imsi::from_key(short.key(), &t), Some(short));
        let test_net = Imsi::parse("001010000000001", &t).unwrap();
        assert_eq!(
            Imsi::from_key(test_net.key(), &t).unwrap().to_string(),
            "001010000000001"
        );
        let m = Msisdn::parse("06 12 34 56 78", Region::FR).unwrap();
        assert_eq!(m.key(), 33_612_345_678);
        assert_eq!(Msisdn::from_key(33_612_345_678), Some(m));
        let c = CellId::parse("208-01-1a2b-3c4d", &CellParseOptions::default(), &t).unwrap();
        assert_eq!(CellId::from_key(c.key()), Some(c));
        assert_eq!(CellId::from_key(u64::MAX), None);
    }
}
