//! One CSV record to one canonical event or one quarantine entry, as a profile says.
//!
//! The parser keeps its scratch buffers and identifier memos across rows, so a row costs no
//! allocation unless it is rejected, deferred or has a non-ASCII value in a legacy encoding.

use cellsweep_ids::{CellId, Plmn, Region};
use cellsweep_store::Rejection;

use crate::Error;
use crate::partition::Partitions;
use crate::profile::{AmbiguousPolicy, ColumnRef, DurationUnit, Encoding, Profile};
use crate::schema::{Direction, Event, EventType, Radio};
use crate::time::{Civil, Local, TimeFormat, Zone, fmt_offset};
use crate::values::{Ids, ValueMap, duration, small_uint};

use super::fields::{Fields, QuotedReader, decode, split_plain, split_with};

/// Where a record's fields are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    /// In the record itself (no quotes), which is ASCII or not.
    InRecord { ascii: bool },
    /// Unquoted into the scratch buffer.
    InScratch,
}

/// What [`RowParser::prepare`] found out about one record of a batch.
#[derive(Debug, Clone, Copy, Default)]
struct Prepared {
    /// Its field ranges in `batch_ranges[from..to]` and whether it is ASCII, for a record
    /// without quotes.
    fields: Option<(usize, usize, bool)>,
    /// The served number's key, when the memo knew it.
    served: Option<u64>,
    /// The other party's reading, when the memo knew it.
    peer: Option<Option<u64>>,
}

/// Memo keys of the two numbers of a record, when each is plain digits (with or without `+`).
type NumberKeys = (Option<u128>, Option<u128>);

/// Column indexes (0-based) of the mapped fields.
#[derive(Debug, Clone, Default)]
struct Cols {
    time: usize,
    record_type: usize,
    direction: Option<usize>,
    duration: Option<usize>,
    msisdn: Option<usize>,
    imsi: Option<usize>,
    imei: Option<usize>,
    peer: Option<usize>,
    cell: Option<usize>,
    radio: Option<usize>,
    ta: Option<usize>,
}

/// A row whose local time occurs twice, kept until the whole file has been read
/// ([`AmbiguousPolicy::FileOrder`]).
#[derive(Debug, Clone)]
pub struct Deferred {
    /// The event, its time still to be chosen.
    pub event: Event,
    /// The operator.
    pub operator: Plmn,
    /// The first occurrence, µs.
    pub earlier: i64,
    /// The second occurrence, µs.
    pub later: i64,
    /// The wall-clock reading as written, in µs, to see the clock go back.
    pub wall_us: i64,
    /// The line and raw text, should it be quarantined after all.
    pub line: u64,
    /// Raw record.
    pub raw: String,
    /// Time column name.
    pub field: String,
    /// The reading as written.
    pub text: String,
}

/// What became of a record.
#[derive(Debug)]
pub enum Outcome {
    /// Added to the partitions.
    Accepted,
    /// Quarantined.
    Rejected(Rejection),
    /// Waiting for the file-order resolution of the autumn hour.
    Deferred(Box<Deferred>),
    /// A blank line: not a record.
    Blank,
}

/// Counters a worker reports.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RowStats {
    /// Rows resolved by the ambiguous-time policy (earlier or later).
    pub ambiguous_resolved: u64,
}

/// The per-profile row parser.
#[derive(Debug, Clone)]
pub struct RowParser {
    cols: Cols,
    names: Vec<String>,
    expected_fields: usize,
    delimiter: u8,
    quote: Option<u8>,
    encoding: Encoding,
    decimal_comma: bool,
    time_format: TimeFormat,
    zone: Option<Zone>,
    policy: AmbiguousPolicy,
    record_types: ValueMap<(EventType, Option<Direction>)>,
    directions: ValueMap<Direction>,
    radios: ValueMap<Radio>,
    csv_reader: QuotedReader,
    duration_unit: DurationUnit,
    ids: Ids,
    operator: Option<Plmn>,
    ranges: Vec<(usize, usize)>,
    scratch: Vec<u8>,
    ends: Vec<usize>,
    batch_ranges: Vec<(usize, usize)>,
    batch_keys: Vec<NumberKeys>,
    prepared: Vec<Prepared>,
    /// Counters.
    pub stats: RowStats,
}

