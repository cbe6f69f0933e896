#!/usr/bin/env bash
# Search-plan quality on simulated nations: simulate, import references, prison records and RF
# logs, ingest, detect, then plan a budget of searches with each combination of evidence and
# evaluate each plan against the truth (expected finds vs a random plan and a perfect-knowledge
# oracle). See BENCHMARKS.md ("Search planning").
#
#   bench/plan/quality.sh SCENARIO SEED [BUDGET]     e.g. regional 41 500
#
# Environment: PROFILE=debug|release (default release), SKIP_BUILD=1, KEEP=1 (keep the work
# directory target/bench-plan/<scenario>-<seed>), PLAN_ARGS (extra `plan`/`evaluate` limits,
# default `--team-capacity 50`), BIN (a cellsweep binary to use instead of the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario="$1"
seed="$2"
budget="${3:-500}"
limits="${PLAN_ARGS:---team-capacity 50}"
profile="${PROFILE:-release}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  if [ "$profile" = release ]; then cargo build --release --quiet -p cellsweep; else cargo build --quiet -p cellsweep; fi
fi
dir_profile=$([ "$profile" = release ] && echo release || echo debug)
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$(pwd)/$target" ;; esac
bin="${BIN:-$target/$dir_profile/cellsweep}"
name=$(basename "$scenario" .toml)
dir="target/bench-plan/$name-$seed"
rm -rf "$dir"
mkdir -p "$dir"
t0=$(date +%s)
"$bin" simulate --scenario "$scenario" --seed "$seed" --out "$dir/sim" > "$dir/sim.out"
"$bin" init "$dir/ws" >/dev/null
for f in operators tac tac-overlay facilities cells ledger allowlist; do
  ext=csv; [ "$f" = facilities ] && ext=geojson
  "$bin" ref import "$dir/ws" --kind "$f" "$dir/sim/reference/$f.$ext" >/dev/null
done
for k in "registry inmates" "phone-authorised phone_authorised" "phone-calls phone_calls" \
         "visits visits" "searches searches"; do
  set -- $k
  "$bin" ref import "$dir/ws" --kind "$1" "$dir/sim/prison/$2.csv" >/dev/null
done
if [ "$(wc -l < "$dir/sim/sensors/rf_detections.csv")" -gt 1 ]; then
  "$bin" ref import "$dir/ws" --kind rf-detections "$dir/sim/sensors/rf_detections.csv" >/dev/null
fi
"$bin" ingest "$dir/ws" "$dir/sim/operator" > "$dir/ingest.out" 2>"$dir/ingest.err"
rm -rf "$dir/sim/operator"
t1=$(date +%s)
"$bin" detect "$dir/ws" --out "$dir/candidates.csv" > "$dir/detect.out" 2>"$dir/detect.err"
t2=$(date +%s)
events=$(awk '/^events/ {print $2}' "$dir/sim.out")
echo "== $name seed $seed: $events events; simulate+import+ingest $((t1 - t0)) s, detect $((t2 - t1)) s; budget $budget ($limits)"
for ev in radio,rf,records,searches radio,records,searches radio,rf,searches radio,searches; do
  t3=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" plan "$dir/ws" --budget "$budget" $limits --evidence "$ev" --out "$dir/plan-$ev.csv" > "$dir/plan-$ev.out"
  t4=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" evaluate plan --truth "$dir/sim/truth/devices.csv" --plan "$dir/plan-$ev.csv" --budget "$budget" $limits > "$dir/eval-$ev.out"
  r=$(awk '/^plan \/ random/ {print $4}' "$dir/eval-$ev.out")
  o=$(awk '/^plan \/ oracle/ {print $4}' "$dir/eval-$ev.out")
  e=$(awk '/^plan expected/ {print $3}' "$dir/eval-$ev.out")
  rnd=$(awk '/^random expected/ {print $3}' "$dir/eval-$ev.out")
  orc=$(awk '/^oracle expected/ {print $3}' "$dir/eval-$ev.out")
  printf '%-28s plan %7s  random %7s  oracle %7s  plan/random %5s  plan/oracle %5s  (plan %s s)\n' \
    "$ev" "$e" "$rnd" "$orc" "$r" "$o" "$((t4 - t3))"
done
[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
