//! SQL over registered Parquet tables on the in-process Ballista cluster completes, and gives
//! exactly the in-process results.
//!
//! Every cluster query runs under a time limit, so that a hang fails the test instead of
//! blocking it. Timings go to standard error (`cargo test -- --nocapture` shows them).
#![cfg(feature = "cluster")]
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::util::pretty::pretty_format_batches;
use cellsweep_query::Engine;
use parquet::arrow::ArrowWriter;

/// A query that takes longer than this has hung (the machine has two cores; each query
/// here takes well under a second).
const TIMEOUT: Duration = Duration::from_secs(60);

fn events_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("device", DataType::Utf8, false),
        Field::new("time", DataType::Int64, false),
        Field::new("cell", DataType::Int64, false),
        Field::new("ta", DataType::Int64, true),
    ]))
}

fn cells_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("cell", DataType::Int64, false),
        Field::new("facility", DataType::Utf8, false),
        Field::new("x_km", DataType::Float64, false),
    ]))
}

fn write(path: &Path, batch: &RecordBatch) -> PathBuf {
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
    path.to_path_buf()
}

/// Two event files (deterministic pseudo-random rows) and one cell file.
fn tables(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut events = Vec::new();
    for part in 0..2 {
        let n = 500;
        let mut device = Vec::with_capacity(n);
        let mut time = Vec::with_capacity(n);
        let mut cell = Vec::with_capacity(n);
        let mut ta = Vec::with_capacity(n);
        for _ in 0..n {
            device.push(format!("d{:02}", next() % 23));
            time.push((next() % (10 * 86_400)) as i64 * 1_000_000);
            cell.push((next() % 17) as i64);
            ta.push(if next() % 4 == 0 {
                None
            } else {
                Some((next() % 8) as i64)
            });
        }
        let batch = RecordBatch::try_new(
            events_schema(),
            vec![
                Arc::new(StringArray::from(device)),
                Arc::new(Int64Array::from(time)),
                Arc::new(Int64Array::from(cell)),
                Arc::new(Int64Array::from(ta)),
            ],
        )
        .unwrap();
        events.push(write(&dir.join(format!("events-{part}.parquet")), &batch));
    }
    // Cells 0..15 (16 has no facility: LEFT JOINs see it).
    let cell: Vec<i64> = (0..15).collect();
    let facility: Vec<String> = cell.iter().map(|c| format!("f{}", c % 4)).collect();
    let x: Vec<f64> = cell.iter().map(|&c| c as f64 * 1.5).collect();
    let batch = RecordBatch::try_new(
        cells_schema(),
        vec![
            Arc::new(Int64Array::from(cell)),
            Arc::new(StringArray::from(facility)),
            Arc::new(Float64Array::from(x)),
        ],
    )
    .unwrap();
    let cells = vec![write(&dir.join("cells.parquet"), &batch)];
    (events, cells)
}

const COUNT_SQL: &str = "SELECT count(*) AS n FROM events";

const GROUP_SQL: &str = "
SELECT device, count(*) AS n, min(time) AS first, sum(coalesce(ta, 0)) AS ta_sum
FROM events GROUP BY device ORDER BY device";

const JOIN_SQL: &str = "
SELECT e.device, c.facility, count(*) AS n, count(DISTINCT e.time / 86400000000) AS days,
       max(c.x_km) AS x
FROM events e JOIN cells c ON e.cell = c.cell
GROUP BY e.device, c.facility
ORDER BY e.device, c.facility";

/// Shaped like the detection features: CTEs, DISTINCT, GROUP BY, COUNT(DISTINCT), JOINs,
/// LEFT JOINs, ORDER BY.
const CTE_SQL: &str = "
WITH ev AS (
  SELECT DISTINCT device, time / 1000000 AS t, cell, ta FROM events
),
evd AS (
  SELECT device, t, cell, ta, t / 86400 AS day, (t / 3600) % 24 AS hour FROM ev
),
dev AS (
  SELECT device, count(*) AS n_all, count(DISTINCT day) AS days_all FROM evd GROUP BY device
),
cov AS (
  SELECT evd.device AS device, c.facility AS facility, count(*) AS n_cov,
         count(DISTINCT evd.day) AS days, min(evd.t) AS first_s,
         sum(CASE WHEN evd.hour >= 22 OR evd.hour < 6 THEN 1 ELSE 0 END) AS n_night
  FROM evd JOIN cells c ON evd.cell = c.cell
  GROUP BY evd.device, c.facility
),
cand AS (SELECT * FROM cov WHERE days >= 3),
ta AS (
  SELECT evd.device AS device, c.facility AS facility, count(*) AS n_ta
  FROM evd JOIN cells c ON evd.cell = c.cell
  WHERE evd.ta IS NOT NULL AND evd.ta < 4
  GROUP BY evd.device, c.facility
),
far AS (
  SELECT cand.device AS device, cand.facility AS facility, max(c.x_km) AS max_x,
         sum(CASE WHEN c.x_km > 10.0 THEN 1 ELSE 0 END) AS n_far
  FROM cand JOIN evd ON evd.device = cand.device
            JOIN cells c ON c.cell = evd.cell
  GROUP BY cand.device, cand.facility
)
SELECT cand.device, cand.facility, cand.n_cov, cand.days, cand.first_s, cand.n_night,
       coalesce(ta.n_ta, 0) AS n_ta, dev.n_all, dev.days_all,
       coalesce(far.n_far, 0) AS n_far, coalesce(far.max_x, 0.0) AS max_x