impl RowParser {
    /// Builds a parser for a file whose header (already split and decoded; empty without a
    /// header) is `header`.
    pub fn new(
        profile: &Profile,
        header: &[String],
        operator: Option<Plmn>,
        region: Region,
        path: &std::path::Path,
    ) -> Result<RowParser, Error> {
        let mismatch = |reason: String| Error::HeaderMismatch {
            path: path.into(),
            profile: profile.name.clone(),
            reason,
        };
        let mut missing = Vec::new();
        let mut max_pos = 0;
        let mut resolve = |c: &ColumnRef| -> Option<usize> {
            match c {
                ColumnRef::Position(p) => {
                    max_pos = max_pos.max(*p as usize);
                    Some(*p as usize - 1)
                }
                ColumnRef::Name(n) => {
                    let i = header
                        .iter()
                        .position(|h| h.trim().eq_ignore_ascii_case(n.trim()));
                    if i.is_none() {
                        missing.push(format!("`{n}`"));
                    }
                    i
                }
            }
        };
        let c = &profile.columns;
        let opt = |r: &mut dyn FnMut(&ColumnRef) -> Option<usize>, c: &Option<ColumnRef>| {
            c.as_ref().and_then(r)
        };
        let time = profile.time.column.as_ref().and_then(&mut resolve);
        let record_type = c.record_type.as_ref().and_then(&mut resolve);
        let cols = Cols {
            time: time.unwrap_or(0),
            record_type: record_type.unwrap_or(0),
            direction: opt(&mut resolve, &c.direction),
            duration: opt(&mut resolve, &c.duration),
            msisdn: opt(&mut resolve, &c.msisdn),
            imsi: opt(&mut resolve, &c.imsi),
            imei: opt(&mut resolve, &c.imei),
            peer: opt(&mut resolve, &c.peer),
            cell: opt(&mut resolve, &c.cell),
            radio: opt(&mut resolve, &c.radio),
            ta: opt(&mut resolve, &c.ta),
        };
        if !missing.is_empty() {
            return Err(mismatch(format!(
                "missing column(s) {}; the header has {}",
                missing.join(", "),
                crate::profile::names(header.iter().map(String::as_str))
            )));
        }
        if !header.is_empty() && max_pos > header.len() {
            return Err(mismatch(format!(
                "column {max_pos} is mapped but the header has {} columns",
                header.len()
            )));
        }
        let expected_fields = if header.is_empty() {
            max_pos
        } else {
            header.len()
        };
        let names = if header.is_empty() {
            (1..=expected_fields)
                .map(|i| format!("column {i}"))
                .collect()
        } else {
            header.iter().map(|h| h.trim().to_owned()).collect()
        };
        let time_format = TimeFormat::compile(profile.time.format.as_deref().unwrap_or(""))
            .map_err(|e| Error::InvalidProfile {
                name: profile.name.clone(),
                reason: e,
            })?;
        let zone = match &profile.time.time_zone {
            Some(z) => Some(Zone::new(jiff::tz::TimeZone::get(z).map_err(|e| {
                Error::InvalidProfile {
                    name: profile.name.clone(),
                    reason: format!("time zone `{z}`: {e}"),
                }
            })?)),
            None => None,
        };
        Ok(RowParser {
            cols,
            names,
            expected_fields,
            delimiter: profile.delimiter()?,
            quote: profile.quote()?,
            encoding: profile.encoding()?,
            decimal_comma: profile.csv.decimal_comma,
            time_format,
            zone,
            policy: profile.time.ambiguous,
            record_types: ValueMap::new(
                profile
                    .record_type_map()?
                    .into_iter()
                    .map(|(k, e, d)| (k, (e, d)))
                    .collect(),
            ),
            directions: ValueMap::new(profile.direction_map()?),
            radios: ValueMap::new(profile.radio_map()?),
            csv_reader: QuotedReader::new(profile.delimiter()?, profile.quote()?.unwrap_or(b'"')),
            duration_unit: profile.duration.unit,
            ids: Ids::new(&profile.ids, region),
            operator: profile.operator_plmn(operator),
            ranges: Vec::with_capacity(32),
            scratch: Vec::new(),
            ends: vec![0; 256],
            batch_ranges: Vec::new(),
            batch_keys: Vec::new(),
            prepared: Vec::new(),
            stats: RowStats::default(),
        })
    }

