//! The text delivery layouts: `fr-semicolon` (Windows-1252, local time, decimal comma) and
//! `en-comma` (UTF-8, ISO 8601 with offset, IMEISV), and the ETSI TS 102 657 XML records.
//! Hand-formatted into byte buffers: this is the simulator's hot loop.

use std::io::Write;

use cellsweep_geo::Radio;
use cellsweep_ids::{CellId, Imei};

use crate::activity::{Dir, Kind, NO_TA, Row, SHORT_CODES};
use crate::clock::civil;
use crate::deliver::{Damage, RowCtx};

fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn push_u64(out: &mut Vec<u8>, v: u64) {
    push_padded(out, v, 1);
}

/// `v` zero-padded to `width` digits (at most 20).
fn push_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut v = v;
    while v > 0 {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let start = i.min(buf.len() - width.clamp(1, 20));
    out.extend_from_slice(&buf[start..]);
}

/// The 15-digit IMEI with its Luhn check digit.
pub(crate) fn imei15(imei: u64) -> u64 {
    let cd = Imei::from_u64(imei).map_or(0, |i| i.check_digit());
    imei * 10 + u64::from(cd)
}

/// A French number in national form (`0612345678`, or spaced `06 12 34 56 78`).
fn push_national(out: &mut Vec<u8>, e164: u64, spaced: bool) {
    let national = e164 - 33_000_000_000;
    let mut digits = Vec::with_capacity(10);
    digits.push(b'0');
    push_padded(&mut digits, national, 9);
    if spaced {
        for (i, d) in digits.iter().enumerate() {
            if i > 0 && i % 2 == 0 {
                out.push(b' ');
            }
            out.push(*d);
        }
    } else {
        out.extend_from_slice(&digits);
    }
}

fn is_french(e164: u64) -> bool {
    (33_000_000_000..34_000_000_000).contains(&e164)
}

/// `lat`/`lon` with 6 decimals and a decimal comma.
fn push_coord(out: &mut Vec<u8>, v: f64) {
    let neg = v < 0.0;
    let micro = (v.abs() * 1e6).round() as u64;
    if neg {
        out.push(b'-');
    }
    push_u64(out, micro / 1_000_000);
    out.push(b',');
    push_padded(out, micro % 1_000_000, 6);
}

/// Minutes with a decimal comma, at most 3 decimals (exact to the second once rounded back).
fn push_minutes(out: &mut Vec<u8>, secs: u32) {
    let milli = (u64::from(secs) * 1000 + 30) / 60;
    push_u64(out, milli / 1000);
    let frac = milli % 1000;
    if frac != 0 {
        out.push(b',');
        let mut f = frac;
        let mut width = 3;
        while f % 10 == 0 {
            f /= 10;
            width -= 1;
        }
        push_padded(out, f, width);
    }
}

/// Decimal cell identity as the `fr-semicolon` layout writes it: `208-01-6699-15437` for a
/// CGI or SAI, `208-01-1234567` for an ECGI or NCGI.
pub(crate) fn cell_decimal(cell: &CellId) -> String {
    let plmn = cell.plmn();
    match *cell {
        CellId::Cgi { lac, ci, .. } => format!("{plmn}-{lac}-{ci}"),
        CellId::Sai { lac, sac, .. } => format!("{plmn}-{lac}-{sac}"),
        CellId::Ecgi { eci, .. } => format!("{plmn}-{eci}"),
        CellId::Ncgi { nci, .. } => format!("{plmn}-{nci}"),
    }
}

/// Header of an `fr-semicolon` file.
pub(crate) const FR_HEADER: &[u8] = b"DATE_HEURE;TYPE_EVT;SENS;DUREE;NUM_A;IMSI_A;IMEI_A;NUM_B;CGI;TECHNO;AT;LIBELLE_SITE;LAT;LONG\r\n";

