//! Delivery profiles: the declarative TOML description of an operator's layout.
//!
//! A profile says how to read one layout: for CSV the delimiter, quoting, encoding, header
//! lines, which column holds which canonical field (by header name or 1-based position), the
//! time format and zone with the policy for the autumn's repeated hour, the value maps (record
//! types, directions, radios) and how identifiers are written. For the XML and Parquet formats
//! the reader is built in and the profile only carries the operator and identifier options.
//!
//! The shipped profiles (`profiles/*.toml`, one per simulator layout) are compiled into the
//! binary and known by name; a user's own profile is loaded from a path. docs/ingest.md is the
//! reference.

use std::collections::BTreeMap;
use std::path::Path;

use cellsweep_ids::{CheckDigit, NumberBase, Plmn, Region};
use serde::Deserialize;

use crate::Error;
use crate::schema::{Direction, EventType, Radio};

/// The shipped profiles, by name, as TOML text.
const BUILTIN: &[(&str, &str)] = &[
    (
        "fr-semicolon",
        include_str!("../profiles/fr-semicolon.toml"),
    ),
    ("en-comma", include_str!("../profiles/en-comma.toml")),
    ("etsi-102657", include_str!("../profiles/etsi-102657.toml")),
    (
        "parquet-canonical",
        include_str!("../profiles/parquet-canonical.toml"),
    ),
];

/// Names of the shipped profiles.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// The TOML text of a shipped profile.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Every shipped profile, parsed.
pub fn builtin_profiles() -> Vec<Profile> {
    BUILTIN
        .iter()
        .map(|(n, t)| Profile::from_toml(n, t).expect("shipped profiles are valid"))
        .collect()
}

/// What reads the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Delimited text, read as the profile's `[csv]`, `[time]` and `[columns]` say.
    Csv,
    /// ETSI TS 102 657 retained-data XML.
    #[serde(rename = "etsi-102657")]
    Etsi102657,
    /// Apache Parquet with the documented input schema.
    Parquet,
}

impl Format {
    /// The name used in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Etsi102657 => "etsi-102657",
            Format::Parquet => "parquet",
        }
    }
}

/// A delivery profile as written in TOML.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Name recorded as the file's format in the catalog.
    pub name: String,
    /// One line for humans.
    #[serde(default)]
    pub description: String,
    /// Which reader.
    pub format: Format,
    /// The delivering operator (`208-01`); `--operator` overrides it; without either, the
    /// serving cell's network is used and rows without a cell are quarantined.
    #[serde(default)]
    pub operator: Option<String>,
    /// CSV layout.
    #[serde(default)]
    pub csv: CsvOptions,
    /// Time column and how to read it.
    #[serde(default)]
    pub time: TimeOptions,
    /// Canonical field -> column.
    #[serde(default)]
    pub columns: Columns,
    /// Record-type values -> event type (and direction).
    #[serde(default)]
    pub record_types: BTreeMap<String, RecordTypeSpec>,
    /// Direction values -> `mo` / `mt`.
    #[serde(default)]
    pub directions: BTreeMap<String, String>,
    /// Radio values -> `2g`..`5g`, added to the built-in names (GSM, UMTS, LTE, NR, 2G..5G).
    #[serde(default)]
    pub radios: BTreeMap<String, String>,
    /// Duration unit.
    #[serde(default)]
    pub duration: DurationOptions,
    /// How identifiers are written.
    #[serde(default)]
    pub ids: IdOptions,
}

/// `[csv]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvOptions {
    /// One character; `\t` or `tab` for tab.
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// The quote character, or `""` when fields are never quoted.
    #[serde(default = "default_quote")]
    pub quote: String,
    /// `utf-8`, `windows-1252` or `latin-1` (read as Windows-1252, its superset).
    #[serde(default = "default_encoding")]
    pub encoding: String,
    /// Lines before the header (banners).
    #[serde(default)]
    pub skip_lines: u32,
    /// Whether a header line follows the skipped lines.
    #[serde(default = "yes")]
    pub header: bool,
    /// Decimal numbers use a comma (`1,5`).
    #[serde(default)]
    pub decimal_comma: bool,
}