    /// Splits a record (without its line terminator) into field ranges; a record with a quote
    /// goes through `csv-core`, the others through a plain byte split.
    /// Returns whether fields live in the scratch buffer (else in `rec`, and then also
    /// whether `rec` is all ASCII), or an error for broken quoting.
    fn split(&mut self, rec: &[u8], prepared: Option<Prepared>) -> Result<Split, String> {
        self.ranges.clear();
        if let Some((from, to, ascii)) = prepared.and_then(|p| p.fields) {
            self.ranges.extend_from_slice(&self.batch_ranges[from..to]);
            return Ok(Split::InRecord { ascii });
        }
        if !self.quoted(rec) {
            let ascii = split_plain(rec, self.delimiter, &mut self.ranges);
            return Ok(Split::InRecord { ascii });
        }
        self.csv_reader.reader.reset();
        split_with(
            &mut self.csv_reader.reader,
            rec,
            self.quote.unwrap_or(b'"'),
            &mut self.scratch,
            &mut self.ends,
            &mut self.ranges,
        )?;
        Ok(Split::InScratch)
    }

    /// Whether a record holds a quote character (and needs the CSV reader to split).
    fn quoted(&self, rec: &[u8]) -> bool {
        self.quote.is_some_and(|q| memchr::memchr(q, rec).is_some())
    }

    fn raw(&self, rec: &[u8]) -> String {
        decode(self.encoding, rec).into_owned()
    }

    /// Parses one record starting on 1-based physical line `line`; accepted rows go into
    /// `out`.
    pub fn parse(&mut self, rec: &[u8], line: u64, out: &mut Partitions) -> Outcome {
        self.parse_with(rec, line, out, None)
    }

