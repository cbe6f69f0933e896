//! Operator deliveries: tower dumps (every event on the cells covering a facility, one request
//! per operator and week) and traffic data (every event of the identities seen on enough nights
//! in the dumps, one request per operator for the whole period), each in its operator's layout,
//! split into parts, with a share of rows damaged as real files are.

pub(crate) mod parquet;
pub(crate) mod text;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::RngExt;

use crate::Error;
use crate::activity::{Kind, Row};
use crate::clock::Clock;
use crate::local::Frame;
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::world::radio::{Cell, OPERATOR_NAMES, OPERATORS};

/// The ways a row is damaged (docs/operator-data.md, "Deliberately malformed rows").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Damage {
    Truncated,
    BadImeiCheck,
    TruncatedImsi,
    BadTime,
    NonexistentLocalTime,
    UnknownType,
    GarbageCell,
    MissingIdentity,
    BadEncoding,
}

/// A delivery layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LayoutKind {
    Fr,
    En,
    Etsi,
    Parquet,
}

impl LayoutKind {
    pub(crate) fn parse(name: &str) -> LayoutKind {
        match name {
            "fr-semicolon" => LayoutKind::Fr,
            "en-comma" => LayoutKind::En,
            "etsi-102657" => LayoutKind::Etsi,
            _ => LayoutKind::Parquet,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            LayoutKind::Fr => "fr-semicolon",
            LayoutKind::En => "en-comma",
            LayoutKind::Etsi => "etsi-102657",
            LayoutKind::Parquet => "parquet-canonical",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            LayoutKind::Fr | LayoutKind::En => "csv",
            LayoutKind::Etsi => "xml",
            LayoutKind::Parquet => "parquet",
        }
    }

    /// Whether the layout can name a 5G NR cell (otherwise NSA is reported on the LTE anchor).
    pub(crate) fn shows_nr(self) -> bool {
        matches!(self, LayoutKind::En | LayoutKind::Parquet)
    }

    fn damages(self) -> &'static [Damage] {
        use Damage::*;
        match self {
            LayoutKind::Fr => &[
                Truncated,
                BadImeiCheck,
                TruncatedImsi,
                BadTime,
                NonexistentLocalTime,
                UnknownType,
                GarbageCell,
                MissingIdentity,
            ],
            LayoutKind::En => &[
                Truncated,
                TruncatedImsi,
                BadTime,
                UnknownType,
                GarbageCell,
                MissingIdentity,
                BadEncoding,
            ],
            LayoutKind::Etsi => &[
                TruncatedImsi,
                BadTime,
                UnknownType,
                GarbageCell,
                MissingIdentity,
            ],
            LayoutKind::Parquet => &[
                BadImeiCheck,
                TruncatedImsi,
                UnknownType,
                GarbageCell,
                MissingIdentity,
            ],
        }
    }
}

/// What a row writer needs besides the event.
pub(crate) struct RowCtx<'a> {
    pub(crate) cell: &'a Cell,
    /// The cell's canonical (TS 103 280) text.
    pub(crate) cell_text: &'a str,
    /// The cell's decimal text (`fr-semicolon`).
    pub(crate) cell_decimal: &'a str,
    pub(crate) offset: i32,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) label_cp1252: &'a [u8],
    pub(crate) spaced: bool,
    pub(crate) svn: u32,
    pub(crate) spring_day: u32,
    pub(crate) year: i32,
}

/// One line of `requests.csv`: a request and a file that answered it.
#[derive(Debug, Clone)]
pub(crate) struct ManifestRow {
    pub(crate) file: String,
    pub(crate) operator: String,
    pub(crate) layout: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) request: String,
    pub(crate) facility: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) rows: u64,
}

enum Writer {
    Text(BufWriter<File>, Vec<u8>),
    Parquet(Box<parquet::ParquetFile>),
}

struct Part {
    path: PathBuf,
    name: String,
    writer: Writer,
    rows: u64,
}

/// A request's answer: one or more part files.
struct Answer {
    layout: LayoutKind,
    op: usize,
    kind: &'static str,
    request: String,
    from_day: u32,
    to_day: u32,
    part_no: u32,
    part: Option<Part>,
    spaced: bool,
}

/// Per-cell data the writers reuse on every row.
struct CellText {
    lat: f64,
    lon: f64,
    label: Vec<u8>,
    id: String,
    decimal: String,
}

