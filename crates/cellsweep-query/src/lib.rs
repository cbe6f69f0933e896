//! Query engine wiring: a DataFusion session in process, or the same SQL on an Apache
//! DataFusion Ballista cluster.
//!
//! Deliberately generic: tables are Parquet files registered under a name, queries are SQL,
//! results are Arrow record batches. No telecom vocabulary lives here; the domain crates
//! (`cellsweep-detect`) write their tables to Parquet and their features as SQL, so that the
//! same plan runs in process or distributed. (In-memory tables and custom functions do not
//! travel to Ballista executors; Parquet files and built-in functions do.)
//!
//! The API is synchronous: the engine owns its Tokio runtime.
//!
//! ```
//! use cellsweep_query::Engine;
//!
//! let engine = Engine::local().unwrap();
//! let batches = engine.sql("SELECT 40 + 2 AS answer").unwrap();
//! assert_eq!(cellsweep_query::as_u64(&batches, "answer").unwrap(), vec![42]);
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int64Type, SchemaRef, UInt64Type};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::context::{SessionConfig, SessionContext};

/// The DataFusion version plans run on (for benchmark reports).
pub const DATAFUSION_VERSION: &str = datafusion::DATAFUSION_VERSION;

/// Errors from the query engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Tokio runtime could not start.
    #[error("cannot start the query runtime")]
    Runtime(#[source] std::io::Error),
    /// A table's files are unusable.
    #[error("cannot register table `{table}`")]
    Register {
        /// Table name.
        table: String,
        /// What DataFusion said.
        #[source]
        source: datafusion::error::DataFusionError,
    },
    /// A query failed.
    #[error("query failed: {query}")]
    Query {
        /// The first line of the query.
        query: String,
        /// What DataFusion said.
        #[source]
        source: datafusion::error::DataFusionError,
    },
    /// A `DATAFUSION_*` environment variable has an invalid value.
    #[error("invalid value in environment variable {variable}")]
    Config {
        /// The variable.
        variable: String,
        /// What DataFusion said.
        #[source]
        source: datafusion::error::DataFusionError,
    },
    /// A result did not have the expected shape (a bug in the caller's SQL).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Where plans run.
enum Mode {
    Local,
    #[cfg(feature = "cluster")]
    Cluster,
}

/// A query session and the runtime driving it.
pub struct Engine {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    mode: Mode,
}

/// The session options: DataFusion's defaults, partitions following the cores available, then
/// any `DATAFUSION_*` environment variable (`DATAFUSION_EXECUTION_BATCH_SIZE=16384` sets
/// `datafusion.execution.batch_size`), so that an operator can tune a deployment without a
/// rebuild.
fn config() -> Result<SessionConfig, Error> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut options = datafusion::config::ConfigOptions::new();
    options.execution.target_partitions = cores;
    options.catalog.information_schema = false;
    apply_env(&mut options, |name| std::env::var_os(name))?;
    Ok(SessionConfig::from(options))
}

