#!/usr/bin/env bash
# Detection quality on simulated nations: simulate, import, ingest, detect, evaluate against
# the truth. See BENCHMARKS.md ("Detection quality").
#
#   bench/detect/quality.sh [SCENARIO] [SEED...]     default: regional, seeds 11 12 13
#
# Prints, per seed, the `cellsweep evaluate detect` report at the default threshold, and a
# summary line. Work files go to target/bench-detect/<scenario>-<seed> and are removed unless
# KEEP=1 (a regional run takes about 6 GB while it runs). PROFILE=debug|release (default
# release), SKIP_BUILD=1, BIN (a cellsweep binary to use instead of the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario="${1:-regional}"
shift || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(11 12 13)
profile="${PROFILE:-release}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  if [ "$profile" = release ]; then cargo build --release --quiet -p cellsweep; else cargo build --quiet -p cellsweep; fi
fi
dir_profile=$([ "$profile" = release ] && echo release || echo debug)
bin="${BIN:-${CARGO_TARGET_DIR:-target}/$dir_profile/cellsweep}"
summary=()
for seed in "${seeds[@]}"; do
  name=$(basename "$scenario" .toml)
  dir="target/bench-detect/$name-$seed"
  rm -rf "$dir"
  mkdir -p "$dir"
  t0=$(date +%s)
  "$bin" simulate --scenario "$scenario" --seed "$seed" --out "$dir/sim" > "$dir/sim.out" 2>/dev/null
  "$bin" init "$dir/ws" >/dev/null 2>&1
  for f in operators tac tac-overlay facilities cells ledger allowlist; do
    ext=csv; [ "$f" = facilities ] && ext=geojson
    "$bin" ref import "$dir/ws" --kind "$f" "$dir/sim/reference/$f.$ext" >/dev/null 2>&1
  done
  "$bin" ingest "$dir/ws" "$dir/sim/operator" > "$dir/ingest.out" 2>"$dir/ingest.err"
  rm -rf "$dir/sim/operator"
  t1=$(date +%s)
  "$bin" detect "$dir/ws" --out "$dir/candidates.csv" --scores "$dir/scores.csv" > "$dir/detect.out" 2>"$dir/detect.err"
  t2=$(date +%s)
  "$bin" evaluate detect --truth "$dir/sim/truth/devices.csv" --candidates "$dir/scores.csv" > "$dir/evaluate.out"
  events=$(awk '/^events/ {print $2}' "$dir/sim.out")
  echo "== $name seed $seed: $events events; simulate+ingest $((t1 - t0)) s, detect $((t2 - t1)) s"
  cat "$dir/detect.out" "$dir/evaluate.out"
  p=$(awk '$1 == "precision" {print $2}' "$dir/evaluate.out")
  r=$(awk '$1 == "recall" {print $2}' "$dir/evaluate.out")
  o=$(awk '/^officials/ {print $2}' "$dir/evaluate.out")
  summary+=("$name seed $seed: precision $p recall $r allow-listed listed $o")
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
done
printf '%s\n' "${summary[@]}"