/// All deliveries of one facility.
pub(crate) struct Deliveries<'a> {
    dir: PathBuf,
    layouts: [LayoutKind; 4],
    s: &'a Scenario,
    facility: String,
    cells: &'a [Cell],
    text: Vec<CellText>,
    clock: &'a Clock,
    tower: [Option<Answer>; 4],
    traffic: [Option<Answer>; 4],
    pub(crate) manifest: Vec<ManifestRow>,
    rng: Rng,
    stamp: i64,
    spring: (i32, u32),
}

impl<'a> Deliveries<'a> {
    pub(crate) fn new(
        dir: &Path,
        s: &'a Scenario,
        facility: &str,
        cells: &'a [Cell],
        frame: &Frame,
        clock: &'a Clock,
        rng: Rng,
    ) -> Self {
        let text = cells
            .iter()
            .map(|c| {
                let (lon, lat) = frame.lonlat(c.pos);
                let (label, _, _) = encoding_rs::WINDOWS_1252.encode(&c.label);
                CellText {
                    lat,
                    lon,
                    label: label.into_owned(),
                    id: c.id.to_string(),
                    decimal: text::cell_decimal(&c.id),
                }
            })
            .collect();
        let layouts = [0, 1, 2, 3].map(|i| LayoutKind::parse(&s.delivery.formats[i]));
        let last = clock.days.last().expect("at least one day");
        let year = clock.start.year();
        // Last Sunday of March: Europe's spring change, for the nonexistent-time damage.
        let spring_day = (25..=31)
            .rev()
            .find(|&d| jiff::civil::date(year, 3, d).weekday() == jiff::civil::Weekday::Sunday)
            .unwrap_or(29) as u32;
        Self {
            dir: dir.to_path_buf(),
            layouts,
            s,
            facility: facility.to_owned(),
            cells,
            text,
            clock,
            tower: [None, None, None, None],
            traffic: [None, None, None, None],
            manifest: Vec::new(),
            rng,
            stamp: last.midnight + i64::from(last.len) + 3 * 86_400 + 10 * 3_600,
            spring: (i32::from(year), spring_day),
        }
    }

