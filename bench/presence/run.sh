#!/usr/bin/env bash
# Presence benchmark: the presence features per (device, facility) computed by cellsweep
# (Apache DataFusion, in process) against DuckDB running the same SQL on the same Parquet files
# (the workspace's event parts and the derived tables), in the same run, each side twice.
# See BENCHMARKS.md ("Presence").
#
#   bench/presence/run.sh [SCENARIO] [SEED]   default bench/presence/scenario.toml, seed 7
#
# Steps: simulate (Parquet deliveries), ingest into a workspace, run `cellsweep detect` once
# (it writes the derived tables and reports its own stage timings), then time the two presence
# statements (event aggregation, then features) on both engines. cellsweep runs the event
# aggregation in batches of whole UTC days, as `detect` does; DuckDB runs it both ways (one
# statement over every event, and the same batches) and the faster is compared. DuckDB comes from PyPI into target/bench-venv. Everything
# is written under target/bench-presence and removed at the end unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario="${1:-bench/presence/scenario.toml}"
seed="${2:-7}"
dir="target/bench-presence"
mkdir -p "$dir"

# PROFILE=dev measures the debug build (dependencies at opt-level 1, our crates at 2), for a
# quick look without the half-hour release build of DataFusion; BENCHMARKS.md says which.
profile="${PROFILE:-release}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  if [ "$profile" = release ]; then
    cargo build --release --quiet -p cellsweep --bin cellsweep
    cargo build --release --quiet -p cellsweep-detect --example presence_sql
  else
    cargo build --quiet -p cellsweep --bin cellsweep
    cargo build --quiet -p cellsweep-detect --example presence_sql
  fi
fi
dir_profile=$([ "$profile" = release ] && echo release || echo debug)
bin="${CARGO_TARGET_DIR:-target}/$dir_profile/cellsweep"
timer="${CARGO_TARGET_DIR:-target}/$dir_profile/examples/presence_sql"

venv="target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import duckdb' 2>/dev/null || "$venv/bin/pip" install --quiet --disable-pip-version-check duckdb
duckdb_version=$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')

if [ ! -f "$dir/ws/.ready" ]; then
  rm -rf "$dir/sim" "$dir/ws"
  echo "simulating $scenario (seed $seed)"
  "$bin" simulate --scenario "$scenario" --seed "$seed" --out "$dir/sim" > "$dir/sim.out" 2>/dev/null
  "$bin" init "$dir/ws" >/dev/null 2>&1
  for f in operators tac tac-overlay facilities cells ledger allowlist; do
    ext=csv; [ "$f" = facilities ] && ext=geojson
    "$bin" ref import "$dir/ws" --kind "$f" "$dir/sim/reference/$f.$ext" >/dev/null 2>&1
  done
  echo "ingesting"
  "$bin" ingest "$dir/ws" "$dir/sim/operator" > "$dir/ingest.out" 2>/dev/null
  rm -rf "$dir/sim/operator"
  touch "$dir/ws/.ready"