/// One `fr-semicolon` row.
pub(crate) fn fr_row(out: &mut Vec<u8>, ev: &Row, cx: &RowCtx<'_>, damage: Option<Damage>) {
    let start = out.len();
    match damage {
        Some(Damage::BadTime) => out.extend_from_slice(b"31/02/2026 25:61:00"),
        Some(Damage::NonexistentLocalTime) => {
            let _ = write!(out, "{:02}/03/{} 02:30:00", cx.spring_day, cx.year);
        }
        _ => {
            let (y, mo, d, h, mi, s) = civil(ev.t, cx.offset);
            push_2(out, d);
            out.push(b'/');
            push_2(out, mo);
            out.push(b'/');
            push_u64(out, y as u64);
            out.push(b' ');
            push_2(out, h);
            out.push(b':');
            push_2(out, mi);
            out.push(b':');
            push_2(out, s);
        }
    }
    out.push(b';');
    out.extend_from_slice(match (ev.kind, damage) {
        (_, Some(Damage::UnknownType)) => b"APPEL_X",
        (Kind::Call, _) => b"APPEL",
        (Kind::Sms, _) => b"SMS",
        (Kind::Data, _) => b"DATA",
        (Kind::LocationUpdate, _) => b"MAJ_LOC",
    });
    out.push(b';');
    out.extend_from_slice(match ev.dir {
        Dir::Mo => b"SORTANT",
        Dir::Mt => b"ENTRANT",
        Dir::None => b"",
    });
    out.push(b';');
    if matches!(ev.kind, Kind::Call | Kind::Data) {
        push_minutes(out, ev.duration);
    }
    out.push(b';');
    let missing = damage == Some(Damage::MissingIdentity);
    if !missing {
        push_national(out, ev.sim.msisdn, cx.spaced);
    }
    out.push(b';');
    if !missing {
        let imsi = if damage == Some(Damage::TruncatedImsi) {
            ev.sim.imsi / 1_000_000
        } else {
            ev.sim.imsi
        };
        push_u64(out, imsi);
    }
    out.push(b';');
    if !missing {
        let mut i15 = imei15(ev.imei);
        if damage == Some(Damage::BadImeiCheck) {
            i15 = i15 / 10 * 10 + (i15 % 10 + 1) % 10;
        }
        push_padded(out, i15, 15);
    }
    out.push(b';');
    push_peer_fr(out, ev.peer, cx.spaced);
    out.push(b';');
    if damage == Some(Damage::GarbageCell) {
        out.extend_from_slice(b"208-01-ZZZZ");
    } else {
        out.extend_from_slice(cx.cell_decimal.as_bytes());
    }
    out.push(b';');
    out.extend_from_slice(match cx.cell.radio {
        Radio::G2 => b"2G",
        Radio::G3 => b"3G",
        Radio::G4 => b"4G",
        Radio::G5 => b"5G",
    });
    out.push(b';');
    if ev.ta != NO_TA {
        push_u64(out, u64::from(ev.ta));
    }
    out.push(b';');
    out.extend_from_slice(cx.label_cp1252);
    out.push(b';');
    push_coord(out, cx.lat);
    out.push(b';');
    push_coord(out, cx.lon);
    if damage == Some(Damage::Truncated) {
        truncate_fields(out, start, b';', 6);
    }
    out.extend_from_slice(b"\r\n");
}

fn push_peer_fr(out: &mut Vec<u8>, peer: u64, spaced: bool) {
    if peer == 0 {
        return;
    }
    if peer < SHORT_CODES.len() as u64 {
        out.extend_from_slice(SHORT_CODES[peer as usize].as_bytes());
    } else if is_french(peer) {
        push_national(out, peer, spaced);
    } else {
        out.extend_from_slice(b"00");
        push_u64(out, peer);
    }
}

/// Keeps the first `fields` fields of the row that starts at `start`.
fn truncate_fields(out: &mut Vec<u8>, start: usize, sep: u8, fields: usize) {
    let mut seen = 0;
    for i in start..out.len() {
        if out[i] == sep {
            seen += 1;
            if seen == fields {
                out.truncate(i);
                return;
            }
        }
    }
}

/// Header of an `en-comma` file.
pub(crate) const EN_HEADER: &[u8] = b"record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance\n";

