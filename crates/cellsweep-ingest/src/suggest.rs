//! `--suggest-profile`: a TOML profile proposed from a file's header and first rows.
//!
//! It guesses the encoding (UTF-8 when the sample is valid UTF-8, else Windows-1252), the
//! delimiter (the one splitting the header into the most fields), the canonical field of each
//! column by name similarity, the time format from the first values, a decimal comma, and the
//! record-type values seen. The user reviews it: every guess is marked in a comment.

use std::fmt::Write as _;
use std::path::Path;

use crate::Error;
use crate::csv::fields::split_quoted;

/// Canonical fields and the header words that suggest them, most specific first.
const FIELDS: &[(&str, &[&str])] = &[
    (
        "time",
        &[
            "date_heure",
            "start_time",
            "starttime",
            "event_time",
            "datetime",
            "timestamp",
            "date",
            "time",
            "heure",
            "debut",
        ],
    ),
    (
        "record_type",
        &[
            "record_type",
            "type_evt",
            "event_type",
            "type",
            "service",
            "evt",
        ],
    ),
    ("direction", &["direction", "sens", "dir"]),
    ("duration", &["duration", "duree", "dur"]),
    (
        "imei",
        &[
            "imei",
            "imeisv",
            "imei_a",
            "served_imei",
            "served_imeisv",
            "equipment",
        ],
    ),
    ("imsi", &["imsi", "imsi_a", "served_imsi"]),
    (
        "msisdn",
        &[
            "num_a",
            "served_msisdn",
            "msisdn",
            "a_number",
            "calling",
            "numero",
            "number",
            "msisdn_a",
        ],
    ),
    (
        "peer",
        &[
            "num_b",
            "other_party",
            "b_number",
            "called",
            "peer",
            "correspondant",
            "msisdn_b",
        ],
    ),
    (
        "cell",
        &["cgi", "ecgi", "cell_id", "cellid", "cell", "cid", "cellule"],
    ),
    ("radio", &["rat", "techno", "radio", "technology", "tech"]),
    ("ta", &["timing_advance", "ta", "at", "avance"]),
];

/// Candidate time formats, tried in order on the first values.
const TIME_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%f%z",
    "%Y-%m-%d %H:%M:%S%f%z",
    "%Y-%m-%dT%H:%M:%S%f",
    "%Y-%m-%d %H:%M:%S%f",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y%m%d%H%M%S%z",
    "%Y%m%d%H%M%S",
];

/// Proposes a profile for a file.
pub fn suggest_profile(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let mut head = vec![0u8; 256 << 10];
    let mut f = std::fs::File::open(path).map_err(Error::io(path))?;
    let mut n = 0;
    while n < head.len() {
        let k = f.read(&mut head[n..]).map_err(Error::io(path))?;
        if k == 0 {
            break;
        }
        n += k;
    }
    head.truncate(n);
    Ok(suggest_from_bytes(&head, &path.display().to_string()))
}