    fn date(&self, day: u32) -> String {
        self.clock
            .start
            .checked_add(jiff::Span::new().days(i64::from(day)))
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// Closes the last tower dumps.
    pub(crate) fn close_tower_dumps(&mut self) -> Result<(), Error> {
        for op in 0..4 {
            if let Some(a) = self.tower[op].take() {
                self.close(a)?;
            }
        }
        Ok(())
    }

    /// Closes the tower dumps of the week that ended before `day`.
    pub(crate) fn start_day(&mut self, day: u32) -> Result<(), Error> {
        let span = self.s.delivery.tower_dump_days;
        if day.is_multiple_of(span) {
            for op in 0..4 {
                if let Some(a) = self.tower[op].take() {
                    self.close(a)?;
                }
            }
            for op in 0..4 {
                let week = day / span + 1;
                self.tower[op] = Some(self.answer(
                    op,
                    "towerdump",
                    format!("TD-{}-{}-W{week:02}", self.facility, op5(op)),
                    day,
                    (day + span).min(self.s.days) - 1,
                ));
            }
        }
        if day == 0 {
            for op in 0..4 {
                self.traffic[op] = Some(self.answer(
                    op,
                    "traffic",
                    format!("TR-{}-{}", self.facility, op5(op)),
                    0,
                    self.s.days - 1,
                ));
            }
        }
        Ok(())
    }

    fn answer(
        &mut self,
        op: usize,
        kind: &'static str,
        request: String,
        from_day: u32,
        to_day: u32,
    ) -> Answer {
        Answer {
            layout: self.layouts[op],
            op,
            kind,
            request,
            from_day,
            to_day,
            part_no: 0,
            part: None,
            spaced: self.rng.random_bool(0.5),
        }
    }

    /// Writes an event to the tower dump and/or the traffic answer of its operator.
    pub(crate) fn write(
        &mut self,
        ev: &Row,
        day: u32,
        tower: bool,
        traffic: bool,
    ) -> Result<(), Error> {
        let op = usize::from(ev.sim.op);
        if self.layouts[op] == LayoutKind::Etsi && ev.kind == Kind::LocationUpdate {
            // This operator's retained data has no location updates.
            return Ok(());
        }
        for (wanted, which) in [(tower, 0), (traffic, 1)] {
            if !wanted {
                continue;
            }
            let damage = if self.rng.random_bool(self.s.delivery.malformed_share) {
                let d = self.layouts[op].damages();
                Some(d[self.rng.random_range(0..d.len())])
            } else {
                None
            };
            // The answer moves out and back: it is small (a Parquet writer's large state is
            // boxed).
            let slot = if which == 0 {
                &mut self.tower[op]
            } else {
                &mut self.traffic[op]
            };
            let Some(mut a) = slot.take() else { continue };
            let result = self.write_row(&mut a, ev, day, damage);
            if which == 0 {
                self.tower[op] = Some(a);
            } else {
                self.traffic[op] = Some(a);
            }
            result?;
        }
        Ok(())
    }

    fn write_row(
        &mut self,
        a: &mut Answer,
        ev: &Row,
        day: u32,
        damage: Option<Damage>,
    ) -> Result<(), Error> {
        if a.part
            .as_ref()
            .is_some_and(|p| p.rows >= self.s.delivery.rows_per_file)
        {
            let full = a.part.take().expect("checked");
            self.finish_part(a, full)?;
        }
        if a.part.is_none() {
            a.part_no += 1;
            a.part = Some(self.open_part(a)?);
        }
        let part = a.part.as_mut().expect("opened");
        part.rows += 1;
        let t = &self.text[ev.cell as usize];
        let cx = RowCtx {
            cell: &self.cells[ev.cell as usize],
            cell_text: &t.id,
            cell_decimal: &t.decimal,
            offset: self.clock.days[day as usize].offset_at(ev.e),
            lat: t.lat,
            lon: t.lon,
            label_cp1252: &t.label,
            spaced: a.spaced,
            svn: (ev.imei % 7 + 1) as u32,
            spring_day: self.spring.1,
            year: self.spring.0,
        };
        match &mut part.writer {
            Writer::Text(w, buf) => {
                buf.clear();
                match a.layout {
                    LayoutKind::Fr => text::fr_row(buf, ev, &cx, damage),
                    LayoutKind::En => text::en_row(buf, ev, &cx, part.rows, damage),
                    _ => text::etsi_record(buf, ev, &cx, part.rows, damage),
                }
                w.write_all(buf).map_err(|source| Error::Io {
                    path: part.path.clone(),
                    source,
                })?;
            }
            Writer::Parquet(p) => p.row(ev, &cx, damage)?,
        }
        Ok(())
    }

    fn open_part(&self, a: &Answer) -> Result<Part, Error> {
        let name = format!(
            "{}_{}_{}_{:03}.{}",
            op5(a.op),
            a.kind,
            a.request,
            a.part_no,
            a.layout.extension()
        );
        let path = self.dir.join(&name);
        let writer = match a.layout {
            LayoutKind::Parquet => {
                Writer::Parquet(Box::new(parquet::ParquetFile::create(path.clone())?))
            }
            layout => {
                let f = File::create(&path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                let mut w = BufWriter::with_capacity(1 << 20, f);
                let mut head = Vec::new();
                match layout {
                    LayoutKind::Fr => head.extend_from_slice(text::FR_HEADER),
                    LayoutKind::En => head.extend_from_slice(text::EN_HEADER),
                    _ => text::etsi_header(&mut head, &a.request, OPERATOR_NAMES[a.op], self.stamp),
                }
                w.write_all(&head).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                Writer::Text(w, Vec::with_capacity(2_048))
            }
        };
        Ok(Part {
            path,
            name,
            writer,
            rows: 0,
        })
    }

    fn finish_part(&mut self, a: &Answer, part: Part) -> Result<(), Error> {
        match part.writer {
            Writer::Text(mut w, _) => {
                if a.layout == LayoutKind::Etsi {
                    w.write_all(text::ETSI_FOOTER).map_err(|source| Error::Io {
                        path: part.path.clone(),
                        source,
                    })?;
                }
                w.flush().map_err(|source| Error::Io {
                    path: part.path.clone(),
                    source,
                })?;
            }
            Writer::Parquet(p) => p.finish()?,
        }
        self.manifest.push(ManifestRow {
            file: part.name,
            operator: format!("208-{:02}", OPERATORS[a.op].0),
            layout: a.layout.name(),
            kind: a.kind,
            request: a.request.clone(),
            facility: self.facility.clone(),
            from: self.date(a.from_day),
            to: self.date(a.to_day),
            rows: part.rows,
        });
        Ok(())
    }

    fn close(&mut self, mut a: Answer) -> Result<(), Error> {
        if let Some(p) = a.part.take() {
            self.finish_part(&a, p)?;
        }
        Ok(())
    }

    /// Closes every open file.
    pub(crate) fn finish(mut self) -> Result<Vec<ManifestRow>, Error> {
        for op in 0..4 {
            if let Some(a) = self.tower[op].take() {
                self.close(a)?;
            }
            if let Some(a) = self.traffic[op].take() {
                self.close(a)?;
            }
        }
        Ok(self.manifest)
    }
}

fn op5(op: usize) -> String {
    format!("208{:02}", OPERATORS[op].0)
}
