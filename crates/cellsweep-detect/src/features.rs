//! Presence features per (device, facility), computed with SQL over the event store.
//!
//! The SQL uses only standard operators and built-in functions over Parquet tables (the event
//! parts, and the derived tables written by `tables.rs`), so that the same statements run in
//! process or on a Ballista cluster.
//!
//! Events may arrive twice (in a tower dump and in traffic data): every statement works on
//! distinct (device, time, cell, timing advance, type, direction) tuples.

use cellsweep_query::{Engine, as_f64, as_i64, as_string, as_u64};

use crate::Error;
use crate::identity::PairStat;

/// The distinct (IMEI, IMSI) pairings of the events and their spans.
///
/// A missing identifier is keyed as an unsigned 0, the identifiers' own type: with a plain `0`
/// (a signed integer) the engine widens both to a 128-bit decimal to compare them, which made
/// every statement keyed on identities several times slower.
pub(crate) const PAIRS_SQL: &str = "
SELECT coalesce(imei, CAST(0 AS BIGINT UNSIGNED)) AS imei,
       coalesce(imsi, CAST(0 AS BIGINT UNSIGNED)) AS imsi, min(msisdn) AS msisdn,
       min(CAST(time AS BIGINT)) AS first_us, max(CAST(time AS BIGINT)) AS last_us, count(*) AS n
FROM events
GROUP BY coalesce(imei, CAST(0 AS BIGINT UNSIGNED)), coalesce(imsi, CAST(0 AS BIGINT UNSIGNED))
ORDER BY 1, 2";

/// IMEIs seen within the same ten minutes on cells more than 30 km apart, at least twice.
pub(crate) const DISTANT_SQL: &str = "
SELECT imei FROM (
  SELECT e.imei AS imei, CAST(e.time AS BIGINT) / 600000000 AS bucket,
         max(p.y_km) - min(p.y_km) AS dy, max(p.x_km) - min(p.x_km) AS dx
  FROM events e JOIN cell_pos p ON e.cell = p.cell
  WHERE e.imei IS NOT NULL
  GROUP BY e.imei, CAST(e.time AS BIGINT) / 600000000
) t
WHERE dy > 30.0 OR dx > 30.0
GROUP BY imei HAVING count(*) >= 2
ORDER BY imei";

/// Stage one: the events of every device, without duplicates, counted per (device, cell,
/// timing advance, local day, night, hour class). It reads `batch_events`, the events of a
/// batch of whole UTC days ([`aggregate`]). Hour class: 0 night (22:00–06:00), 1 working
/// hours outside visiting hours (08:00–13:00, 18:00–19:00), 2 visiting hours (13:00–18:00),
/// 3 other. The result is written as the `agg` table, which stage two reads three times
/// (DataFusion does not materialise common table expressions; this does, explicitly).
pub const AGG_SQL: &str = "
SELECT ev.device AS device, ev.cell AS cell, ev.ta AS ta, h.local_day AS local_day, h.night AS night,
       CASE WHEN h.night IS NOT NULL THEN 0
            WHEN h.local_hour >= 13 AND h.local_hour < 18 THEN 2
            WHEN h.local_hour >= 8 AND h.local_hour < 19 THEN 1
            ELSE 3 END AS class,
       count(*) AS n, min(ev.t) AS t_min, max(ev.t) AS t_max
FROM (
  SELECT DISTINCT d.device AS device, CAST(e.time AS BIGINT) AS t, e.cell AS cell, e.ta AS ta,
         e.event_type AS event_type, e.direction AS direction
  FROM batch_events e JOIN pairs_dev d
    ON coalesce(e.imei, CAST(0 AS BIGINT UNSIGNED)) = d.imei
   AND coalesce(e.imsi, CAST(0 AS BIGINT UNSIGNED)) = d.imsi
) ev
JOIN hours h ON h.hour = ev.t / 3600000000
GROUP BY ev.device, ev.cell, ev.ta, h.local_day, h.night,
         CASE WHEN h.night IS NOT NULL THEN 0
              WHEN h.local_hour >= 13 AND h.local_hour < 18 THEN 2
              WHEN h.local_hour >= 8 AND h.local_hour < 19 THEN 1
              ELSE 3 END";

