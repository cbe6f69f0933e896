//! Writes a deterministic `en-comma` delivery (docs/operator-data.md) of N rows, for the ingest
//! benchmark (`bench/ingest/run.sh`) until the simulator writes files of that size.
//!
//! 200,000 subscribers, 5,000 cells (ECGI, NCGI, CGI), time-ordered over about 30 days from
//! 2026-03-01 with the real Europe/Paris offset, and 0.1 % of rows damaged as the simulator
//! damages them (wrong IMEI check digit, truncated IMSI, unreadable time, unknown record type,
//! garbage cell id, missing identity, truncated row).
//!
//! ```sh
//! cargo run --release -p cellsweep-ingest --example generate_en_comma -- 1000000 out.csv
//! ```

#![allow(clippy::print_stderr)]

use std::io::{BufWriter, Write};

const SUBSCRIBERS: u64 = 200_000;
const CELLS: u64 = 5_000;
/// 2026-03-01T00:00:00+01:00 in seconds since the epoch.
const START: i64 = 1_772_319_600;
/// 2026-03-29T01:00:00Z: Europe/Paris switches to +02:00.
const SUMMER: i64 = 1_774_746_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn luhn(d: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &x) in d.iter().enumerate() {
        let mut v = u32::from(x);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 { y + 1 } else { y },
        m,
        d,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
    )
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(out)) = (
        args.first().and_then(|s| s.parse::<u64>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: generate_en_comma ROWS OUT.csv");
        std::process::exit(2);
    };
    let mut w = BufWriter::with_capacity(1 << 22, std::fs::File::create(out)?);
    w.write_all(b"record_id,start_time,record_type,served_msisdn,served_imsi,served_imeisv,other_party,duration,cell_id,rat,timing_advance\n")?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Average step so that n rows span about 30 days.
    let span_ms = 30 * 86_400_000u64;
    let step = (2 * span_ms / n.max(1)).max(1);
    let mut t_ms: u64 = 0;
    let types = ["MOC", "MTC", "SMS-MO", "SMS-MT", "GPRS", "LU"];
    for i in 1..=n {
        t_ms += rng.below(step + 1);
        let t = START + (t_ms / 1000) as i64;
        let off = if t >= SUMMER { 2 } else { 1 };
        let (y, mo, d, h, mi, s) = civil(t + off * 3600);
        let sub = rng.below(SUBSCRIBERS);
        let msisdn = 33_600_000_000 + sub * 7 % 100_000_000;
        let imsi = 208_100_000_000_000 + sub;
        let tac = [35_209_900u64, 86_012_345, 49_015_420][(sub % 3) as usize];
        let serial = sub * 13 % 1_000_000;
        let imei14 = tac * 1_000_000 + serial;
        let svn = sub % 10;
        let cell = rng.below(CELLS);
        let (cell_id, rat) = match cell % 10 {
            0 => (
                format!("208-10-{:04x}-{:04x}", 0x100 + cell / 100, cell),
                "GSM",
            ),
            1 => (format!("208-10-{:09x}", 0x1_0000_0000 + cell), "NR"),
            _ => (
                format!("208-10-{:07x}", 0x45_000 * 256 / 256 * 16 + cell),
                "LTE",
            ),
        };
        let ty = types[rng.below(6) as usize];
        let peer_kind = rng.below(20);
        let other = match (ty, peer_kind) {
            ("GPRS" | "LU", _) => String::new(),
            ("SMS-MT", 0) => "\"SFR INFO\"".to_owned(),
            (_, 1) => "3179".to_owned(),
            _ => format!(
                "{}",
                33_100_000_000 + rng.below(50_000) * 17_981 % 900_000_000
            ),
        };
        let duration = match ty {
            "MOC" | "MTC" => format!("{}", rng.below(600)),
            "GPRS" => format!("{}", rng.below(3600)),
            _ => String::new(),
        };
        let ta = if rat == "LU" || rng.below(3) == 0 {
            String::new()
        } else {
            format!("{}", rng.below(64))
        };
        let mut time = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+0{off}:00");
        let mut imeisv = format!("{imei14:014}{svn:02}");
        let mut imsi_s = format!("{imsi}");
        let mut ty_s = ty.to_owned();
        let mut cell_s = cell_id;
        let mut msisdn_s = format!("{msisdn}");
        let damage = rng.below(1000) == 0;
        if damage {
            match rng.below(7) {
                0 => {
                    let digits: Vec<u8> =
                        format!("{imei14:014}").bytes().map(|b| b - b'0').collect();
                    imeisv = format!("{imei14:014}{}", (luhn(&digits) + 1) % 10);
                }
                1 => imsi_s.truncate(9),
                2 => time = "2026-02-31T25:61:00+01:00".into(),
                3 => ty_s.push_str("_X"),
                4 => cell_s = "208-10-ZZZZ".into(),
                5 => {
                    imeisv.clear();
                    imsi_s.clear();
                    msisdn_s.clear();
                }
                _ => {
                    writeln!(w, "{i},{time},{ty_s},{msisdn_s}")?;
                    continue;
                }
            }
        }
        writeln!(
            w,
            "{i},{time},{ty_s},{msisdn_s},{imsi_s},{imeisv},{other},{duration},{cell_s},{rat},{ta}"
        )?;
    }
    w.flush()
}