fi
"$bin" detect "$dir/ws" --out "$dir/candidates.csv" > "$dir/detect.out" 2>/dev/null
rows=$("$venv/bin/python" -c "
import sqlite3; c = sqlite3.connect('$dir/ws/catalog.sqlite')
print(c.execute('SELECT sum(rows) FROM event_parts').fetchone()[0])")
echo "event store: $rows events ($(du -sh "$dir/ws/events" | cut -f1) of Parquet)"
sed 's/^/cellsweep detect: /' "$dir/detect.out"

# The two presence statements exactly as cellsweep runs them, and the tables they read.
"$timer" agg-sql > "$dir/agg.sql"
"$timer" sql > "$dir/presence.sql"

batch_rows=$("$timer" batch-rows)

ours=(); theirs=()
for run in 1 2; do
  out=$("$timer" time "$dir/ws")
  ours+=("$(echo "$out" | awk '{print $1}')")
  echo "run $run cellsweep (DataFusion $(echo "$out" | awk '{print $3}')): $(echo "$out" | awk '{print $1}') s, $(echo "$out" | awk '{print $2}') rows; stage one $(echo "$out" | awk '{print $5}') s in $(echo "$out" | awk '{print $4}') batches"

  # DuckDB twice: stage one as one statement over every event, and in the same batches of
  # whole UTC days as cellsweep; the faster of the two is the one compared.
  for mode in whole days; do
    res=$("$venv/bin/python" - "$dir/ws" "$dir/agg.sql" "$dir/presence.sql" "$mode" "$batch_rows" <<'PY'
import sqlite3, sys, time, duckdb
ws, agg_path, sql_path, mode, batch_rows = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
# DuckDB's `/` on integers is a floating-point division; `//` is the integer division that
# DataFusion's `/` performs on BIGINTs.
# DuckDB spells the unsigned 64-bit integer UBIGINT.
agg_sql = open(agg_path).read().replace("CAST(e.time AS BIGINT)", "epoch_us(e.time)").replace(" / 3600000000", " // 3600000000").replace("BIGINT UNSIGNED", "UBIGINT")
sql = open(sql_path).read()
# DuckDB reads a UTC timestamp as TIMESTAMPTZ, which does not CAST to BIGINT: epoch_us is the
# same value (microseconds since the epoch).
sql = sql.replace("CAST(e.time AS BIGINT)", "epoch_us(e.time)").replace("CAST(time AS BIGINT)", "epoch_us(time)")
rows = sqlite3.connect(ws + "/catalog.sqlite").execute("SELECT path, day, rows FROM event_parts ORDER BY day, path").fetchall()
# Batches as `features::aggregate` gathers them: whole UTC days until one holds batch_rows.
batches, n, day = [], batch_rows, None
for path, d, r in rows:
    if d != day and n >= batch_rows:
        batches.append([])
        n = 0
    day = d
    n += r
    batches[-1].append(ws + "/" + path)
if mode == "whole":
    batches = [[p for b in batches for p in b]]
t0 = time.perf_counter()
con = duckdb.connect()
con.execute("SET threads = 2")
run = open(f"{ws}/derived/detect/LATEST").read().strip()
for t in ["cell_pos", "cell_fac", "ta_ok", "hours", "fac", "pairs_dev"]:
    con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{ws}/derived/detect/{run}/{t}.parquet')")
# Stage one materialised, as cellsweep does (DuckDB keeps it in memory).
for i, b in enumerate(batches):
    con.execute(f"CREATE OR REPLACE VIEW batch_events AS SELECT * FROM read_parquet({b!r})")
    con.execute(f"CREATE TEMP TABLE agg AS {agg_sql}" if i == 0 else f"INSERT INTO agg {agg_sql}")
n = len(con.execute(sql).fetchall())
print(f"{time.perf_counter() - t0:.3f} {n} {duckdb.__version__} {len(batches)}")
PY
)
    theirs+=("$(echo "$res" | awk '{print $1}')")
    echo "run $run DuckDB $duckdb_version ($mode, $(echo "$res" | awk '{print $4}') batches): $(echo "$res" | awk '{print $1}') s, $(echo "$res" | awk '{print $2}') rows"
  done
done

best() { printf '%s\n' "$@" | sort -g | head -1; }
o=$(best "${ours[@]}"); t=$(best "${theirs[@]}")
echo "presence over $rows events, best of 2 runs: cellsweep $o s, DuckDB $t s (the faster of its two formulations)"
echo "ratio (DuckDB time / cellsweep time): $(python3 -c "print(f'{$t / $o:.2f}')")x  (target >= 1.0)"

echo "conditions:"
"$timer" conditions 100000

[ "${KEEP:-0}" = 1 ] || rm -rf "$dir/sim" "$dir/ws" "$dir/candidates.csv"