/// Events per stage-one batch: whole UTC days are gathered until a batch holds this many.
/// Measured on the presence benchmark (BENCHMARKS.md, "Presence").
pub const AGG_BATCH_ROWS: u64 = 8_000_000;

/// The event paths of `days` in batches of whole days, each holding at least `batch_rows`
/// events (the last one excepted), in day order: the batches [`aggregate`] runs.
pub fn batches(days: &[cellsweep_store::ScanDay], batch_rows: u64) -> Vec<Vec<std::path::PathBuf>> {
    let mut batches: Vec<Vec<std::path::PathBuf>> = Vec::new();
    let mut rows = u64::MAX;
    for d in days {
        if rows >= batch_rows.max(1) {
            batches.push(Vec::new());
            rows = 0;
        }
        rows += d.rows;
        if let Some(b) = batches.last_mut() {
            b.extend(d.paths.iter().cloned());
        }
    }
    batches
}

/// Runs stage one ([`AGG_SQL`]) over `days`, a batch of whole UTC days at a time (at least
/// `batch_rows` events each, the last one excepted), and writes each batch's rows as a Parquet
/// file under `out`, which then holds the `agg` table. Returns the number of batches.
///
/// The result is the one of a single statement over every event, as stage two reads it:
/// - every duplicate of an event carries the event's time, so it falls in the same UTC day
///   and batch, and each batch's DISTINCT removes exactly the duplicates a global one would;
/// - a (device, cell, timing advance, local day, night, class) group whose local day spans
///   two UTC days of different batches gets one row per batch; stage two only sums counts,
///   counts distinct days and nights and takes minima and maxima over `agg`, which such a
///   split does not change.
///
/// Why batches: the DISTINCT's hash table holds a batch's events, not the whole store's, so
/// it stays a fraction of memory at national scale, and it runs faster.
pub fn aggregate(
    engine: &Engine,
    days: &[cellsweep_store::ScanDay],
    out: &std::path::Path,
    batch_rows: u64,
) -> Result<usize, Error> {
    std::fs::create_dir_all(out).map_err(|source| Error::Io {
        path: out.into(),
        source,
    })?;
    let batches = batches(days, batch_rows);
    let mut written = 0;
    for (i, paths) in batches.iter().enumerate() {
        engine.register_parquet(
            "batch_events",
            paths,
            Some(cellsweep_ingest::event_schema()),
        )?;
        // Rows are written as the engine produces them, while it computes the rest.
        let mut w = None;
        engine.sql_each(AGG_SQL, |b| {
            if b.num_rows() == 0 {
                return Ok::<(), Error>(());
            }
            let w = match &mut w {
                Some(w) => w,
                None => w.insert(crate::tables::writer(
                    &out.join(format!("{i:06}.parquet")),
                    b.schema(),
                )?),
            };
            w.write(&b)
        })?;
        if let Some(w) = w {
            w.close()?;
            written += 1;
        }
    }
    if written == 0 {
        crate::tables::write_batches(
            &out.join("empty.parquet"),
            std::sync::Arc::new(agg_schema()),
            &[],
        )?;
    }
    Ok(batches.len())
}