    /// Splits a batch of records and looks their numbers up in the memos, in one tight loop
    /// per step; [`RowParser::parse_prepared`] then parses each. The memos hold hundreds of
    /// thousands of numbers, far more than the processor's cache: independent lookups in a
    /// row let it wait for many at once instead of one per record (about a fifth of the
    /// parse time on a delivery with 200,000 subscribers, BENCHMARKS.md).
    pub fn prepare<'r>(&mut self, records: impl Iterator<Item = &'r [u8]>) {
        self.batch_ranges.clear();
        self.batch_keys.clear();
        self.prepared.clear();
        let (served_col, peer_col) = (self.cols.msisdn, self.cols.peer);
        for rec in records {
            let rec = rec.strip_suffix(b"\r").unwrap_or(rec);
            if self.quoted(rec) {
                self.batch_keys.push((None, None));
                self.prepared.push(Prepared::default());
                continue;
            }
            let from = self.batch_ranges.len();
            let ascii = split_plain(rec, self.delimiter, &mut self.batch_ranges);
            let fields = &self.batch_ranges[from..];
            let key = |c: Option<usize>| {
                let (s, e) = *fields.get(c?)?;
                number_key(&rec[s..e])
            };
            self.batch_keys.push((key(served_col), key(peer_col)));
            self.prepared.push(Prepared {
                fields: Some((from, self.batch_ranges.len(), ascii)),
                ..Prepared::default()
            });
        }
        for (p, &(served, peer)) in self.prepared.iter_mut().zip(&self.batch_keys) {
            p.served = served.and_then(|k| self.ids.peek_served(k));
            p.peer = peer.and_then(|k| self.ids.peek_peer(k));
        }
    }

    /// Parses record `i` of the batch given to [`RowParser::prepare`], which must be `rec`.
    pub fn parse_prepared(
        &mut self,
        rec: &[u8],
        line: u64,
        out: &mut Partitions,
        i: usize,
    ) -> Outcome {
        let prepared = self.prepared.get(i).copied();
        self.parse_with(rec, line, out, prepared)
    }

    fn parse_with(
        &mut self,
        rec: &[u8],
        line: u64,
        out: &mut Partitions,
        prepared: Option<Prepared>,
    ) -> Outcome {
        let rec = rec.strip_suffix(b"\r").unwrap_or(rec);
        if rec.iter().all(|b| b.is_ascii_whitespace()) {
            return Outcome::Blank;
        }
        match self.parse_inner(rec, line, out, prepared) {
            Ok(o) => o,
            Err((field, reason)) => {
                let raw = self.raw(rec);
                Outcome::Rejected(match field {
                    Some(f) => Rejection::field(
                        line,
                        self.names.get(f).cloned().unwrap_or_default(),
                        reason,
                        raw,
                    ),
                    None => Rejection::row(line, reason, raw),
                })
            }
        }
    }

    fn parse_inner(
        &mut self,
        rec: &[u8],
        line: u64,
        out: &mut Partitions,
        prepared: Option<Prepared>,
    ) -> Result<Outcome, (Option<usize>, String)> {
        let split = self.split(rec, prepared);
        // UTF-8 first: a row that is not text is reported as such, whatever else is wrong.
        let utf8 = match (self.encoding, &split) {
            (Encoding::Utf8, _) => match std::str::from_utf8(rec) {
                Ok(t) => Some(t),
                Err(e) => {
                    let at = e.valid_up_to();
                    let field = memchr::memchr_iter(self.delimiter, &rec[..at]).count();
                    return Err((
                        Some(field).filter(|f| *f < self.names.len()),
                        format!(
                            "invalid UTF-8 byte `0x{:02x}` at byte {} of the row; the profile declares UTF-8",
                            rec[at],
                            at + 1
                        ),
                    ));
                }
            },
            (Encoding::Windows1252, Ok(Split::InRecord { ascii: true })) => {
                std::str::from_utf8(rec).ok()
            }
            (Encoding::Windows1252, _) => None,
        };
        let split = split.map_err(|e| (None, e))?;
        if self.ranges.len() != self.expected_fields {
            return Err((
                None,
                format!(
                    "{} fields, the {} {}",
                    self.ranges.len(),
                    if self.names.first().is_some_and(|n| n.starts_with("column ")) {
                        "profile maps up to column"
                    } else {
                        "header has"
                    },
                    self.expected_fields
                ),
            ));
        }
        // Fields are plain `str` slices when the row is text: UTF-8 rows always (quotes removed
        // at character boundaries keep them valid), legacy rows when ASCII.
        let (base, text): (&[u8], Option<&str>) = match split {
            Split::InRecord { .. } => (rec, utf8),
            Split::InScratch => (
                &self.scratch,
                match self.encoding {
                    Encoding::Utf8 => std::str::from_utf8(&self.scratch).ok(),
                    Encoding::Windows1252 if self.scratch.is_ascii() => {
                        std::str::from_utf8(&self.scratch).ok()
                    }
                    Encoding::Windows1252 => None,
                },
            ),
        };
        let fields = Fields {
            base,
            text,
            ranges: &self.ranges,
            encoding: self.encoding,
        };
        let c = &self.cols;

        // Time.
        let time_text = fields.get(c.time);
        let civil = self
            .time_format
            .parse(&time_text)
            .map_err(|e| (Some(c.time), e))?;
        let mut deferred_fold = None;
        let time_us = match (civil.offset_s, &mut self.zone) {
            (Some(off), _) => civil.to_micros(off),
            (None, Some(zone)) => match zone.resolve(&civil) {
                Local::Unique(t) => t,
                Local::Gap { before, after } => {
                    return Err((
                        Some(c.time),
                        format!(
                            "nonexistent local time `{}` in {}: clocks jumped from {} to {} (daylight saving)",
                            time_text.trim(),
                            zone.name(),
                            fmt_offset(before),
                            fmt_offset(after)
                        ),
                    ));
                }
                Local::Fold { earlier, later } => match self.policy {
                    AmbiguousPolicy::Earlier => {
                        self.stats.ambiguous_resolved += 1;
                        earlier
                    }
                    AmbiguousPolicy::Later => {
                        self.stats.ambiguous_resolved += 1;
                        later
                    }
                    AmbiguousPolicy::Reject => {
                        return Err((
                            Some(c.time),
                            ambiguous_reason(
                                &civil,
                                zone.name(),
                                earlier,
                                later,
                                "the profile's policy is `reject`",
                            ),
                        ));
                    }
                    AmbiguousPolicy::FileOrder => {
                        deferred_fold = Some((earlier, later));
                        earlier
                    }
                },
            },
            (None, None) => {
                return Err((
                    Some(c.time),
                    "the time has no offset and the profile names no time zone".into(),
                ));
            }
        };

        // Record type and direction.
        let rt = fields.get(c.record_type);
        let Some((event_type, mut direction)) = self.record_types.get(&rt) else {
            return Err((
                Some(c.record_type),
                if rt.trim().is_empty() {
                    "empty record type".into()
                } else {
                    format!(
                        "unknown record type `{}` (the profile knows {})",
                        rt.trim(),
                        crate::profile::names(self.record_types.keys())
                    )
                },
            ));
        };
        if let Some(i) = c.direction {
            let d = fields.get(i);
            if !d.trim().is_empty() {
                let found = self.directions.get(&d);
                direction = Some(found.ok_or_else(|| {
                    (
                        Some(i),
                        format!(
                            "unknown direction `{}` (the profile knows {})",
                            d.trim(),
                            crate::profile::names(self.directions.keys())
                        ),
                    )
                })?);
            }
        }

        // Identities.
        let text = |i: Option<usize>| i.map(|i| fields.get(i)).filter(|s| !s.trim().is_empty());
        let (imei_t, imsi_t, msisdn_t) = (text(c.imei), text(c.imsi), text(c.msisdn));
        if imei_t.is_none() && imsi_t.is_none() && msisdn_t.is_none() {
            let cols: Vec<&str> = [c.imei, c.imsi, c.msisdn]
                .into_iter()
                .flatten()
                .map(|i| self.names[i].as_str())
                .collect();
            return Err((
                None,
                format!(
                    "no identity: {} all empty",
                    crate::profile::names(cols.into_iter())
                ),
            ));
        }
        let ids = &mut self.ids;
        let imei = imei_t
            .map(|s| ids.imei(s.trim()))
            .transpose()
            .map_err(|e| (c.imei, e))?;
        let imsi = imsi_t
            .map(|s| ids.imsi(s.trim()))
            .transpose()
            .map_err(|e| (c.imsi, e))?;
        // A number `prepare` found in a memo is the memo's answer for exactly this text.
        let (served_known, peer_known) = prepared.map_or((None, None), |p| (p.served, p.peer));
        let msisdn = msisdn_t
            .map(|s| served_known.map_or_else(|| ids.msisdn(s.trim()), Ok))
            .transpose()
            .map_err(|e| (c.msisdn, e))?;
        let peer_t = text(c.peer);
        let peer_msisdn = peer_t
            .as_ref()
            .and_then(|s| peer_known.unwrap_or_else(|| ids.peer(s.trim())));
        let peer_other = match (&peer_t, peer_msisdn) {
            (Some(s), None) => Some(s.trim()),
            _ => None,
        };

        // Cell and radio.
        let cell: Option<CellId> = text(c.cell)
            .map(|s| ids.cell(s.trim()))
            .transpose()
            .map_err(|e| (c.cell, e))?;
        let radio = match text(c.radio) {
            Some(r) => Some(self.radios.get(&r).ok_or_else(|| {
                (
                    c.radio,
                    format!(
                        "unknown radio `{}` (expected 2G, 3G, 4G, 5G, GSM, UMTS, LTE or NR)",
                        r.trim()
                    ),
                )
            })?),
            None => None,
        };
        let duration_s = text(c.duration)
            .map(|s| duration(&s, self.duration_unit, self.decimal_comma))
            .transpose()
            .map_err(|e| (c.duration, e))?;
        let ta = text(c.ta)
            .map(|s| small_uint::<u16>(&s))
            .transpose()
            .map_err(|e| (c.ta, format!("timing advance: {e}")))?;
        let Some(operator) = self.operator.or(cell.map(|c| c.plmn())) else {
            return Err((
                None,
                "no operator: the profile names none and the row has no cell".into(),
            ));
        };
        if event_type == EventType::LocationUpdate || event_type == EventType::Data {
            // Operators leave the direction empty for these; a value would be meaningless.
            direction = direction.filter(|_| event_type == EventType::Data);
        }
        let event = Event {
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
            source_row: line,
        };
        if let Some((earlier, later)) = deferred_fold {
            let mut event = event;
            event.peer_other = peer_other.map(str::to_owned);
            return Ok(Outcome::Deferred(Box::new(Deferred {
                event,
                operator,
                earlier,
                later,
                wall_us: civil.wall_seconds() * 1_000_000 + i64::from(civil.micros),
                line,
                raw: decode(self.encoding, rec).into_owned(),
                field: self.names[c.time].clone(),
                text: time_text.trim().to_owned(),
            })));
        }
        out.push(operator, &event, peer_other);
        Ok(Outcome::Accepted)
    }
}

/// The memo key of a field that is a number as plain digits, with or without a leading `+`
/// (no space to trim, so the parser looks the same text up); `None` for anything else.
#[inline]
fn number_key(field: &[u8]) -> Option<u128> {
    let digits = field.strip_prefix(b"+").unwrap_or(field);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    crate::values::pack(field)
}

/// The reason for quarantining an ambiguous local time.
pub(crate) fn ambiguous_reason(
    c: &Civil,
    zone: &str,
    earlier: i64,
    later: i64,
    why: &str,
) -> String {
    let off = |t: i64| fmt_offset(((c.wall_seconds() * 1_000_000 - t) / 1_000_000) as i32);
    format!(
        "ambiguous local time `{}` in {zone}: it occurs twice ({} then {}) and {why}",
        c.display(),
        off(earlier),
        off(later)
    )
}

#[cfg(test)]
#[path = "row_tests.rs"]
mod tests;
