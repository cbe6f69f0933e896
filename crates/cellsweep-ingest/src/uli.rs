//! The GTPv2 User Location Information IE body (3GPP TS 29.274 §8.21), as ETSI TS 102 657
//! deliveries carry it in `userLocationInformation` (hex text).
//!
//! ```text
//!  flags │ CGI (7) │ SAI (7) │ RAI (7) │ TAI (5) │ ECGI (7) │ LAI (5) │ macro eNB (6) │ ext. macro eNB (6)
//!  bit:     1         2         3         4         5          6         7               8
//!  PLMN = 3 BCD octets: mcc2|mcc1, mnc3|mcc3, mnc2|mnc1 (mnc3 = f for two digits)
//!  CGI/SAI/RAI = PLMN + LAC (2) + CI/SAC/RAC (2); TAI = PLMN + TAC (2); LAI = PLMN + LAC (2)
//!  ECGI = PLMN + 4 octets (4 spare bits, 28-bit ECI)
//! ```

use cellsweep_ids::{CellId, Mcc, Mnc, Plmn};

/// The decoded fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uli {
    /// GSM/UMTS cell.
    pub cgi: Option<CellId>,
    /// UMTS service area.
    pub sai: Option<CellId>,
    /// Routing area: PLMN, LAC, RAC.
    pub rai: Option<(Plmn, u16, u16)>,
    /// Tracking area: PLMN, TAC.
    pub tai: Option<(Plmn, u16)>,
    /// LTE cell.
    pub ecgi: Option<CellId>,
    /// Location area: PLMN, LAC.
    pub lai: Option<(Plmn, u16)>,
}

impl Uli {
    /// The most precise cell: ECGI, then CGI, then SAI.
    pub fn cell(&self) -> Option<CellId> {
        self.ecgi.or(self.cgi).or(self.sai)
    }
}

/// Decodes the hex text of a ULI body. Whitespace is ignored; an optional `0x` is accepted.
pub fn decode_uli(hex: &str) -> Result<Uli, String> {
    let t: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(&t);
    if t.is_empty() {
        return Err("empty user location information".into());
    }
    if t.len() % 2 == 1 {
        return Err(format!(
            "user location information `{t}` has an odd number of hex digits"
        ));
    }
    let mut bytes = Vec::with_capacity(t.len() / 2);
    for (i, pair) in t.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).unwrap_or("");
        let b = u8::from_str_radix(s, 16).map_err(|_| {
            format!(
                "user location information `{t}`: `{s}` at octet {} is not hex",
                i + 1
            )
        })?;
        bytes.push(b);
    }
    let flags = bytes[0];
    let mut rest = &bytes[1..];
    let mut out = Uli::default();
    let mut take = |n: usize, what: &str| -> Result<Vec<u8>, String> {
        if rest.len() < n {
            return Err(format!(
                "user location information `{t}`: flags 0x{flags:02x} announce {what} but only {} octets remain (need {n})",
                rest.len()
            ));
        }
        let (a, b) = rest.split_at(n);
        rest = b;
        Ok(a.to_vec())
    };
    let bad = |what: &str, e: cellsweep_ids::Error| {
        format!("user location information `{t}`: {what}: {e}")
    };
    let u16at = |b: &[u8], i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
    if flags & 0x01 != 0 {
        let b = take(7, "a CGI")?;
        let plmn =
            plmn(&b[..3]).map_err(|e| format!("user location information `{t}`: CGI {e}"))?;
        out.cgi = Some(CellId::cgi(plmn, u16at(&b, 3), u16at(&b, 5)).map_err(|e| bad("CGI", e))?);
    }
    if flags & 0x02 != 0 {
        let b = take(7, "an SAI")?;
        let plmn =
            plmn(&b[..3]).map_err(|e| format!("user location information `{t}`: SAI {e}"))?;
        out.sai = Some(CellId::sai(plmn, u16at(&b, 3), u16at(&b, 5)).map_err(|e| bad("SAI", e))?);
    }
    if flags & 0x04 != 0 {
        let b = take(7, "a RAI")?;
        let plmn =
            plmn(&b[..3]).map_err(|e| format!("user location information `{t}`: RAI {e}"))?;
        out.rai = Some((plmn, u16at(&b, 3), u16at(&b, 5)));
    }
    if flags & 0x08 != 0 {
        let b = take(5, "a TAI")?;
        let plmn =
            plmn(&b[..3]).map_err(|e| format!("user location information `{t}`: TAI {e}"))?;
        out.tai = Some((plmn, u16at(&b, 3)));
    }
    if flags & 0x10 != 0 {
        let b = take(7, "an ECGI")?;
        let plmn =
            plmn(&b[..3]).map_err(|e| format!("user location information `{t}`: ECGI {e}"))?;
        let eci = u32::from_be_bytes([b[3], b[4], b[5], b[6]]) & 0x0fff_ffff;
        out.ecgi = Some(CellId::ecgi(plmn, eci).map_err(|e| bad("ECGI", e))?);
    }
    if flags & 0x20 != 0 {
        let b = take(5, "a LAI")?;
        let plmn =
            plmn(&b[..3]).map_err(|e| format!("user location information `{t}`: LAI {e}"))?;
        out.lai = Some((plmn, u16at(&b, 3)));
    }
    // Macro and extended macro eNodeB ids identify a base station, not a cell: skipped.
    if flags & 0x40 != 0 {
        take(6, "a macro eNodeB id")?;
    }
    if flags & 0x80 != 0 {
        take(6, "an extended macro eNodeB id")?;
    }
    if !rest.is_empty() {
        return Err(format!(
            "user location information `{t}`: {} octets left after the fields the flags 0x{flags:02x} announce",
            rest.len()
        ));
    }
    if out.cell().is_none() {
        return Err(format!(
            "user location information `{t}` holds no cell (flags 0x{flags:02x}: no CGI, SAI or ECGI)"
        ));
    }
    Ok(out)
}