/// One `en-comma` row.
pub(crate) fn en_row(
    out: &mut Vec<u8>,
    ev: &Row,
    cx: &RowCtx<'_>,
    row: u64,
    damage: Option<Damage>,
) {
    let start = out.len();
    push_u64(out, row);
    out.push(b',');
    if damage == Some(Damage::BadTime) {
        out.extend_from_slice(b"2026-02-31T25:61:00+01:00");
    } else {
        push_iso(out, ev.t, cx.offset);
    }
    out.push(b',');
    out.extend_from_slice(match (ev.kind, ev.dir, damage) {
        (_, _, Some(Damage::UnknownType)) => b"MOCX",
        (Kind::Call, Dir::Mo, _) => b"MOC",
        (Kind::Call, _, _) => b"MTC",
        (Kind::Sms, Dir::Mo, _) => b"SMS-MO",
        (Kind::Sms, _, _) => b"SMS-MT",
        (Kind::Data, _, _) => b"GPRS",
        (Kind::LocationUpdate, _, _) => b"LU",
    });
    out.push(b',');
    let missing = damage == Some(Damage::MissingIdentity);
    if !missing {
        push_u64(out, ev.sim.msisdn);
    }
    out.push(b',');
    if !missing {
        let imsi = if damage == Some(Damage::TruncatedImsi) {
            ev.sim.imsi / 1_000_000
        } else {
            ev.sim.imsi
        };
        push_u64(out, imsi);
    }
    out.push(b',');
    if !missing {
        push_padded(out, ev.imei, 14);
        push_2(out, cx.svn);
    }
    out.push(b',');
    if ev.peer != 0 {
        if ev.peer < SHORT_CODES.len() as u64 {
            let code = SHORT_CODES[ev.peer as usize];
            if code.bytes().any(|b| b.is_ascii_alphabetic()) {
                let _ = write!(out, "\"{code}\"");
            } else {
                out.extend_from_slice(code.as_bytes());
            }
        } else {
            push_u64(out, ev.peer);
        }
    }
    if damage == Some(Damage::BadEncoding) {
        out.push(0xff);
    }
    out.push(b',');
    if matches!(ev.kind, Kind::Call | Kind::Data) {
        push_u64(out, u64::from(ev.duration));
    }
    out.push(b',');
    if damage == Some(Damage::GarbageCell) {
        out.extend_from_slice(b"208-10-zz9");
    } else {
        out.extend_from_slice(cx.cell_text.as_bytes());
    }
    out.push(b',');
    out.extend_from_slice(match cx.cell.radio {
        Radio::G2 => b"GSM",
        Radio::G3 => b"UMTS",
        Radio::G4 => b"LTE",
        Radio::G5 => b"NR",
    });
    out.push(b',');
    if ev.ta != NO_TA {
        push_u64(out, u64::from(ev.ta));
    }
    if damage == Some(Damage::Truncated) {
        truncate_fields(out, start, b',', 6);
    }
    out.push(b'\n');
}

/// `2026-03-01T23:15:02+01:00`.
fn push_iso(out: &mut Vec<u8>, t: i64, offset: i32) {
    let (y, mo, d, h, mi, s) = civil(t, offset);
    push_u64(out, y as u64);
    out.push(b'-');
    push_2(out, mo);
    out.push(b'-');
    push_2(out, d);
    out.push(b'T');
    push_2(out, h);
    out.push(b':');
    push_2(out, mi);
    out.push(b':');
    push_2(out, s);
    out.push(if offset < 0 { b'-' } else { b'+' });
    let o = offset.unsigned_abs() / 60;
    push_2(out, o / 60);
    out.push(b':');
    push_2(out, o % 60);
}

/// GeneralizedTime with offset: `20260301231502+0100`.
fn push_generalized(out: &mut Vec<u8>, t: i64, offset: i32) {
    let (y, mo, d, h, mi, s) = civil(t, offset);
    push_u64(out, y as u64);
    for v in [mo, d, h, mi, s] {
        push_2(out, v);
    }
    out.push(if offset < 0 { b'-' } else { b'+' });
    let o = offset.unsigned_abs() / 60;
    push_2(out, o / 60);
    push_2(out, o % 60);
}

