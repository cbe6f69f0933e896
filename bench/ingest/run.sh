#!/usr/bin/env bash
# Ingest benchmark: CSV -> workspace (cellsweep ingest) against DuckDB (read_csv -> Parquet) on
# the same file, in the same run, each side twice. See BENCHMARKS.md ("Ingest").
#
#   bench/ingest/run.sh [ROWS]      default 100000000 (about 11.5 GB of CSV; check `df -h`)
#
# The file is the `en-comma` layout (docs/operator-data.md) written by the deterministic
# generator `crates/cellsweep-ingest/examples/generate_en_comma.rs` (0.1 % damaged rows): one
# large file. bench/ingest/sim.sh runs the same comparison on `cellsweep simulate` deliveries
# (hundreds of files of a few MiB). DuckDB comes from PyPI into
# target/bench-venv. Everything is written under target/bench-ingest and removed at the end
# unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-100000000}"
dir="target/bench-ingest"
csv="$dir/en_comma_${rows}.csv"
mkdir -p "$dir"

# SKIP_BUILD=1 uses the release binaries already built (e.g. while another crate is mid-edit).
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release --quiet -p cellsweep --bin cellsweep
  cargo build --release --quiet -p cellsweep-ingest --example generate_en_comma
fi
bin="${CARGO_TARGET_DIR:-target}/release/cellsweep"
gen="${CARGO_TARGET_DIR:-target}/release/examples/generate_en_comma"

if [ ! -s "$csv" ]; then
  echo "generating $rows rows into $csv"
  "$gen" "$rows" "$csv"
fi
bytes=$(stat -c %s "$csv")
echo "file: $csv ($((bytes / 1000000)) MB, $rows rows)"

venv="target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check duckdb
fi
duckdb_version=$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')

# Warm the page cache for both sides alike.
cat "$csv" > /dev/null

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1 / ($3 - $2):,.0f}')"; }

ours=(); theirs=()
for run in 1 2; do
  rm -rf "$dir/ws" "$dir/duck.parquet"
  "$bin" init "$dir/ws" >/dev/null 2>&1
  t0=$(now)
  "$bin" ingest "$dir/ws" "$csv" --profile en-comma >"$dir/ingest.out" 2>"$dir/ingest.err"
  t1=$(now)
  ours+=("$(python3 -c "print($rows / ($t1 - $t0))")")
  echo "run $run cellsweep ingest: $(python3 -c "print(f'{$t1 - $t0:.1f}')") s, $(rate "$rows" "$t0" "$t1") rows/s ($(sed -n 2p "$dir/ingest.out" | xargs))"

  t0=$(now)
  "$venv/bin/python" bench/ingest/duckdb_csv.py "$csv" "$dir/duck.parquet"
  t1=$(now)
  theirs+=("$(python3 -c "print($rows / ($t1 - $t0))")")
  echo "run $run duckdb $duckdb_version read_csv -> parquet: $(python3 -c "print(f'{$t1 - $t0:.1f}')") s, $(rate "$rows" "$t0" "$t1") rows/s"
done

python3 bench/ingest/ratio.py "${ours[@]}" "${theirs[@]}"
du -sh "$dir/ws/events" "$dir/duck.parquet" 2>/dev/null || true
if [ "${KEEP:-0}" != 1 ]; then
  rm -rf "$dir"
fi
