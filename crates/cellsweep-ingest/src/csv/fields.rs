//! Splitting a CSV record into fields and reading them as text: a plain byte split for records
//! without quotes, `csv-core` for the others, decoding in the file's encoding.

use std::borrow::Cow;

use crate::profile::Encoding;

/// A `csv-core` reader built once per parser. Cloning rebuilds it: a cloned `csv_core::Reader`
/// misreads quoted records (its DFA does not survive `Clone`).
#[derive(Debug)]
pub(crate) struct QuotedReader {
    delimiter: u8,
    quote: u8,
    pub(crate) reader: csv_core::Reader,
}

impl QuotedReader {
    pub(crate) fn new(delimiter: u8, quote: u8) -> Self {
        Self {
            delimiter,
            quote,
            reader: csv_core::ReaderBuilder::new()
                .delimiter(delimiter)
                .quote(quote)
                .build(),
        }
    }
}

impl Clone for QuotedReader {
    fn clone(&self) -> Self {
        Self::new(self.delimiter, self.quote)
    }
}

/// Field access with decoding.
pub(crate) struct Fields<'a> {
    pub(crate) base: &'a [u8],
    pub(crate) text: Option<&'a str>,
    pub(crate) ranges: &'a [(usize, usize)],
    pub(crate) encoding: Encoding,
}

impl<'a> Fields<'a> {
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Cow<'a, str> {
        let (s, e) = self.ranges[i];
        // Delimiters are ASCII, so field bounds are character boundaries.
        if let Some(t) = self.text
            && let Some(f) = t.get(s..e)
        {
            return Cow::Borrowed(f);
        }
        decode(self.encoding, &self.base[s..e])
    }
}

/// Splits a record without quotes at every `delimiter`, eight bytes at a time, appending its
/// field ranges (relative to `rec`) to `ranges`; returns whether every byte is ASCII, which
/// spares the caller a UTF-8 pass over most records.
#[inline]
pub(crate) fn split_plain(rec: &[u8], delimiter: u8, ranges: &mut Vec<(usize, usize)>) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = u64::from_ne_bytes([delimiter; 8]);
    let mut start = 0;
    let mut high = 0u64;
    let mut words = rec.chunks_exact(8);
    let mut base = 0;
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        high |= w;
        let x = w ^ pattern;
        // 0x80 in exactly the bytes of `x` that are zero (no carry crosses a byte).
        let mut zero = !((((x & LOW7) + LOW7) | x) | LOW7);
        while zero != 0 {
            let i = base + (zero.trailing_zeros() / 8) as usize;
            ranges.push((start, i));
            start = i + 1;
            zero &= zero - 1;
        }
        base += 8;
    }
    for (j, &b) in words.remainder().iter().enumerate() {
        high |= u64::from(b);
        if b == delimiter {
            ranges.push((start, base + j));
            start = base + j + 1;
        }
    }
    ranges.push((start, rec.len()));
    high & !LOW7 == 0
}

/// Text of bytes in the file's encoding; UTF-8 rows were validated before.
#[inline]
pub(crate) fn decode(encoding: Encoding, b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) if encoding == Encoding::Utf8 || b.is_ascii() => Cow::Borrowed(s),
        _ => match encoding {
            Encoding::Utf8 => String::from_utf8_lossy(b),
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(b).0,
        },
    }
}

/// Splits a quoted record with `csv-core` into `scratch`, recording field ranges.
pub(crate) fn split_quoted(
    rec: &[u8],
    delimiter: u8,
    quote: u8,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<usize>,
    ranges: &mut Vec<(usize, usize)>,
) -> Result<(), String> {
    let mut reader = csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(quote)
        .build();
    split_with(&mut reader, rec, quote, scratch, ends, ranges)
}

/// [`split_quoted`] with a reader built once.
pub(crate) fn split_with(
    reader: &mut csv_core::Reader,
    rec: &[u8],
    quote: u8,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<usize>,
    ranges: &mut Vec<(usize, usize)>,
) -> Result<(), String> {
    scratch.clear();
    scratch.resize(rec.len() + 1, 0);
    if ends.len() < rec.len() + 2 {
        ends.resize(rec.len() + 2, 0);
    }
    let mut input = rec;
    let (mut out_pos, mut end_pos) = (0, 0);
    loop {
        let (result, nin, nout, nend) =
            reader.read_record(input, &mut scratch[out_pos..], &mut ends[end_pos..]);
        input = &input[nin..];
        out_pos += nout;
        end_pos += nend;
        match result {
            csv_core::ReadRecordResult::InputEmpty => {
                if input.is_empty() {
                    // Flush the final record.
                    let (r, _, nout, nend) =
                        reader.read_record(&[], &mut scratch[out_pos..], &mut ends[end_pos..]);
                    out_pos += nout;
                    end_pos += nend;
                    if !matches!(
                        r,
                        csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End
                    ) {
                        return Err("unreadable CSV record (unterminated quote)".into());
                    }
                    break;
                }
            }
            csv_core::ReadRecordResult::OutputFull => {
                let n = scratch.len();
                scratch.resize(n * 2 + 16, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => {
                let n = ends.len();
                ends.resize(n * 2 + 16, 0);
            }
            csv_core::ReadRecordResult::Record => {
                if !input.is_empty() {
                    return Err("unreadable CSV record: a line break inside the record".into());
                }
                break;
            }
            csv_core::ReadRecordResult::End => break,
        }
    }
    // An unbalanced quote leaves csv-core inside a quoted field until the end of input.
    let quotes = memchr::memchr_iter(quote, rec).count();
    if quotes % 2 == 1 {
        return Err("unreadable CSV record: unterminated quoted field".into());
    }
    scratch.truncate(out_pos);
    ranges.clear();
    let mut start = 0;
    for &e in &ends[..end_pos] {
        ranges.push((start, e));
        start = e;
    }
    Ok(())
}