/// BCD-encoded PLMN octets as hex (TS 24.008 §10.5.1.13): `208-15` → `02f851`.
fn push_plmn_hex(out: &mut Vec<u8>, cell: &CellId) {
    let p = cell.plmn();
    let mcc = format!("{:03}", p.mcc.as_u16());
    let mnc = p.mnc.to_string();
    let m: Vec<u8> = mcc.bytes().map(|b| b - b'0').collect();
    let n: Vec<u8> = mnc.bytes().map(|b| b - b'0').collect();
    let n3 = if n.len() == 3 { n[2] } else { 0xf };
    for octet in [(m[1] << 4) | m[0], (n3 << 4) | m[2], (n[1] << 4) | n[0]] {
        let _ = write!(out, "{octet:02x}");
    }
}

/// The ULI IE body as hex: `TAI+ECGI` for 4G, `SAI` for 3G, `CGI` for 2G.
pub(crate) fn push_uli(out: &mut Vec<u8>, cell: &CellId) {
    match *cell {
        CellId::Ecgi { eci, .. } => {
            out.extend_from_slice(b"18");
            push_plmn_hex(out, cell);
            // The TAC is not part of the cell identity; networks often number TACs like LACs.
            let _ = write!(out, "{:04x}", (eci >> 8) & 0xffff);
            push_plmn_hex(out, cell);
            let _ = write!(out, "{eci:08x}");
        }
        CellId::Sai { lac, sac, .. } => {
            out.extend_from_slice(b"02");
            push_plmn_hex(out, cell);
            let _ = write!(out, "{lac:04x}{sac:04x}");
        }
        CellId::Cgi { lac, ci, .. } => {
            out.extend_from_slice(b"01");
            push_plmn_hex(out, cell);
            let _ = write!(out, "{lac:04x}{ci:04x}");
        }
        CellId::Ncgi { .. } => out.extend_from_slice(b"ff"),
    }
}

/// Opening of an ETSI TS 102 657 file.
pub(crate) fn etsi_header(out: &mut Vec<u8>, request: &str, csp: &str, stamp: i64) {
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RetainedDataMessage xmlns=\"http://uri.etsi.org/02657/v1.28.1#/RetainedData\">\n  <rdHeaderId>0.4.0.2.3.0.28</rdHeaderId>\n  <retainedDataHeader>\n    <requestID><countryCode>FR</countryCode><authorisedOrganisationID>OFAC</authorisedOrganisationID><requestNumber>");
    out.extend_from_slice(request.as_bytes());
    out.extend_from_slice(b"</requestNumber></requestID>\n    <cSPID>");
    out.extend_from_slice(csp.as_bytes());
    out.extend_from_slice(b"</cSPID><timeStamp>");
    push_generalized(out, stamp, 0);
    out.truncate(out.len() - 5);
    out.extend_from_slice(b"Z</timeStamp>\n  </retainedDataHeader>\n  <retainedDataPayload><responseMessage><responseStatus><responseComplete/></responseStatus>\n    <responseRecords>\n");
}

/// Closing of an ETSI TS 102 657 file.
pub(crate) const ETSI_FOOTER: &[u8] =
    b"    </responseRecords>\n  </responseMessage></retainedDataPayload>\n</RetainedDataMessage>\n";