/// Sets every option whose variable `var` finds.
fn apply_env(
    options: &mut datafusion::config::ConfigOptions,
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<(), Error> {
    for entry in options.entries() {
        let variable = env_name(&entry.key);
        if let Some(value) = var(&variable) {
            options
                .set(&entry.key, &value.to_string_lossy())
                .map_err(|source| Error::Config { variable, source })?;
        }
    }
    Ok(())
}

/// `datafusion.execution.batch_size` -> `DATAFUSION_EXECUTION_BATCH_SIZE`.
fn env_name(key: &str) -> String {
    key.replace('.', "_").to_ascii_uppercase()
}

/// The session state Ballista plans with: [`config`] without dynamic filter pushdown.
///
/// Ballista 55 plans adaptively: each time a stage completes, the scheduler re-runs the
/// physical optimizer over the rest of the job, DataFusion's `join_selection` included, now
/// with the exact sizes of the finished stages. When those sizes make `join_selection` swap
/// the inputs of a hash join that already carries a dynamic filter (DataFusion builds them
/// in the filter-pushdown pass Ballista runs once, before the first stage), DataFusion
/// refuses ("Cannot swap HashJoinExec inputs after dynamic filters have been constructed").
/// The scheduler only logs that error: the finished task's status is dropped, the job is
/// neither failed nor continued, and the client polls its status forever. Whether a swap is
/// wanted depends on the order in which concurrent stages finish, so multi-join statements
/// hung now and then, more often on a loaded machine.
///
/// Without dynamic filters there is nothing to refuse the swap. They are only an early
/// pruning of scans (a join's probe side, `ORDER BY … LIMIT`, aggregates): results are the
/// same without them. The umbrella option is the one to clear: it is sent to the scheduler
/// along with the per-operator ones, and setting it sets them all.
#[cfg(feature = "cluster")]
fn cluster_state() -> Result<datafusion::execution::SessionState, Error> {
    use datafusion::execution::SessionStateBuilder;
    // Ballista re-plans the remaining stages with the sizes of the finished ones, and with
    // DataFusion 55's defaults that re-planning is not safe for multi-join statements: a join
    // whose sides get swapped or whose mode changes after some stages ran either stalls the
    // job (dynamic filters) or loses rows, so that the detection statement returned nothing in
    // about half the runs. Measured fix (tests/cluster.rs and cellsweep-detect's Ballista
    // test, repeated runs on one cluster): no dynamic filters, no collect-left joins chosen
    // from statistics, no join reordering, and joins planned unpartitioned (the build side is
    // broadcast; the probe side stays partitioned across executors).
    let config = config()?
        .set_bool("datafusion.optimizer.enable_dynamic_filter_pushdown", false)
        .set_u64(
            "datafusion.optimizer.hash_join_single_partition_threshold",
            0,
        )
        .set_u64(
            "datafusion.optimizer.hash_join_single_partition_threshold_rows",
            0,
        )
        .set_bool("datafusion.optimizer.join_reordering", false)
        .set_bool("datafusion.optimizer.repartition_joins", false);
    Ok(SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build())
}

impl Engine {
    /// DataFusion in this process.
    pub fn local() -> Result<Engine, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let ctx = SessionContext::new_with_config(config()?);
        Ok(Engine {
            runtime,
            ctx,
            mode: Mode::Local,
        })
    }

    /// A Ballista cluster started in this process (scheduler and executor), for tests and for
    /// checking that plans distribute.
    ///
    /// Cluster sessions plan without DataFusion's dynamic filters: with them, Ballista's
    /// adaptive re-planning could leave a multi-join job waiting forever.
    #[cfg(feature = "cluster")]
    pub fn standalone_cluster() -> Result<Engine, Error> {
        use ballista::prelude::SessionContextExt;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        // The scheduler plans every job with this state (its configuration included).
        let ctx = runtime
            .block_on(SessionContext::standalone_with_state(cluster_state()?))
            .map_err(|source| Error::Register {
                table: "<cluster>".into(),
                source,
            })?;
        Ok(Engine {
            runtime,
            ctx,
            mode: Mode::Cluster,
        })
    }

    /// A remote Ballista scheduler, e.g. `df://scheduler:50050`, with the same session options
    /// as [`Engine::standalone_cluster`].
    #[cfg(feature = "cluster")]
    pub fn remote(url: &str) -> Result<Engine, Error> {
        use ballista::prelude::SessionContextExt;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let ctx = runtime
            // The session's options travel with each job: the remote scheduler plans with them.
            .block_on(SessionContext::remote_with_state(url, cluster_state()?))
            .map_err(|source| Error::Register {
                table: url.into(),
                source,
            })?;
        Ok(Engine {
            runtime,
            ctx,
            mode: Mode::Cluster,
        })
    }

    /// Whether plans run on a Ballista cluster.
    pub fn is_cluster(&self) -> bool {
        !matches!(self.mode, Mode::Local)
    }

    /// Registers Parquet files (or directories of them) as one table. With `schema`, files are
    /// read with it (and an empty list gives an empty table); without, it is inferred.
    pub fn register_parquet(
        &self,
        table: &str,
        files: &[PathBuf],
        schema: Option<SchemaRef>,
    ) -> Result<(), Error> {
        let err = |source| Error::Register {
            table: table.into(),
            source,
        };
        let urls = files
            .iter()
            .map(|p| ListingTableUrl::parse(absolute(p).to_string_lossy()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let options =
            ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let mut config =
            ListingTableConfig::new_with_multi_paths(urls).with_listing_options(options);
        config = match schema {
            Some(s) => config.with_schema(s),
            None => self
                .runtime
                .block_on(config.infer_schema(&self.ctx.state()))
                .map_err(err)?,
        };
        let provider = ListingTable::try_new(config).map_err(err)?;
        let _ = self.ctx.deregister_table(table);
        self.ctx
            .register_table(table, Arc::new(provider))
            .map_err(err)?;
        Ok(())
    }

    /// Runs one SQL statement and hands each result batch to `each` as the engine produces
    /// it, so that the caller (writing the rows out, say) works while the engine still
    /// computes, and the whole result is never held in memory at once.
    pub fn sql_each<E: From<Error>>(
        &self,
        query: &str,
        mut each: impl FnMut(RecordBatch) -> Result<(), E>,
    ) -> Result<(), E> {
        use futures::StreamExt;
        let err = query_error(query);
        self.runtime.block_on(async {
            let df = self.ctx.sql(query).await.map_err(err)?;
            let mut stream = df.execute_stream().await.map_err(err)?;
            while let Some(batch) = stream.next().await {
                each(batch.map_err(err)?)?;
            }
            Ok::<(), E>(())
        })
    }

    /// Runs one SQL statement and collects its result.
    pub fn sql(&self, query: &str) -> Result<Vec<RecordBatch>, Error> {
        let err = query_error(query);
        self.runtime.block_on(async {
            let df = self.ctx.sql(query).await.map_err(err)?;
            df.collect().await.map_err(err)
        })
    }
}

/// Wraps an engine error with the first line of the statement that failed.
fn query_error(query: &str) -> impl Fn(datafusion::error::DataFusionError) -> Error + Copy + '_ {
    move |source| Error::Query {
        query: query.trim().lines().next().unwrap_or("").to_owned(),
        source,
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Each batch's `column`, cast to `data_type`.
fn cast_column(
    batches: &[RecordBatch],
    column: &str,
    data_type: &DataType,
) -> Result<Vec<arrow::array::ArrayRef>, Error> {
    batches
        .iter()
        .map(|b| {
            let c = b
                .column_by_name(column)
                .ok_or_else(|| Error::Internal(format!("no column `{column}`")))?;
            arrow::compute::cast(c, data_type).map_err(|e| Error::Internal(e.to_string()))
        })
        .collect()
}

/// A primitive column from batches, cast to `T`, nulls replaced by `null`.
fn primitive<T: arrow::datatypes::ArrowPrimitiveType>(
    batches: &[RecordBatch],
    column: &str,
    null: T::Native,
) -> Result<Vec<T::Native>, Error> {
    let mut out = Vec::new();
    for c in cast_column(batches, column, &T::DATA_TYPE)? {
        let a = c.as_primitive::<T>();
        out.extend((0..a.len()).map(|i| if a.is_null(i) { null } else { a.value(i) }));
    }
    Ok(out)
}

/// A column of unsigned integers from batches (any integer type, nulls as 0).
pub fn as_u64(batches: &[RecordBatch], column: &str) -> Result<Vec<u64>, Error> {
    primitive::<UInt64Type>(batches, column, 0)
}

/// A column of signed integers from batches (nulls as 0).
pub fn as_i64(batches: &[RecordBatch], column: &str) -> Result<Vec<i64>, Error> {
    primitive::<Int64Type>(batches, column, 0)
}

/// A column of floats from batches (nulls as NaN).
pub fn as_f64(batches: &[RecordBatch], column: &str) -> Result<Vec<f64>, Error> {
    primitive::<arrow::datatypes::Float64Type>(batches, column, f64::NAN)
}

/// A column of strings from batches (nulls as empty).
pub fn as_string(batches: &[RecordBatch], column: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for c in cast_column(batches, column, &DataType::Utf8)? {
        let a = c.as_string::<i32>();
        out.extend((0..a.len()).map(|i| {
            if a.is_null(i) {
                String::new()
            } else {
                a.value(i).to_owned()
            }
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_variables_set_options_and_bad_values_name_the_variable() {
        let mut options = datafusion::config::ConfigOptions::new();
        apply_env(&mut options, |name| {
            (name == "DATAFUSION_EXECUTION_BATCH_SIZE").then(|| "16384".into())
        })
        .unwrap();
        assert_eq!(usize::from(options.execution.batch_size), 16384);
        let e = apply_env(&mut options, |name| {
            (name == "DATAFUSION_EXECUTION_BATCH_SIZE").then(|| "many".into())
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value in environment variable DATAFUSION_EXECUTION_BATCH_SIZE"
        );
        assert_eq!(usize::from(options.execution.batch_size), 16384);
    }
}