FROM cand
JOIN dev ON dev.device = cand.device
LEFT JOIN ta ON ta.device = cand.device AND ta.facility = cand.facility
LEFT JOIN far ON far.device = cand.device AND far.facility = cand.facility
ORDER BY cand.device, cand.facility";

/// Runs `f` on its own thread and fails the test if it takes longer than [`TIMEOUT`].
fn within_timeout<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not finish within {TIMEOUT:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// Runs every query on both engines and compares the printed results.
#[test]
fn cluster_and_local_agree_on_parquet_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (events, cells) = tables(dir.path());
    let register = |engine: &Engine| {
        engine
            .register_parquet("events", &events, Some(events_schema()))
            .unwrap();
        // Without a schema: inferred from the file.
        engine.register_parquet("cells", &cells, None).unwrap();
    };

    let local = Engine::local().unwrap();
    register(&local);
    let t = Instant::now();
    let cluster = Arc::new(within_timeout("starting the cluster", || {
        Engine::standalone_cluster().unwrap()
    }));
    eprintln!("cluster started in {:?}", t.elapsed());
    assert!(cluster.is_cluster());
    assert!(!local.is_cluster());
    register(&cluster);

    for (name, sql) in [
        ("count", COUNT_SQL),
        ("group", GROUP_SQL),
        ("join", JOIN_SQL),
        ("cte", CTE_SQL),
    ] {
        let t = Instant::now();
        let expected = pretty_format_batches(&local.sql(sql).unwrap())
            .unwrap()
            .to_string();
        let local_time = t.elapsed();
        let engine = Arc::clone(&cluster);
        let t = Instant::now();
        let got = within_timeout(name, move || engine.sql(sql).unwrap());
        eprintln!("{name}: local {local_time:?}, cluster {:?}", t.elapsed());
        let got = pretty_format_batches(&got).unwrap().to_string();
        assert!(expected.lines().count() > 4, "{name}: no rows\n{expected}");
        assert_eq!(expected, got, "{name}: cluster result differs");
    }
    assert_eq!(
        cellsweep_query::as_u64(&cluster.sql(COUNT_SQL).unwrap(), "n").unwrap(),
        vec![1000]
    );
}

/// The dynamic filters that made adaptive re-planning fail (see `cluster_state` in the
/// crate) are not planned on the cluster, while DataFusion plans them in process. This is
/// the deterministic check: the hang itself depended on the order in which stages finished.
#[test]
fn cluster_plans_without_dynamic_filters() {
    let dir = tempfile::tempdir().unwrap();
    let (events, cells) = tables(dir.path());
    fn plan(engine: &Engine, events: &[PathBuf], cells: &[PathBuf]) -> String {
        let sql = "EXPLAIN SELECT e.device, c.facility FROM events e JOIN cells c ON e.cell = c.cell \
                   ORDER BY e.device LIMIT 5";
        engine
            .register_parquet("events", events, Some(events_schema()))
            .unwrap();
        engine
            .register_parquet("cells", cells, Some(cells_schema()))
            .unwrap();
        pretty_format_batches(&engine.sql(sql).unwrap())
            .unwrap()
            .to_string()
    }
    let local = plan(&Engine::local().unwrap(), &events, &cells);
    assert!(
        local.contains("DynamicFilter"),
        "DataFusion no longer plans dynamic filters here:\n{local}"
    );
    let cluster = within_timeout("explain", move || {
        plan(&Engine::standalone_cluster().unwrap(), &events, &cells)
    });
    assert!(cluster.contains("distributed_plan"), "{cluster}");
    assert!(
        !cluster.contains("DynamicFilter"),
        "dynamic filters on the cluster:\n{cluster}"
    );
}

/// The multi-join statement, several times over on two clusters at once (a loaded machine is
/// where adaptive re-planning used to hang), always completes with the in-process result.
#[test]
fn concurrent_clusters_complete_multi_join_statements() {
    let dir = tempfile::tempdir().unwrap();
    let (events, cells) = tables(dir.path());
    let local = Engine::local().unwrap();
    local
        .register_parquet("events", &events, Some(events_schema()))
        .unwrap();
    local
        .register_parquet("cells", &cells, Some(cells_schema()))
        .unwrap();
    let expected = pretty_format_batches(&local.sql(CTE_SQL).unwrap())
        .unwrap()
        .to_string();
    let workers: Vec<_> = (0..2)
        .map(|worker| {
            let (events, cells, expected) = (events.clone(), cells.clone(), expected.clone());
            std::thread::spawn(move || {
                let cluster = Arc::new(within_timeout("starting the cluster", || {
                    Engine::standalone_cluster().unwrap()
                }));
                cluster
                    .register_parquet("events", &events, Some(events_schema()))
                    .unwrap();
                cluster
                    .register_parquet("cells", &cells, Some(cells_schema()))
                    .unwrap();
                for i in 0..4 {
                    let engine = Arc::clone(&cluster);
                    let t = Instant::now();
                    let got = within_timeout("multi-join statement", move || {
                        engine.sql(CTE_SQL).unwrap()
                    });
                    eprintln!("cluster {worker}, run {i}: {:?}", t.elapsed());
                    assert_eq!(pretty_format_batches(&got).unwrap().to_string(), expected);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}