/// One ETSI TS 102 657 record.
pub(crate) fn etsi_record(
    out: &mut Vec<u8>,
    ev: &Row,
    cx: &RowCtx<'_>,
    row: u64,
    damage: Option<Damage>,
) {
    out.extend_from_slice(b"      <ResponseRecord><recordNumber>");
    push_u64(out, row);
    out.extend_from_slice(b"</recordNumber><recordPayload><telephonyRecord><telephonyServiceUsage><partyInformation>\n        <TelephonyPartyInformation><partyRole><");
    out.extend_from_slice(match (ev.kind, ev.dir) {
        (Kind::Sms, Dir::Mo) => b"smsOriginator",
        (Kind::Sms, _) => b"smsRecipient",
        (_, Dir::Mt) => b"terminating-Party",
        _ => b"originating-Party",
    });
    out.extend_from_slice(b"/></partyRole>");
    if damage != Some(Damage::MissingIdentity) {
        out.extend_from_slice(b"<partyNumber>+");
        push_u64(out, ev.sim.msisdn);
        out.extend_from_slice(b"</partyNumber><iMSI>");
        let imsi = if damage == Some(Damage::TruncatedImsi) {
            ev.sim.imsi / 1_000_000
        } else {
            ev.sim.imsi
        };
        push_u64(out, imsi);
        out.extend_from_slice(b"</iMSI><iMEI>");
        push_padded(out, ev.imei, 14);
        out.extend_from_slice(b"</iMEI>");
    }
    out.extend_from_slice(b"<communicationTime><startTime>");
    if damage == Some(Damage::BadTime) {
        out.extend_from_slice(b"20260231256100+0100");
    } else {
        push_generalized(out, ev.t, cx.offset);
    }
    out.extend_from_slice(b"</startTime>");
    if matches!(ev.kind, Kind::Call | Kind::Data) {
        out.extend_from_slice(b"<durationTime>");
        push_u64(out, u64::from(ev.duration));
        out.extend_from_slice(b"</durationTime>");
    }
    out.extend_from_slice(
        b"</communicationTime><detailedLocation><cellInformation><userLocationInformation>",
    );
    if damage == Some(Damage::GarbageCell) {
        out.extend_from_slice(b"18zz");
    } else {
        push_uli(out, &cx.cell.id);
    }
    out.extend_from_slice(b"</userLocationInformation>");
    if ev.ta != NO_TA {
        out.extend_from_slice(b"<timingAdvance>");
        push_u64(out, u64::from(ev.ta));
        out.extend_from_slice(b"</timingAdvance>");
    }
    out.extend_from_slice(b"</cellInformation></detailedLocation></TelephonyPartyInformation>\n");
    if ev.peer != 0 {
        out.extend_from_slice(b"        <TelephonyPartyInformation><partyRole><");
        out.extend_from_slice(match (ev.kind, ev.dir) {
            (Kind::Sms, Dir::Mo) => b"smsRecipient",
            (Kind::Sms, _) => b"smsOriginator",
            (_, Dir::Mt) => b"originating-Party",
            _ => b"terminating-Party",
        });
        out.extend_from_slice(b"/></partyRole><partyNumber>");
        if ev.peer < SHORT_CODES.len() as u64 {
            out.extend_from_slice(SHORT_CODES[ev.peer as usize].as_bytes());
        } else {
            out.push(b'+');
            push_u64(out, ev.peer);
        }
        out.extend_from_slice(b"</partyNumber></TelephonyPartyInformation>\n");
    }
    out.extend_from_slice(b"      </partyInformation><serviceType>");
    out.extend_from_slice(match (ev.kind, damage) {
        (_, Some(Damage::UnknownType)) => b"fax",
        (Kind::Call, _) => b"call",
        (Kind::Sms, _) => b"sms",
        _ => b"data",
    });
    out.extend_from_slice(b"</serviceType></telephonyServiceUsage></telephonyRecord></recordPayload></ResponseRecord>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_formats() {
        let mut o = Vec::new();
        push_minutes(&mut o, 90);
        o.push(b' ');
        push_minutes(&mut o, 61);
        o.push(b' ');
        push_minutes(&mut o, 120);
        assert_eq!(String::from_utf8(o).unwrap(), "1,5 1,017 2");
        let mut o = Vec::new();
        push_national(&mut o, 33_612_345_678, true);
        assert_eq!(String::from_utf8(o).unwrap(), "06 12 34 56 78");
        let mut o = Vec::new();
        push_coord(&mut o, -0.0102);
        assert_eq!(String::from_utf8(o).unwrap(), "-0,010200");
        let mut o = Vec::new();
        let cell: CellId = "208-15-0045a01".parse().unwrap();
        push_uli(&mut o, &cell);
        assert_eq!(String::from_utf8(o).unwrap(), "1802f851045a02f85100045a01");
        assert_eq!(imei15(49_015_420_323_751), 490_154_203_237_518);
    }
}
