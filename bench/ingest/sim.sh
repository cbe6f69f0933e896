#!/usr/bin/env bash
# Ingest benchmark on simulator output: `cellsweep simulate` writes bench/ingest/scenario.toml
# (every operator in the `en-comma` CSV layout, about 1.6 x 10^8 rows in 2-million-row files,
# with the simulator's damaged rows), then, twice and alternately with a warm page cache:
#
#   - cellsweep ingest WS <operator's files> --profile en-comma --operator <PLMN>, per operator;
#   - DuckDB (PyPI, target/bench-venv): COPY (SELECT * FROM read_csv('operator/*.csv', ...))
#     TO 'out.parquet' (FORMAT parquet), the same statement as bench/ingest/run.sh.
#
#   bench/ingest/sim.sh [SEED]     default seed 1; needs about 30 GB under target/
#
# SKIP_BUILD=1 uses the release binary already built; KEEP=1 keeps target/bench-ingest-sim.
set -euo pipefail
cd "$(dirname "$0")/../.."
seed="${1:-1}"
dir="target/bench-ingest-sim"
mkdir -p "$dir"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release --quiet -p cellsweep --bin cellsweep
fi
bin="${CARGO_TARGET_DIR:-target}/release/cellsweep"

if [ ! -s "$dir/sim/requests.csv" ]; then
  rm -rf "$dir/sim"
  echo "simulating bench/ingest/scenario.toml (seed $seed) into $dir/sim"
  "$bin" simulate --scenario bench/ingest/scenario.toml --seed "$seed" --out "$dir/sim" >"$dir/simulate.out"
fi
ops=$(ls "$dir/sim/operator" | cut -c1-5 | sort -u)
rows=$(python3 - "$dir/sim/requests.csv" <<'PY'
import csv, sys
print(sum(int(r["rows"]) for r in csv.DictReader(open(sys.argv[1]))))
PY
)
bytes=$(du -sb "$dir/sim/operator" | cut -f1)
echo "deliveries: $(ls "$dir/sim/operator" | wc -l) files, $((bytes / 1000000)) MB, $rows rows"

venv="target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check duckdb
fi
duckdb_version=$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')
cat "$dir"/sim/operator/*.csv > /dev/null

now() { date +%s.%N; }
ours=(); theirs=()
for run in 1 2; do
  rm -rf "$dir/ws" "$dir/duck.parquet"
  "$bin" init "$dir/ws" >/dev/null 2>&1
  : >"$dir/ingest.out"
  t0=$(now)
  for op in $ops; do
    plmn="${op:0:3}-${op:3:2}"
    "$bin" ingest "$dir/ws" "$dir"/sim/operator/"$op"_*.csv --profile en-comma --operator "$plmn" \
      >>"$dir/ingest.out" 2>"$dir/ingest.err"
  done
  t1=$(now)
  ours+=("$(python3 -c "print($rows / ($t1 - $t0))")")
  counts=$(grep -o '[0-9]* = [0-9]* accepted + [0-9]* quarantined' "$dir/ingest.out" |
    awk '{n += $1; a += $3; q += $6} END {print n " rows = " a " accepted + " q " quarantined"}')
  echo "run $run cellsweep ingest: $(python3 -c "print(f'{$t1 - $t0:.1f} s, {$rows / ($t1 - $t0):,.0f} rows/s')") ($counts)"

  t0=$(now)
  "$venv/bin/python" bench/ingest/duckdb_csv.py "$dir/sim/operator/*.csv" "$dir/duck.parquet"
  t1=$(now)
  theirs+=("$(python3 -c "print($rows / ($t1 - $t0))")")
  echo "run $run duckdb $duckdb_version read_csv -> parquet: $(python3 -c "print(f'{$t1 - $t0:.1f} s, {$rows / ($t1 - $t0):,.0f} rows/s')")"
done

python3 bench/ingest/ratio.py "${ours[@]}" "${theirs[@]}"
du -sh "$dir/ws/events" "$dir/duck.parquet" 2>/dev/null || true
if [ "${KEEP:-0}" != 1 ]; then
  rm -rf "$dir"
fi
