//! ETSI TS 102 657 retained-data XML: a streaming reader of telephony records.
//!
//! Elements are matched by local name, whatever the namespace (it embeds the spec version,
//! `…/02657/v1.28.1#/RetainedData`). The reader keeps one `ResponseRecord` at a time:
//!
//! ```text
//!  ResponseRecord ── recordPayload/telephonyRecord/telephonyServiceUsage
//!    ├── partyInformation/TelephonyPartyInformation*   partyRole (child name), partyNumber,
//!    │     iMSI, iMEI, communicationTime/{startTime, endTime, durationTime},
//!    │     detailedLocation/cellInformation/{userLocationInformation, timingAdvance}
//!    └── serviceType                                   call | sms | data (national element)
//! ```
//!
//! The served party is the one with an IMSI (else an IMEI); its role gives the direction and
//! the other party is the peer. docs/ingest.md lists what is covered and what is not.

use std::fs::File;
use std::io::BufReader;
use std::os::unix::fs::FileExt;

use cellsweep_ids::CellId;
use cellsweep_store::Rejection;
use quick_xml::Reader;
use quick_xml::events::Event as XmlEvent;

use crate::Error;
use crate::partition::Partitions;
use crate::read::{ReadCtx, ReadResult};
use crate::schema::{Direction, Event, EventType, Radio};
use crate::time::TimeFormat;
use crate::uli::decode_uli;
use crate::values::{Ids, small_uint};

/// Records per chunk handed to the part writer.
const CHUNK_RECORDS: usize = 1 << 18;
/// The most raw text kept for a quarantined record.
const MAX_RAW: u64 = 16 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    ResponseRecord,
    Party,
    PartyRole,
    PartyNumber,
    Imsi,
    Imei,
    StartTime,
    EndTime,
    DurationTime,
    Uli,
    TimingAdvance,
    ServiceType,
    RequestNumber,
    Other,
}

fn tag(local: &[u8]) -> Tag {
    match local {
        b"ResponseRecord" => Tag::ResponseRecord,
        b"TelephonyPartyInformation" => Tag::Party,
        b"partyRole" => Tag::PartyRole,
        b"partyNumber" => Tag::PartyNumber,
        b"iMSI" => Tag::Imsi,
        b"iMEI" => Tag::Imei,
        b"startTime" => Tag::StartTime,
        b"endTime" => Tag::EndTime,
        b"durationTime" => Tag::DurationTime,
        b"userLocationInformation" => Tag::Uli,
        b"timingAdvance" => Tag::TimingAdvance,
        b"serviceType" => Tag::ServiceType,
        b"requestNumber" => Tag::RequestNumber,
        _ => Tag::Other,
    }
}

/// One party leg as read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Party {
    /// The `partyRole` choice's element name.
    pub role: Option<String>,
    /// `partyNumber`.
    pub number: Option<String>,
    /// `iMSI`.
    pub imsi: Option<String>,
    /// `iMEI`.
    pub imei: Option<String>,
    /// `communicationTime/startTime`.
    pub start: Option<String>,
    /// `communicationTime/endTime`.
    pub end: Option<String>,
    /// `communicationTime/durationTime`.
    pub duration: Option<String>,
    /// `cellInformation/userLocationInformation`.
    pub uli: Option<String>,
    /// `cellInformation/timingAdvance`.
    pub ta: Option<String>,
}

/// One `ResponseRecord` as read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Record {
    /// Parties in order.
    pub parties: Vec<Party>,
    /// `serviceType`.
    pub service: Option<String>,
    /// The first element whose text is not UTF-8.
    pub bad_text: Option<String>,
}