/// Stage two: features of every (device, facility) where the device was seen on `min_nights`
/// nights or more on cells overlapping the facility. `{min_nights}` and `{far_km2}` are
/// substituted.
pub(crate) const FEATURES_SQL: &str = "
WITH dev AS (
  SELECT device, sum(n) AS n_all, count(DISTINCT local_day) AS days_all
  FROM agg GROUP BY device
),
cov AS (
  SELECT a.device AS device, c.facility AS facility, sum(a.n) AS n_cov, sum(a.n * c.prob) AS prob_sum,
         count(DISTINCT a.night) AS nights, count(DISTINCT a.local_day) AS days,
         min(a.t_min) AS first_us, max(a.t_max) AS last_us,
         sum(CASE WHEN a.class = 0 THEN a.n ELSE 0 END) AS n_night,
         sum(CASE WHEN a.class = 2 THEN a.n ELSE 0 END) AS n_visiting,
         sum(CASE WHEN a.class = 1 OR a.class = 2 THEN a.n ELSE 0 END) AS n_working,
         sum(CASE WHEN a.ta IS NOT NULL THEN a.n ELSE 0 END) AS n_ta,
         sum(CASE WHEN k.ta IS NOT NULL THEN a.n ELSE 0 END) AS n_ta_ok
  FROM agg a JOIN cell_fac c ON a.cell = c.cell
  LEFT JOIN ta_ok k ON k.cell = a.cell AND k.ta = a.ta AND k.facility = c.facility
  GROUP BY a.device, c.facility
),
cand AS (SELECT * FROM cov WHERE nights >= {min_nights}),
dist AS (
  SELECT cand.device AS device, cand.facility AS facility, a.n AS n,
         (p.x_km - f.x_km) * (p.x_km - f.x_km) + (p.y_km - f.y_km) * (p.y_km - f.y_km) AS d2
  FROM cand JOIN agg a ON a.device = cand.device
            JOIN cell_pos p ON a.cell = p.cell
            JOIN fac f ON f.facility = cand.facility
),
far AS (
  SELECT device, facility, sum(CASE WHEN d2 > {far_km2} THEN n ELSE 0 END) AS n_far, max(d2) AS max_d2
  FROM dist GROUP BY device, facility
)
SELECT cand.device, fac.id AS facility, cand.n_cov, cand.prob_sum, cand.nights, cand.days,
       cand.first_us, cand.last_us, cand.n_night, cand.n_visiting, cand.n_working, cand.n_ta,
       cand.n_ta_ok, dev.n_all, dev.days_all,
       coalesce(far.n_far, 0) AS n_far, coalesce(far.max_d2, 0.0) AS max_d2
FROM cand
JOIN fac ON fac.facility = cand.facility
JOIN dev ON dev.device = cand.device
LEFT JOIN far ON far.device = cand.device AND far.facility = cand.facility
ORDER BY cand.device, fac.id";

/// Presence of one device at one facility.
#[derive(Debug, Clone, PartialEq)]
pub struct Presence {
    /// Device: its index in the identity resolution (`pairs_dev.device`).
    pub device: usize,
    /// Facility id.
    pub facility: String,
    /// Events on cells overlapping the facility.
    pub events_covering: u64,
    /// Mean probability, over those events, that the phone was inside (coverage model).
    pub inside_probability: f64,
    /// Distinct nights (local 22:00–06:00) seen on those cells.
    pub nights: u64,
    /// Distinct local days seen on those cells.
    pub days: u64,
    /// First and last event on those cells, µs.
    pub first_us: i64,
    /// Last.
    pub last_us: i64,
    /// Of the covering events: at night, in visiting hours (13–18), in working hours (8–19).
    pub events_night: u64,
    /// Visiting hours.
    pub events_visiting: u64,
    /// Working hours.
    pub events_working: u64,
    /// Covering events with a timing advance, and of those, consistent with the footprint.
    pub events_ta: u64,
    /// Consistent ones.
    pub events_ta_consistent: u64,
    /// All the device's events, and the local days it was seen at all.
    pub events_all: u64,
    /// Days.
    pub days_all: u64,
    /// Events on cells farther than the far distance from the facility, and the farthest (m).
    pub events_far: u64,
    /// Farthest cell, metres.
    pub max_distance_m: f64,
}