fn default_delimiter() -> String {
    ",".into()
}
fn default_quote() -> String {
    "\"".into()
}
fn default_encoding() -> String {
    "utf-8".into()
}
fn yes() -> bool {
    true
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            delimiter: default_delimiter(),
            quote: default_quote(),
            encoding: default_encoding(),
            skip_lines: 0,
            header: true,
            decimal_comma: false,
        }
    }
}

/// `[time]`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOptions {
    /// The column holding the event's start.
    #[serde(default)]
    pub column: Option<ColumnRef>,
    /// strftime-style format: `%Y %m %d %H %M %S`, `%f` (fraction), `%z` (offset or `Z`), `%%`.
    #[serde(default)]
    pub format: Option<String>,
    /// IANA zone for times without an offset (`Europe/Paris`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// What to do with a local time that occurs twice (autumn).
    #[serde(default)]
    pub ambiguous: AmbiguousPolicy,
}

/// The policy for local times that occur twice when clocks go back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AmbiguousPolicy {
    /// Quarantine the row.
    #[default]
    Reject,
    /// The first occurrence (the offset before the change, summer time).
    Earlier,
    /// The second occurrence (the offset after the change).
    Later,
    /// The file is in time order: rows before the clock visibly goes back are the first
    /// occurrence, rows after it the second; a repeated hour where the file's order does not
    /// show the change is quarantined.
    FileOrder,
}

impl AmbiguousPolicy {
    /// The name used in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            AmbiguousPolicy::Reject => "reject",
            AmbiguousPolicy::Earlier => "earlier",
            AmbiguousPolicy::Later => "later",
            AmbiguousPolicy::FileOrder => "file-order",
        }
    }
}

/// A column by header name or 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// Header name, matched case-insensitively after trimming.
    Name(String),
    /// 1-based position.
    Position(u32),
}

impl std::fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnRef::Name(n) => write!(f, "`{n}`"),
            ColumnRef::Position(p) => write!(f, "column {p}"),
        }
    }
}

/// `[columns]`: where each canonical field is. Absent fields are null.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// Record type (mapped by `[record_types]`); required.
    pub record_type: Option<ColumnRef>,
    /// Direction (mapped by `[directions]`), when not implied by the record type.
    pub direction: Option<ColumnRef>,
    /// Duration (unit in `[duration]`).
    pub duration: Option<ColumnRef>,
    /// Served party's number.
    pub msisdn: Option<ColumnRef>,
    /// Served party's IMSI.
    pub imsi: Option<ColumnRef>,
    /// Served party's IMEI or IMEISV.
    pub imei: Option<ColumnRef>,
    /// Other party.
    pub peer: Option<ColumnRef>,
    /// Serving cell.
    pub cell: Option<ColumnRef>,
    /// Radio generation.
    pub radio: Option<ColumnRef>,
    /// Timing advance.
    pub ta: Option<ColumnRef>,
}

/// A record-type value: an event type, or an event type and a direction.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RecordTypeSpec {
    /// `APPEL = "call"`.
    Event(String),
    /// `MOC = { event = "call", direction = "mo" }`.
    Full {
        /// Canonical event type.
        event: String,
        /// `mo` or `mt`.
        #[serde(default)]
        direction: Option<String>,
    },
}

/// `[duration]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurationOptions {
    /// `seconds` (default), `minutes` or `hms` (`hh:mm:ss`).
    #[serde(default)]
    pub unit: DurationUnit,
}

/// How durations are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DurationUnit {
    /// Seconds, whole or decimal.
    #[default]
    Seconds,
    /// Minutes, whole or decimal; rounded to the second.
    Minutes,
    /// `h:mm:ss` or `mm:ss`.
    Hms,
}