/// A PLMN from its 3 BCD octets.
fn plmn(b: &[u8]) -> Result<Plmn, String> {
    let d = [
        b[0] & 0x0f,
        b[0] >> 4,
        b[1] & 0x0f,
        b[2] & 0x0f,
        b[2] >> 4,
        b[1] >> 4,
    ];
    let hex = format!("{:02x}{:02x}{:02x}", b[0], b[1], b[2]);
    if d[..5].iter().any(|x| *x > 9) || (d[5] > 9 && d[5] != 0xf) {
        return Err(format!("PLMN `{hex}` is not BCD"));
    }
    let mcc = u16::from(d[0]) * 100 + u16::from(d[1]) * 10 + u16::from(d[2]);
    let mcc = Mcc::from_u16(mcc).ok_or_else(|| format!("PLMN `{hex}`: MCC {mcc} is not valid"))?;
    let (value, digits) = if d[5] == 0xf {
        (u16::from(d[3]) * 10 + u16::from(d[4]), 2)
    } else {
        (
            u16::from(d[3]) * 100 + u16::from(d[4]) * 10 + u16::from(d[5]),
            3,
        )
    };
    let mnc = Mnc::new(value, digits).ok_or_else(|| format!("PLMN `{hex}`: bad MNC"))?;
    Ok(Plmn::new(mcc, mnc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_example_and_sai() {
        let u = decode_uli("1802f8511a2b02f85100045a01").unwrap();
        assert_eq!(u.cell().unwrap().to_string(), "208-15-0045a01");
        assert_eq!(u.tai.unwrap().1, 0x1a2b);
        let u = decode_uli("0202f851 1a2b 0c0d").unwrap();
        assert_eq!(u.sai.unwrap().to_string(), "sai:208-15-1a2b-0c0d");
        let u = decode_uli("01 130062 0001 0002").unwrap();
        assert_eq!(u.cgi.unwrap().plmn().to_string(), "310-260");
    }

    #[test]
    fn garbage_is_explained() {
        insta::assert_snapshot!(
            [
                "",
                "zz",
                "1802f851",
                "0802f8511a2b",
                "10ffffff00045a01",
                "1802f8511a2b02f85100045a01ff"
            ]
            .iter()
            .map(|h| decode_uli(h).unwrap_err())
            .collect::<Vec<_>>()
            .join("\n")
        );
    }
}
