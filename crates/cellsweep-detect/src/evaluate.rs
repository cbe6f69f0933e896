//! Evaluation of a candidate list against a simulation's truth (`truth/devices.csv`): precision,
//! recall, the precision–recall curve, and false positives by true category.
//!
//! Units are IMEI–IMSI pairings, as both files list them. A candidate row is a true positive
//! when its pairing is contraband in the truth and the facility matches. Recall counts the
//! truth's contraband pairings (those that appear in the deliveries) found at or above the
//! threshold.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::Error;

/// One truth row.
#[derive(Debug, Clone)]
struct Truth {
    category: String,
    contraband: bool,
    facility: String,
}

/// One candidate row.
#[derive(Debug, Clone)]
struct Row {
    pairing: (String, String),
    facility: String,
    probability: f64,
}

/// Precision and recall at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Threshold.
    pub threshold: f64,
    /// Rows at or above it.
    pub listed: usize,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
}

/// The evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// At the requested threshold.
    pub at: Point,
    /// Across thresholds.
    pub curve: Vec<Point>,
    /// False positives at the threshold, by true category (`unknown` when not in the truth).
    pub false_positives: BTreeMap<String, usize>,
    /// Contraband pairings in the truth.
    pub positives: usize,
    /// Allow-listed (official) pairings among the listed rows.
    pub officials_listed: usize,
}

fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let bad = |e: csv::Error| Error::Data(format!("{}: {e}", path.display()));
    let header: Vec<String> = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(bad)?;
        let mut fields: Vec<String> = rec.iter().map(str::to_owned).collect();
        fields.resize(header.len(), String::new());
        rows.push(fields);
    }
    Ok((header, rows))
}

fn col(header: &[String], name: &str, path: &Path) -> Result<usize, Error> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::Missing(format!("`{}` has no `{name}` column", path.display())))
}

/// Evaluates `candidates` against `truth` at `threshold`.
pub fn evaluate(
    truth_path: &Path,
    candidates_path: &Path,
    threshold: f64,
) -> Result<Report, Error> {
    let (th, tr) = read_csv(truth_path)?;
    let (ti, ts, tc, tb, tf) = (
        col(&th, "imei", truth_path)?,
        col(&th, "imsi", truth_path)?,
        col(&th, "category", truth_path)?,
        col(&th, "contraband", truth_path)?,
        col(&th, "facility_id", truth_path)?,
    );
    let truth: HashMap<(String, String), Truth> = tr
        .iter()
        .map(|r| {
            (
                (r[ti].clone(), r[ts].clone()),
                Truth {
                    category: r[tc].clone(),
                    contraband: r[tb] == "true",
                    facility: r[tf].clone(),
                },
            )
        })
        .collect();
    let positives = truth.values().filter(|t| t.contraband).count();
    let (ch, cr) = read_csv(candidates_path)?;
    let (ci, cs, cf, cp) = (
        col(&ch, "imei", candidates_path)?,
        col(&ch, "imsi", candidates_path)?,
        col(&ch, "facility_id", candidates_path)?,
        col(&ch, "probability", candidates_path)?,
    );
    let rows: Vec<Row> = cr
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let probability = r[cp].parse().map_err(|_| {
                Error::Data(format!(
                    "{}: row {}, field `probability`: `{}` is not a number",
                    candidates_path.display(),
                    i + 2,
                    r[cp]
                ))
            })?;
            Ok(Row {
                pairing: (r[ci].clone(), r[cs].clone()),
                facility: r[cf].clone(),
                probability,
            })
        })
        .collect::<Result<_, Error>>()?;
    let point = |t: f64| -> Point {
        let listed: Vec<&Row> = rows.iter().filter(|r| r.probability >= t).collect();
        let hit = |r: &&&Row| {
            truth
                .get(&r.pairing)
                .is_some_and(|x| x.contraband && x.facility == r.facility)
        };
        let tp_rows = listed.iter().filter(hit).count();
        let found: HashSet<&(String, String)> =
            listed.iter().filter(hit).map(|r| &r.pairing).collect();
        Point {
            threshold: t,
            listed: listed.len(),
            precision: if listed.is_empty() {
                1.0
            } else {
                tp_rows as f64 / listed.len() as f64
            },
            recall: if positives == 0 {
                1.0
            } else {
                found.len() as f64 / positives as f64
            },
        }
    };
    let mut false_positives = BTreeMap::new();
    let mut officials_listed = 0;
    for r in rows.iter().filter(|r| r.probability >= threshold) {
        match truth.get(&r.pairing) {
            Some(t) if t.contraband && t.facility == r.facility => {}
            Some(t) => {
                let key = if t.contraband {
                    "inmate (other facility)".to_string()
                } else {
                    t.category.clone()
                };
                *false_positives.entry(key).or_insert(0) += 1;
                officials_listed += usize::from(t.category == "official");
            }
            None => *false_positives.entry("unknown".into()).or_insert(0) += 1,
        }
    }
    let curve = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
        .into_iter()
        .map(point)
        .collect();
    Ok(Report {
        at: point(threshold),
        curve,
        false_positives,
        positives,
        officials_listed,
    })
}