/// `[ids]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdOptions {
    /// `verify`: a 15th IMEI digit is a Luhn check digit and must match; `spare`: it is the
    /// network's spare digit and must be 0. 14 and 16 (IMEISV) digits are always accepted.
    #[serde(default)]
    pub imei_check: ImeiCheck,
    /// How phone numbers are written.
    #[serde(default)]
    pub msisdn: MsisdnForm,
    /// Region for national numbers; default: `--region`, the workspace's, else FR.
    #[serde(default)]
    pub region: Option<String>,
    /// How cell id fields are read: `auto`, `hex` or `decimal`.
    #[serde(default)]
    pub cell_base: CellBase,
}

impl Default for IdOptions {
    fn default() -> Self {
        Self {
            imei_check: ImeiCheck::Verify,
            msisdn: MsisdnForm::National,
            region: None,
            cell_base: CellBase::Auto,
        }
    }
}

/// The 15th IMEI digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImeiCheck {
    /// Luhn check digit.
    #[default]
    Verify,
    /// Spare digit `0`.
    Spare,
}

/// How phone numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MsisdnForm {
    /// National or international (`06 12…`, `0033 6…`, `+33 6…`), read with the region.
    #[default]
    National,
    /// International digits without `+` (`33612345678`); a leading `+` is accepted.
    International,
    /// E.164 with `+`; values without `+` are read as international digits.
    E164,
}

/// How cell id fields are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellBase {
    /// Guess per field (`cellsweep_ids::NumberBase::Auto`).
    #[default]
    Auto,
    /// Hexadecimal (the TS 103 280 form).
    Hex,
    /// Decimal.
    Decimal,
}

impl CellBase {
    pub(crate) fn number_base(self) -> NumberBase {
        match self {
            CellBase::Auto => NumberBase::Auto,
            CellBase::Hex => NumberBase::Hex,
            CellBase::Decimal => NumberBase::Decimal,
        }
    }
}

impl ImeiCheck {
    pub(crate) fn check_digit(self) -> CheckDigit {
        match self {
            ImeiCheck::Verify => CheckDigit::Verify,
            ImeiCheck::Spare => CheckDigit::Spare,
        }
    }
}

/// Text encodings a profile may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// UTF-8; a byte-order mark is skipped; invalid bytes quarantine the row.
    Utf8,
    /// Windows-1252 (also used for `latin-1`, of which it is a superset for printable text).
    Windows1252,
}

impl Profile {
    /// Parses and checks a profile.
    pub fn from_toml(name: &str, text: &str) -> Result<Profile, Error> {
        let p: Profile = toml::from_str(text).map_err(|e| Error::InvalidProfile {
            name: name.into(),
            reason: e.to_string(),
        })?;
        p.check()?;
        Ok(p)
    }

    /// A shipped profile by name, or a profile file by path.
    pub fn resolve(name_or_path: &str) -> Result<Profile, Error> {
        if let Some(text) = builtin_text(name_or_path) {
            return Profile::from_toml(name_or_path, text);
        }
        let path = Path::new(name_or_path);
        if path.is_file() {
            let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
            return Profile::from_toml(name_or_path, &text);
        }
        Err(Error::UnknownProfile {
            name: name_or_path.into(),
        })
    }

    fn invalid(&self, reason: impl Into<String>) -> Error {
        Error::InvalidProfile {
            name: self.name.clone(),
            reason: reason.into(),
        }
    }