pub(crate) fn pairs(engine: &Engine) -> Result<Vec<PairStat>, Error> {
    let b = engine.sql(PAIRS_SQL)?;
    let (imei, imsi, msisdn) = (
        as_u64(&b, "imei")?,
        as_u64(&b, "imsi")?,
        as_u64(&b, "msisdn")?,
    );
    let (first, last, n) = (
        as_i64(&b, "first_us")?,
        as_i64(&b, "last_us")?,
        as_u64(&b, "n")?,
    );
    Ok((0..imei.len())
        .map(|i| PairStat {
            imei: (imei[i] != 0).then_some(imei[i]),
            imsi: (imsi[i] != 0).then_some(imsi[i]),
            msisdn: (msisdn[i] != 0).then_some(msisdn[i]),
            first: first[i],
            last: last[i],
            events: n[i],
        })
        .collect())
}

pub(crate) fn distant(engine: &Engine) -> Result<Vec<u64>, Error> {
    Ok(as_u64(&engine.sql(DISTANT_SQL)?, "imei")?)
}

/// The presence statement with its parameters substituted, as [`presence`] runs it.
pub fn presence_sql(min_nights: u32, far_m: f64) -> String {
    let far_km2 = (far_m / 1_000.0).powi(2);
    FEATURES_SQL
        .replace("{min_nights}", &min_nights.to_string())
        .replace("{far_km2}", &format!("{far_km2:.6}"))
}

/// Presence of every (device, facility) seen on `min_nights` nights or more on the facility's
/// cells; the engine must have the derived tables, `agg` included, registered (see
/// [`crate::register_tables`]).
pub fn presence(engine: &Engine, min_nights: u32, far_m: f64) -> Result<Vec<Presence>, Error> {
    let b = engine.sql(&presence_sql(min_nights, far_m))?;
    let device = as_u64(&b, "device")?;
    let facility = as_string(&b, "facility")?;
    let u = |c: &str| as_u64(&b, c);
    let (
        n_cov,
        nights,
        days,
        n_night,
        n_visiting,
        n_working,
        n_ta,
        n_ta_ok,
        n_all,
        days_all,
        n_far,
    ) = (
        u("n_cov")?,
        u("nights")?,
        u("days")?,
        u("n_night")?,
        u("n_visiting")?,
        u("n_working")?,
        u("n_ta")?,
        u("n_ta_ok")?,
        u("n_all")?,
        u("days_all")?,
        u("n_far")?,
    );
    let (prob_sum, max_d2) = (as_f64(&b, "prob_sum")?, as_f64(&b, "max_d2")?);
    let (first, last) = (as_i64(&b, "first_us")?, as_i64(&b, "last_us")?);
    Ok((0..device.len())
        .map(|i| Presence {
            device: device[i] as usize,
            facility: facility[i].clone(),
            events_covering: n_cov[i],
            inside_probability: prob_sum[i] / n_cov[i].max(1) as f64,
            nights: nights[i],
            days: days[i],
            first_us: first[i],
            last_us: last[i],
            events_night: n_night[i],
            events_visiting: n_visiting[i],
            events_working: n_working[i],
            events_ta: n_ta[i],
            events_ta_consistent: n_ta_ok[i],
            events_all: n_all[i],
            days_all: days_all[i],
            events_far: n_far[i],
            max_distance_m: max_d2[i].max(0.0).sqrt() * 1_000.0,
        })
        .collect())
}

/// The schema of [`AGG_SQL`]'s result, for an empty event store.
pub(crate) fn agg_schema() -> arrow::datatypes::Schema {
    use arrow::datatypes::{DataType, Field, Schema};
    Schema::new(vec![
        Field::new("device", DataType::UInt64, false),
        Field::new("cell", DataType::UInt64, true),
        Field::new("ta", DataType::UInt16, true),
        Field::new("local_day", DataType::Int32, false),
        Field::new("night", DataType::Int32, true),
        Field::new("class", DataType::Int64, false),
        Field::new("n", DataType::Int64, false),
        Field::new("t_min", DataType::Int64, true),
        Field::new("t_max", DataType::Int64, true),
    ])
}