/// Streams records out of a TS 102 657 document; `on_record` gets each record with its
/// ordinal and byte range. Returns the header's `requestNumber`.
pub fn stream_records<R: std::io::BufRead>(
    input: R,
    mut on_record: impl FnMut(u64, Record, (u64, u64)) -> Result<(), Error>,
) -> Result<Option<String>, String> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::with_capacity(4096);
    let mut stack: Vec<Tag> = Vec::with_capacity(32);
    let mut rec: Option<Record> = None;
    let mut rec_start = 0u64;
    let mut ordinal = 0u64;
    let mut text = String::new();
    let mut text_bad = false;
    let mut request_number = None;
    let mut seen_root = false;
    loop {
        let before = reader.buffer_position();
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error at byte {}: {e}", reader.error_position()))?;
        match ev {
            XmlEvent::Start(e) => {
                let t = tag(e.local_name().as_ref());
                if !seen_root {
                    if e.local_name().as_ref() != b"RetainedDataMessage" {
                        return Err(format!(
                            "the root element is `{}`, not `RetainedDataMessage`",
                            String::from_utf8_lossy(e.local_name().as_ref())
                        ));
                    }
                    seen_root = true;
                }
                if stack.last() == Some(&Tag::PartyRole)
                    && let Some(p) = rec.as_mut().and_then(|r| r.parties.last_mut())
                {
                    p.role = Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                }
                match t {
                    Tag::ResponseRecord => {
                        rec = Some(Record::default());
                        rec_start = before;
                    }
                    Tag::Party => {
                        if let Some(r) = rec.as_mut() {
                            r.parties.push(Party::default());
                        }
                    }
                    _ => {}
                }
                text.clear();
                text_bad = false;
                stack.push(t);
            }
            XmlEvent::Empty(e) => {
                if !seen_root {
                    return Err("the document is a single empty element".into());
                }
                if stack.last() == Some(&Tag::PartyRole)
                    && let Some(p) = rec.as_mut().and_then(|r| r.parties.last_mut())
                {
                    p.role = Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                }
            }
            XmlEvent::Text(e) => match std::str::from_utf8(&e) {
                Ok(s) => text.push_str(s),
                Err(_) => text_bad = true,
            },
            XmlEvent::CData(e) => match std::str::from_utf8(&e) {
                Ok(s) => text.push_str(s),
                Err(_) => text_bad = true,
            },
            XmlEvent::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        b"amp" => Some('&'),
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        _ => None,
                    },
                };
                match resolved {
                    Some(c) => text.push(c),
                    None => text_bad = true,
                }
            }
            XmlEvent::End(e) => {
                let t = stack.pop().unwrap_or(Tag::Other);
                let value = std::mem::take(&mut text);
                let value = value.trim();
                if t == Tag::RequestNumber && rec.is_none() {
                    request_number = Some(value.to_owned());
                }
                if let Some(r) = rec.as_mut() {
                    if text_bad && r.bad_text.is_none() {
                        r.bad_text =
                            Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                    }
                    let v = || (!value.is_empty()).then(|| value.to_owned());
                    let in_party = stack.contains(&Tag::Party);
                    match (t, in_party, r.parties.last_mut()) {
                        (Tag::PartyNumber, true, Some(p)) => p.number = v(),
                        (Tag::Imsi, true, Some(p)) => p.imsi = v(),
                        (Tag::Imei, true, Some(p)) => p.imei = v(),
                        (Tag::StartTime, true, Some(p)) => p.start = v(),
                        (Tag::EndTime, true, Some(p)) => p.end = v(),
                        (Tag::DurationTime, true, Some(p)) => p.duration = v(),
                        (Tag::Uli, true, Some(p)) => p.uli = v(),
                        (Tag::TimingAdvance, true, Some(p)) => p.ta = v(),
                        (Tag::ServiceType, _, _) => r.service = v(),
                        _ => {}
                    }
                }
                text_bad = false;
                if t == Tag::ResponseRecord
                    && let Some(r) = rec.take()
                {
                    ordinal += 1;
                    on_record(ordinal, r, (rec_start, reader.buffer_position()))
                        .map_err(|e| e.to_string())?;
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !seen_root {
        return Err("no `RetainedDataMessage` element".into());
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element (truncated file)".into());
    }
    Ok(request_number)
}

/// Turns records into canonical events.
pub struct RecordParser {
    ids: Ids,
    operator: Option<cellsweep_ids::Plmn>,
    time: TimeFormat,
}

impl RecordParser {
    /// A parser with the profile's identifier options.
    pub fn new(
        ctx_ids: &crate::profile::IdOptions,
        region: cellsweep_ids::Region,
        operator: Option<cellsweep_ids::Plmn>,
    ) -> RecordParser {
        RecordParser {
            ids: Ids::new(ctx_ids, region),
            operator,
            time: TimeFormat::compile("%Y%m%d%H%M%S%f%z").expect("valid format"),
        }
    }

    /// The event of a record, or the field at fault and why.
    pub fn event(
        &mut self,
        r: &Record,
        ordinal: u64,
        out: &mut Partitions,
    ) -> Result<(), (Option<&'static str>, String)> {
        if let Some(el) = &r.bad_text {
            return Err((
                None,
                format!("invalid UTF-8 in `{el}`: the document is declared UTF-8"),
            ));
        }
        let served_i = r
            .parties
            .iter()
            .position(|p| p.imsi.is_some())
            .or_else(|| r.parties.iter().position(|p| p.imei.is_some()))
            .or_else(|| {
                r.parties
                    .iter()
                    .position(|p| p.number.is_some() && p.start.is_some())
            });
        let Some(si) = served_i else {
            return Err((
                None,
                "no identity: no party has an `iMSI`, `iMEI` or `partyNumber`".into(),
            ));
        };
        let served = &r.parties[si];
        let peer = r
            .parties
            .iter()
            .enumerate()
            .find(|(i, _)| *i != si)
            .map(|(_, p)| p);
        let role = served.role.as_deref();
        let direction = match role {
            Some("originating-Party" | "smsOriginator" | "callingParty") => Some(Direction::Mo),
            Some("terminating-Party" | "smsRecipient" | "calledParty") => Some(Direction::Mt),
            _ => None,
        };
        let event_type = match r.service.as_deref() {
            Some(s) => EventType::from_name(s).ok_or_else(|| {
                (
                    Some("serviceType"),
                    format!(
                        "unknown service type `{s}` (expected call, sms, data, location_update)"
                    ),
                )
            })?,
            None if matches!(role, Some("smsOriginator" | "smsRecipient")) => EventType::Sms,
            None => return Err((Some("serviceType"), "missing `serviceType`".into())),
        };
        let start_text = served
            .start
            .as_deref()
            .or_else(|| r.parties.iter().find_map(|p| p.start.as_deref()))
            .ok_or((
                Some("startTime"),
                "missing `communicationTime/startTime`".to_owned(),
            ))?;
        let start = self
            .time
            .parse(start_text)
            .map_err(|e| (Some("startTime"), e))?;
        let time_us = start.to_micros(start.offset_s.unwrap_or(0));
        let ids = &mut self.ids;
        let imei = served
            .imei
            .as_deref()
            .map(|s| ids.imei(s))
            .transpose()
            .map_err(|e| (Some("iMEI"), e))?;
        let imsi = served
            .imsi
            .as_deref()
            .map(|s| ids.imsi(s))
            .transpose()
            .map_err(|e| (Some("iMSI"), e))?;
        let msisdn = served
            .number
            .as_deref()
            .map(|s| ids.msisdn(s))
            .transpose()
            .map_err(|e| (Some("partyNumber"), e))?;
        if imei.is_none() && imsi.is_none() && msisdn.is_none() {
            return Err((
                None,
                "no identity: the served party has no `iMSI`, `iMEI` or `partyNumber`".into(),
            ));
        }
        let peer_text = peer.and_then(|p| p.number.as_deref());
        let peer_msisdn = peer_text.and_then(|s| ids.peer(s));
        let peer_other = peer_text.filter(|_| peer_msisdn.is_none());
        let duration_s = match (&served.duration, &served.end) {
            (Some(d), _) => Some(small_uint::<u32>(d).map_err(|e| (Some("durationTime"), e))?),
            (None, Some(end)) => {
                let e = self.time.parse(end).map_err(|e| (Some("endTime"), e))?;
                let end_us = e.to_micros(e.offset_s.unwrap_or(0));
                if end_us < time_us {
                    return Err((Some("endTime"), format!("`{end}` is before the start time")));
                }
                Some(((end_us - time_us) / 1_000_000) as u32)
            }
            _ => None,
        };
        let cell: Option<CellId> = served
            .uli
            .as_deref()
            .map(|u| decode_uli(u).map(|d| d.cell().expect("decode_uli returns a cell")))
            .transpose()
            .map_err(|e| (Some("userLocationInformation"), e))?;
        let radio = cell.map(|c| match c {
            CellId::Cgi { .. } => Radio::G2,
            CellId::Sai { .. } => Radio::G3,
            CellId::Ecgi { .. } => Radio::G4,
            CellId::Ncgi { .. } => Radio::G5,
        });
        let ta = served
            .ta
            .as_deref()
            .map(small_uint::<u16>)
            .transpose()
            .map_err(|e| (Some("timingAdvance"), e))?;
        let Some(operator) = self.operator.or(cell.map(|c| c.plmn())) else {
            return Err((
                None,
                "no operator: the profile names none and the record has no cell".into(),
            ));
        };
        let e = Event {
            time_us,
            imei,
            imsi,
            msisdn,
            peer_msisdn,
            peer_other: None,
            event_type,
            direction,
            duration_s,
            cell: cell.map(|c| c.key()),
            radio,
            ta,
            source_row: ordinal,
        };
        out.push(operator, &e, peer_other);
        Ok(())
    }
}

/// Reads a TS 102 657 delivery.
pub(crate) fn read(ctx: &ReadCtx<'_>) -> Result<ReadResult, Error> {
    let file = File::open(ctx.path).map_err(Error::io(ctx.path))?;
    let mut parser = RecordParser::new(
        &ctx.profile.ids,
        ctx.region,
        ctx.profile.operator_plmn(ctx.operator),
    );
    let mut result = ReadResult::default();
    let mut parts = Partitions::with_capacity(CHUNK_RECORDS);
    let mut pending: Vec<(Rejection, (u64, u64))> = Vec::new();
    let mut chunk = 0u64;
    let mut last_pos = 0u64;
    let mut in_chunk = 0usize;
    let writer = ctx.writer;
    let request_number = stream_records(
        BufReader::with_capacity(1 << 20, &file),
        |ordinal, r, range| {
            match parser.event(&r, ordinal, &mut parts) {
                Ok(()) => result.accepted += 1,
                Err((field, reason)) => pending.push((
                    Rejection {
                        line: ordinal,
                        field: field.map(str::to_owned),
                        reason,
                        raw: String::new(),
                    },
                    range,
                )),
            }
            in_chunk += 1;
            if in_chunk >= CHUNK_RECORDS {
                let full = std::mem::replace(&mut parts, Partitions::with_capacity(CHUNK_RECORDS));
                result
                    .parts
                    .extend(writer.write(chunk, full.into_sorted())?);
                chunk += 1;
                ctx.progress.advance(range.1 - last_pos, in_chunk as u64);
                last_pos = range.1;
                in_chunk = 0;
            }
            Ok(())
        },
    )
    .map_err(|reason| Error::Unreadable {
        path: ctx.path.into(),
        format: "ETSI TS 102 657 XML",
        reason,
    })?;
    if !parts.is_empty() {
        result
            .parts
            .extend(writer.write(chunk, parts.into_sorted())?);
    }
    let total = file.metadata().map(|m| m.len()).unwrap_or(last_pos);
    ctx.progress
        .advance(total.saturating_sub(last_pos), in_chunk as u64);
    // Raw text of quarantined records, read back from the file.
    for (mut rej, (start, end)) in pending {
        let len = (end - start).min(MAX_RAW);
        let mut b = vec![0u8; len as usize];
        file.read_exact_at(&mut b, start)
            .map_err(Error::io(ctx.path))?;
        rej.raw = String::from_utf8_lossy(&b).into_owned();
        result.rejections.push(rej);
    }
    if let Some(n) = request_number {
        result
            .notes
            .push(format!("the file's requestNumber is `{n}`"));
    }
    Ok(result)
}