/// Proposes a profile from the first bytes of a file.
pub fn suggest_from_bytes(head: &[u8], label: &str) -> String {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // Invalid UTF-8 sequences (a cut in the middle of a character at the end of the sample is
    // not one).
    let invalid = {
        let mut n = 0;
        let mut rest = body;
        while let Err(e) = std::str::from_utf8(rest) {
            match e.error_len() {
                Some(len) => {
                    n += 1;
                    rest = &rest[e.valid_up_to() + len..];
                }
                None => break,
            }
        }
        n
    };
    // Damage is rare (a line in many); a legacy encoding shows on most lines with accents.
    let lines_in_sample = body.iter().filter(|b| **b == b'\n').count().max(1);
    let utf8 = invalid == 0 || invalid * 10 < lines_in_sample;
    let text: String = if utf8 {
        String::from_utf8_lossy(body).into_owned()
    } else {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(body)
            .0
            .into_owned()
    };
    let lines: Vec<&str> = text.lines().take(50).collect();
    let header_line = lines.first().copied().unwrap_or("");
    let delimiter = [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let split = |l: &str| -> Vec<String> {
        let (mut s, mut e, mut r) = (Vec::new(), Vec::new(), Vec::new());
        if split_quoted(l.as_bytes(), delimiter, b'"', &mut s, &mut e, &mut r).is_ok() {
            r.iter()
                .map(|&(a, b)| String::from_utf8_lossy(&s[a..b]).trim().to_owned())
                .collect()
        } else {
            l.split(delimiter as char)
                .map(|c| c.trim().to_owned())
                .collect()
        }
    };
    let header = split(header_line);
    let rows: Vec<Vec<String>> = lines
        .iter()
        .skip(1)
        .map(|l| split(l))
        .filter(|r| r.len() == header.len())
        .collect();
    let column = |i: usize| rows.iter().map(move |r| r[i].as_str());

    // Columns by name.
    let mut mapping: Vec<(&str, usize)> = Vec::new();
    for (field, words) in FIELDS {
        let norm = |h: &str| h.to_ascii_lowercase().replace([' ', '-', '.'], "_");
        let pick = words
            .iter()
            .find_map(|w| {
                header
                    .iter()
                    .enumerate()
                    .find(|(i, h)| norm(h) == *w && !mapping.iter().any(|(_, j)| j == i))
                    .map(|(i, _)| i)
            })
            .or_else(|| {
                words.iter().filter(|w| w.len() >= 3).find_map(|w| {
                    header
                        .iter()
                        .enumerate()
                        .find(|(i, h)| norm(h).contains(*w) && !mapping.iter().any(|(_, j)| j == i))
                        .map(|(i, _)| i)
                })
            });
        if let Some(i) = pick {
            mapping.push((field, i));
        }
    }
    let col_of = |f: &str| mapping.iter().find(|(n, _)| *n == f).map(|(_, i)| *i);

    let mut out = String::new();
    let q = |s: &str| toml_string(s);
    let _ = writeln!(
        out,
        "# Profile proposed by `cellsweep ingest --suggest-profile` from {}.",
        label
    );
    let _ = writeln!(
        out,
        "# Every value below is a guess from the header and the first {} rows: check each one.",
        rows.len()
    );
    let _ = writeln!(out, "name = \"my-operator\"");
    let _ = writeln!(out, "description = \"\"");
    let _ = writeln!(out, "format = \"csv\"");
    let _ = writeln!(
        out,
        "# operator = \"208-01\"   # the delivering operator (PLMN); else each row's cell network"
    );
    let _ = writeln!(out, "\n[csv]");
    let delim_text = if delimiter == b'\t' {
        "tab".to_owned()
    } else {
        (delimiter as char).to_string()
    };
    let _ = writeln!(out, "delimiter = {}", q(&delim_text));
    let _ = writeln!(out, "quote = '\"'");
    let _ = writeln!(
        out,
        "encoding = {}",
        q(if utf8 { "utf-8" } else { "windows-1252" })
    );
    let _ = writeln!(out, "skip_lines = 0");
    let _ = writeln!(out, "header = true");
    let decimal_comma = col_of("duration").is_some_and(|i| column(i).any(looks_decimal_comma));
    let _ = writeln!(out, "decimal_comma = {decimal_comma}");

    let _ = writeln!(out, "\n[time]");
    match col_of("time") {
        Some(i) => {
            let _ = writeln!(out, "column = {}", q(&header[i]));
            let samples: Vec<&str> = column(i).filter(|v| !v.is_empty()).take(20).collect();
            let fmt = TIME_FORMATS.iter().find(|f| {
                let tf = crate::time::TimeFormat::compile(f).expect("valid candidate");
                // Most samples, not all: damaged rows exist.
                let ok = samples.iter().filter(|s| tf.parse(s).is_ok()).count();
                !samples.is_empty() && ok * 10 >= samples.len() * 9
            });
            match fmt {
                Some(f) => {
                    let _ = writeln!(out, "format = {}", q(f));
                    if !f.contains("%z") {
                        let _ = writeln!(
                            out,
                            "time_zone = \"Europe/Paris\"   # local times: check the zone"
                        );
                        let _ = writeln!(
                            out,
                            "ambiguous = \"reject\"         # or earlier, later, file-order (time-ordered files)"
                        );
                    }
                }
                None => {
                    let _ = writeln!(
                        out,
                        "format = \"%Y-%m-%d %H:%M:%S\"   # no known format matched {}: write it",
                        samples
                            .first()
                            .map(|s| format!("`{s}`"))
                            .unwrap_or_default()
                    );
                    let _ = writeln!(out, "time_zone = \"Europe/Paris\"");
                }
            }
        }
        None => {
            let _ = writeln!(
                out,
                "column = \"?\"   # no column looks like the event time"
            );
            let _ = writeln!(out, "format = \"%Y-%m-%d %H:%M:%S\"");
            let _ = writeln!(out, "time_zone = \"Europe/Paris\"");
        }
    }

    let _ = writeln!(out, "\n[columns]");
    for (field, _) in FIELDS.iter().skip(1) {
        match col_of(field) {
            Some(i) => {
                let _ = writeln!(out, "{field} = {}", q(&header[i]));
            }
            None => {
                let _ = writeln!(out, "# {field} = \"?\"");
            }
        }
    }
    let unmapped: Vec<&String> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| !mapping.iter().any(|(_, j)| j == i))
        .map(|(_, h)| h)
        .collect();
    if !unmapped.is_empty() {
        let _ = writeln!(
            out,
            "# not mapped: {}",
            unmapped
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let _ = writeln!(
        out,
        "\n[record_types]   # map every value to call, sms, data, location_update, attach, detach"
    );
    if let Some(i) = col_of("record_type") {
        let mut seen: Vec<&str> = Vec::new();
        for v in column(i) {
            if !v.is_empty() && !seen.contains(&v) {
                seen.push(v);
            }
        }
        for v in seen {
            let (event, dir) = guess_event(v);
            match dir {
                Some(d) => {
                    let _ = writeln!(
                        out,
                        "{} = {{ event = \"{event}\", direction = \"{d}\" }}",
                        q(v)
                    );
                }
                None => {
                    let _ = writeln!(out, "{} = \"{event}\"", q(v));
                }
            }
        }
    }
    if let Some(i) = col_of("direction") {
        let _ = writeln!(out, "\n[directions]");
        let mut seen: Vec<&str> = Vec::new();
        for v in column(i) {
            if !v.is_empty() && !seen.contains(&v) {
                seen.push(v);
            }
        }
        for v in seen {
            let l = v.to_ascii_lowercase();
            let d = if ["out", "sortant", "mo", "o", "orig"]
                .iter()
                .any(|w| l.starts_with(w))
            {
                "mo"
            } else {
                "mt"
            };
            let _ = writeln!(out, "{} = \"{d}\"", q(v));
        }
    }
    let _ = writeln!(out, "\n[duration]");
    let _ = writeln!(out, "unit = \"seconds\"   # or minutes, hms");
    let _ = writeln!(out, "\n[ids]");
    let _ = writeln!(
        out,
        "imei_check = \"verify\"   # or spare (15th digit is 0)"
    );
    let intl = col_of("msisdn").is_some_and(|i| {
        column(i)
            .filter(|v| !v.is_empty())
            .all(|v| !v.starts_with('0') && v.len() >= 10)
    });
    let _ = writeln!(
        out,
        "msisdn = {}",
        q(if intl { "international" } else { "national" })
    );
    let hex = col_of("cell").is_some_and(|i| {
        column(i).any(|v| {
            v.bytes()
                .any(|b| b.is_ascii_hexdigit() && b.is_ascii_alphabetic())
        })
    });
    let _ = writeln!(out, "cell_base = {}", q(if hex { "hex" } else { "auto" }));
    out
}

fn looks_decimal_comma(v: &str) -> bool {
    let mut parts = v.split(',');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty() && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()))
}