    /// Checks everything that can be checked without a file.
    fn check(&self) -> Result<(), Error> {
        if let Some(op) = &self.operator {
            Plmn::parse(op).map_err(|e| self.invalid(format!("`operator`: {e}")))?;
        }
        if let Some(r) = &self.ids.region {
            Region::parse(r).map_err(|e| self.invalid(format!("`ids.region`: {e}")))?;
        }
        if self.format != Format::Csv {
            return Ok(());
        }
        self.delimiter()?;
        self.quote()?;
        self.encoding()?;
        if self.time.column.is_none() {
            return Err(self.invalid("`time.column` is required for CSV"));
        }
        let Some(format) = &self.time.format else {
            return Err(self.invalid("`time.format` is required for CSV"));
        };
        let tf = crate::time::TimeFormat::compile(format)
            .map_err(|e| self.invalid(format!("`time.format`: {e}")))?;
        match &self.time.time_zone {
            Some(z) => {
                jiff::tz::TimeZone::get(z)
                    .map_err(|e| self.invalid(format!("`time.time_zone` `{z}`: {e}")))?;
            }
            None if !tf.has_offset() => {
                return Err(self.invalid(
                    "`time.format` has no offset (`%z`), so `time.time_zone` is required",
                ));
            }
            None => {}
        }
        if self.columns.record_type.is_none() {
            return Err(self.invalid("`columns.record_type` is required"));
        }
        if self.record_types.is_empty() {
            return Err(self.invalid("`[record_types]` must map at least one value"));
        }
        if self.columns.imei.is_none()
            && self.columns.imsi.is_none()
            && self.columns.msisdn.is_none()
        {
            return Err(self.invalid("at least one of `columns.imei`, `imsi`, `msisdn` is needed"));
        }
        for c in self.column_refs().into_iter().map(|(_, c)| c) {
            if let ColumnRef::Position(0) = c {
                return Err(self.invalid("column positions start at 1"));
            }
            if let ColumnRef::Position(_) = c {
                continue;
            }
            if !self.csv.header {
                return Err(self.invalid(format!(
                    "column {c} is named but `csv.header = false`: use positions"
                )));
            }
        }
        self.record_type_map()?;
        self.direction_map()?;
        self.radio_map()?;
        Ok(())
    }

    /// Every mapped column with its canonical field name, the time first.
    pub(crate) fn column_refs(&self) -> Vec<(&'static str, &ColumnRef)> {
        let c = &self.columns;
        [
            ("time", self.time.column.as_ref()),
            ("record_type", c.record_type.as_ref()),
            ("direction", c.direction.as_ref()),
            ("duration", c.duration.as_ref()),
            ("msisdn", c.msisdn.as_ref()),
            ("imsi", c.imsi.as_ref()),
            ("imei", c.imei.as_ref()),
            ("peer", c.peer.as_ref()),
            ("cell", c.cell.as_ref()),
            ("radio", c.radio.as_ref()),
            ("ta", c.ta.as_ref()),
        ]
        .into_iter()
        .filter_map(|(n, c)| c.map(|c| (n, c)))
        .collect()
    }

    pub(crate) fn delimiter(&self) -> Result<u8, Error> {
        match self.csv.delimiter.as_str() {
            "\\t" | "tab" | "\t" => Ok(b'\t'),
            d if d.len() == 1 && d.is_ascii() && d != "\"" && d != "\n" && d != "\r" => {
                Ok(d.as_bytes()[0])
            }
            d => Err(self.invalid(format!(
                "`csv.delimiter` `{d}` must be one ASCII character (or `tab`)"
            ))),
        }
    }

    pub(crate) fn quote(&self) -> Result<Option<u8>, Error> {
        match self.csv.quote.as_str() {
            "" => Ok(None),
            q if q.len() == 1 && q.is_ascii() && q.as_bytes()[0] != self.delimiter()? => {
                Ok(Some(q.as_bytes()[0]))
            }
            q => Err(self.invalid(format!(
                "`csv.quote` `{q}` must be one ASCII character other than the delimiter, or empty"
            ))),
        }
    }

