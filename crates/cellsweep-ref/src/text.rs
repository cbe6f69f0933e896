//! From bytes on disk to text and CSV records, keeping what a quarantine entry needs: the
//! physical line and the raw text of every record.

use std::collections::HashMap;

/// A file's content as text, with how it was decoded.
pub(crate) struct Text {
    pub(crate) text: String,
    /// `None` for UTF-8; the legacy encoding's name otherwise.
    pub(crate) legacy_encoding: Option<&'static str>,
}

/// Decodes UTF-8 (a byte-order mark is dropped) or, when the bytes are not UTF-8, Windows-1252:
/// French operators and administrations still deliver Latin-1 spreadsheets exports, and
/// Windows-1252 is its superset for every printable character.
pub(crate) fn decode(bytes: &[u8]) -> Text {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Text {
            text: s.to_owned(),
            legacy_encoding: None,
        },
        Err(_) => {
            let (cow, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Text {
                text: cow.into_owned(),
                legacy_encoding: Some("windows-1252"),
            }
        }
    }
}

/// One CSV record with where it came from.
pub(crate) struct Record {
    /// 1-based physical line where the record starts.
    pub(crate) line: u64,
    /// The record's text as in the file, without the line terminator.
    pub(crate) raw: String,
    pub(crate) fields: csv::StringRecord,
}

/// A parsed CSV file: header names and records.
pub(crate) struct Table {
    pub(crate) headers: Vec<String>,
    index: HashMap<String, usize>,
    pub(crate) records: Vec<Record>,
    /// Records the CSV parser itself could not read (bad quoting, invalid field counts).
    pub(crate) broken: Vec<(u64, String, String)>,
}

/// Picks the delimiter that splits the header line into the most fields.
pub(crate) fn sniff_delimiter(header_line: &str) -> u8 {
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

impl Table {
    /// Parses `text` as CSV after skipping `skip_lines` leading lines (banners); the next line
    /// is the header. Records with a different field count than the header are kept as broken
    /// rows, not errors, so that one bad row never aborts a file.
    pub(crate) fn parse(text: &str, skip_lines: usize) -> Table {
        let mut offset = 0;
        for _ in 0..skip_lines {
            match text[offset..].find('\n') {
                Some(i) => offset += i + 1,
                None => offset = text.len(),
            }
        }
        let body = &text[offset..];
        let header_line = body.lines().next().unwrap_or("");
        let delimiter = sniff_delimiter(header_line);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(body.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map(|h| h.iter().map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default();
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            // First occurrence wins: Osmocom's header repeats `name` and `gsmarena`.
            index.entry(h.to_ascii_lowercase()).or_insert(i);
        }
        let mut starts = Vec::new();
        let mut results = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let pos = reader.position().clone();
            match reader.read_record(&mut record) {
                Ok(true) => {
                    // The record's own start, past any blank lines the reader skipped.
                    let pos = record.position().cloned().unwrap_or(pos);
                    starts.push((pos.line() + skip_lines as u64, pos.byte() as usize));
                    results.push(Ok(record.clone()));
                }
                Ok(false) => break,
                Err(e) => {
                    starts.push((pos.line() + skip_lines as u64, pos.byte() as usize));
                    results.push(Err(e.to_string()));
                    // The reader resynchronises at the next line; an unterminated quote may
                    // swallow the rest of the file, which then shows up as this one error.
                }
            }
        }
        let mut records = Vec::with_capacity(results.len());
        let mut broken = Vec::new();
        for (i, result) in results.into_iter().enumerate() {
            let (line, start) = starts[i];
            let end = starts.get(i + 1).map_or(body.len(), |s| s.1);
            let slice = &body[start.min(body.len())..end.min(body.len())];
            // The reader reports a record after skipped blank lines as starting at the first
            // blank line; move past them so the line number points at the record itself.
            let body_start = slice.trim_start_matches(['\r', '\n']);
            let line = line
                + slice[..slice.len() - body_start.len()]
                    .matches('\n')
                    .count() as u64;
            let raw = body_start.trim_end_matches(['\r', '\n']).to_owned();
            match result {
                Ok(fields) if fields.len() == headers.len() => {
                    records.push(Record { line, raw, fields })
                }
                Ok(fields) if fields.len() == 1 && fields[0].trim().is_empty() => {
                    // A line of blanks: nothing to keep.
                }
                Ok(fields) => broken.push((
                    line,
                    raw,
                    format!("{} fields, header has {}", fields.len(), headers.len()),
                )),
                Err(e) => broken.push((line, raw, format!("unreadable CSV record: {e}"))),
            }
        }
        Table {
            headers,
            index,
            records,
            broken,
        }
    }

    /// Column index by case-insensitive name, trying each alias in turn.
    pub(crate) fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.index.get(&n.to_ascii_lowercase()).copied())
    }

    /// Whether any of the names is a column.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.index.contains_key(&name.to_ascii_lowercase())
    }
}

/// A trimmed field, `None` when the column is absent or the cell is empty.
pub(crate) fn field(rec: &Record, col: Option<usize>) -> Option<&str> {
    col.and_then(|c| rec.fields.get(c))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_raw_text_survive_quoting_and_banners() {
        let text = "banner line\na;b\n1;\"x\ny\"\n\n2;z\n3\n";
        let t = Table::parse(text, 1);
        assert_eq!(t.headers, ["a", "b"]);
        let got: Vec<_> = t.records.iter().map(|r| (r.line, r.raw.as_str())).collect();
        assert_eq!(got, [(3, "1;\"x\ny\""), (6, "2;z")]);
        assert_eq!(t.broken.len(), 1);
        assert_eq!((t.broken[0].0, t.broken[0].1.as_str()), (7, "3"));
    }

    #[test]
    fn latin1_is_decoded() {
        let t = decode(b"ville\nR\xe9au\n");
        assert_eq!(t.text, "ville\nRéau\n");
        assert_eq!(t.legacy_encoding, Some("windows-1252"));
        let t = decode("\u{feff}ville\nRéau\n".as_bytes());
        assert_eq!(t.text, "ville\nRéau\n");
        assert_eq!(t.legacy_encoding, None);
    }
}