fn guess_event(v: &str) -> (&'static str, Option<&'static str>) {
    let l = v.to_ascii_lowercase();
    let dir = if l.ends_with("-mo") || l.ends_with("_mo") || l == "moc" {
        Some("mo")
    } else if l.ends_with("-mt") || l.ends_with("_mt") || l == "mtc" {
        Some("mt")
    } else {
        None
    };
    let event = if l.contains("sms") {
        "sms"
    } else if l.contains("data") || l.contains("gprs") || l.contains("pdp") {
        "data"
    } else if l.contains("loc") || l == "lu" {
        "location_update"
    } else {
        "call"
    };
    (event, dir)
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !s.is_empty()
    {
        return out;
    }
    out
}

/// Shortens text for messages.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn proposals_for_both_csv_layouts_load_as_profiles() {
        let fr = "DATE_HEURE;TYPE_EVT;SENS;DUREE;NUM_A;IMSI_A;IMEI_A;NUM_B;CGI;TECHNO;AT;LIBELLE_SITE;LAT;LONG\r\n\
                  01/03/2026 23:15:02;APPEL;SORTANT;1,5;06 12 34 56 78;208011234567890;490154203237518;0033 1 44 55 66 77;208-01-6699-15437;2G;3;R\u{e9}au;48,5975;2,5958\r\n";
        // The operator delivers Windows-1252: `é` is one byte.
        let fr_bytes = encoding_rs::WINDOWS_1252.encode(fr).0.into_owned();
        let s = suggest_from_bytes(&fr_bytes, "fr.csv");
        insta::assert_snapshot!("suggest_fr", s);
        Profile::from_toml("suggested", &s).unwrap();
        let en = "record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance\n\
                  1,2026-03-01T23:15:02+01:00,MOC,33612345678,208101234567890,4901542032375101,33144556677,90,208-10-0045a01,LTE,12\n\
                  2,2026-03-01T23:16:02+01:00,SMS-MT,33612345678,208101234567890,4901542032375101,\"SFR INFO\",,208-10-0045a01,LTE,\n";
        let s = suggest_from_bytes(en.as_bytes(), "en.csv");
        insta::assert_snapshot!("suggest_en", s);
        Profile::from_toml("suggested", &s).unwrap();
    }
}