    pub(crate) fn encoding(&self) -> Result<Encoding, Error> {
        match self.csv.encoding.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" => {
                Ok(Encoding::Windows1252)
            }
            e => Err(self.invalid(format!(
                "`csv.encoding` `{e}`: expected utf-8, windows-1252 or latin-1"
            ))),
        }
    }

    /// Record-type values (trimmed, exact) -> event type and implied direction.
    pub(crate) fn record_type_map(
        &self,
    ) -> Result<Vec<(String, EventType, Option<Direction>)>, Error> {
        let mut out = Vec::new();
        for (value, spec) in &self.record_types {
            let (event, direction) = match spec {
                RecordTypeSpec::Event(e) => (e, None),
                RecordTypeSpec::Full { event, direction } => (event, direction.as_ref()),
            };
            let et = EventType::from_name(event).ok_or_else(|| {
                self.invalid(format!(
                    "record type `{value}`: unknown event type `{event}` (expected one of {})",
                    names(EventType::ALL.iter().map(|e| e.as_str()))
                ))
            })?;
            let dir = direction
                .map(|d| {
                    Direction::from_name(d).ok_or_else(|| {
                        self.invalid(format!(
                            "record type `{value}`: direction `{d}` is not `mo` or `mt`"
                        ))
                    })
                })
                .transpose()?;
            out.push((value.trim().to_owned(), et, dir));
        }
        Ok(out)
    }

    pub(crate) fn direction_map(&self) -> Result<Vec<(String, Direction)>, Error> {
        self.directions
            .iter()
            .map(|(k, v)| {
                Direction::from_name(v)
                    .map(|d| (k.trim().to_owned(), d))
                    .ok_or_else(|| {
                        self.invalid(format!("direction `{k}`: `{v}` is not `mo` or `mt`"))
                    })
            })
            .collect()
    }

    /// Built-in radio names plus the profile's, lower-cased.
    pub(crate) fn radio_map(&self) -> Result<Vec<(String, Radio)>, Error> {
        let mut out: Vec<(String, Radio)> = [
            ("2g", Radio::G2),
            ("gsm", Radio::G2),
            ("geran", Radio::G2),
            ("3g", Radio::G3),
            ("umts", Radio::G3),
            ("utran", Radio::G3),
            ("wcdma", Radio::G3),
            ("4g", Radio::G4),
            ("lte", Radio::G4),
            ("eutran", Radio::G4),
            ("e-utran", Radio::G4),
            ("5g", Radio::G5),
            ("nr", Radio::G5),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (k, v) in &self.radios {
            let r = Radio::from_name(v).ok_or_else(|| {
                self.invalid(format!("radio `{k}`: `{v}` is not one of 2g, 3g, 4g, 5g"))
            })?;
            out.retain(|(n, _)| *n != k.trim().to_ascii_lowercase());
            out.push((k.trim().to_ascii_lowercase(), r));
        }
        Ok(out)
    }

    /// The operator: the override, else the profile's.
    pub(crate) fn operator_plmn(&self, overridden: Option<Plmn>) -> Option<Plmn> {
        overridden.or_else(|| self.operator.as_deref().and_then(|o| Plmn::parse(o).ok()))
    }
}

pub(crate) fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_are_valid() {
        let all = builtin_profiles();
        assert_eq!(all.len(), 4);
        for p in &all {
            assert!(builtin_names().contains(&p.name.as_str()));
        }
    }

    #[test]
    fn profile_mistakes_are_explained() {
        let base = builtin_text("fr-semicolon").unwrap();
        let check = |from: &str, to: &str| {
            Profile::from_toml("t", &base.replace(from, to))
                .unwrap_err()
                .to_string()
        };
        insta::assert_snapshot!(
            [
                check("ambiguous = \"file-order\"", "ambiguous = \"guess\""),
                check("time_zone = \"Europe/Paris\"\n", ""),
                check("APPEL = \"call\"", "APPEL = \"voice\""),
                check("delimiter = \";\"", "delimiter = \";;\""),
                check("encoding = \"windows-1252\"", "encoding = \"ebcdic\""),
                check("[columns]", "[columns]\nbogus = 1"),
            ]
            .join("\n")
        );
    }
}
