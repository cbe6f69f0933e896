//! Cutting a byte stream into chunks at record boundaries, so that workers can parse chunks
//! independently.
//!
//! Records are lines, except that a line with an odd number of quote characters opens a
//! quoted field that continues on the next lines until the quotes balance (RFC 4180 line
//! breaks inside quotes), for at most [`MAX_RECORD_LINES`] lines; past that the first line is
//! taken alone (and will be quarantined as unreadable), so one stray quote cannot swallow the
//! rest of a file.
//!
//! Fast path: a block with no quote at all, or whose quoted lines all balance, is cut at its
//! last line break and split by workers on line breaks. Only blocks with an unbalanced line
//! pay for the record-by-record scan, which also hands workers the record spans.

/// The longest multi-line record.
pub(crate) const MAX_RECORD_LINES: usize = 64;

/// Where a block was cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cut {
    /// Bytes of the block that form whole records.
    pub(crate) end: usize,
    /// Record spans (without terminators) when some record spans several lines.
    pub(crate) spans: Option<Vec<(usize, usize)>>,
}

/// Cuts `block` (which starts at a record boundary) after its last whole record. With `eof`
/// the whole block is records. `end == 0` without `eof` means more data is needed.
pub(crate) fn cut(block: &[u8], quote: Option<u8>, eof: bool) -> Cut {
    let end = if eof {
        block.len()
    } else {
        memchr::memrchr(b'\n', block).map_or(0, |i| i + 1)
    };
    let Some(q) = quote else {
        return Cut { end, spans: None };
    };
    if balanced_lines(&block[..end], q) {
        return Cut { end, spans: None };
    }
    let (spans, end) = record_spans(block, q, eof);
    Cut {
        end,
        spans: Some(spans),
    }
}

/// Whether every line of `data` that holds a quote holds an even number of them.
fn balanced_lines(data: &[u8], q: u8) -> bool {
    let mut from = 0;
    while let Some(p) = memchr::memchr(q, &data[from..]) {
        let pos = from + p;
        let start = memchr::memrchr(b'\n', &data[..pos]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        if bytecount::count(&data[start..end], q) % 2 == 1 {
            return false;
        }
        from = end;
        if from >= data.len() {
            break;
        }
    }
    true
}

/// The record-by-record scan: spans of whole records and where the last one ends.
pub fn record_spans(block: &[u8], q: u8, eof: bool) -> (Vec<(usize, usize)>, usize) {
    let mut spans = Vec::new();
    let n = block.len();
    let mut i = 0;
    'records: while i < n {
        let mut j = i;
        let mut quotes = 0;
        let mut lines = 0;
        loop {
            match memchr::memchr(b'\n', &block[j..]) {
                Some(k) => {
                    let le = j + k;
                    quotes += bytecount::count(&block[j..le], q);
                    lines += 1;
                    if quotes % 2 == 0 {
                        spans.push((i, le));
                        i = le + 1;
                        continue 'records;
                    }
                    if lines >= MAX_RECORD_LINES {
                        let first = i + memchr::memchr(b'\n', &block[i..]).unwrap_or(n - i);
                        spans.push((i, first));
                        i = first + 1;
                        continue 'records;
                    }
                    j = le + 1;
                }
                None if eof => {
                    if quotes % 2 == 0 || lines == 0 {
                        spans.push((i, n));
                        i = n;
                    } else {
                        // The file ends inside a quote: the first line alone, then go on.
                        let first = i + memchr::memchr(b'\n', &block[i..]).unwrap_or(n - i);
                        spans.push((i, first));
                        i = (first + 1).min(n);
                    }
                    continue 'records;
                }
                None => return (spans, i),
            }
        }
    }
    (spans, n.min(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_and_quoted_line_breaks() {
        let b = b"a,b\nc,\"d\"\ne,f";
        assert_eq!(
            cut(b, Some(b'"'), false),
            Cut {
                end: 10,
                spans: None
            }
        );
        assert_eq!(
            cut(b, Some(b'"'), true),
            Cut {
                end: 13,
                spans: None
            }
        );
        let b = b"1,\"x\ny\"\n2,z\n3,\"open";
        let c = cut(b, Some(b'"'), false);
        assert_eq!(c.spans.as_deref(), Some(&[(0, 7), (8, 11)][..]));
        assert_eq!(c.end, 12);
        let c = cut(b, Some(b'"'), true);
        assert_eq!(c.spans.as_deref(), Some(&[(0, 7), (8, 11), (12, 19)][..]));
    }

    #[test]
    fn a_stray_quote_swallows_at_most_a_few_lines() {
        let mut b = b"1,\"stray\n".to_vec();
        for i in 0..100 {
            b.extend_from_slice(format!("{i},x\n").as_bytes());
        }
        let (spans, end) = record_spans(&b, b'"', false);
        assert_eq!(end, b.len());
        assert_eq!(spans.len(), 101);
        assert_eq!(spans[0], (0, 8));
    }
}
