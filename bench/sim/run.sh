#!/usr/bin/env bash
# Simulator speed: events generated per second, with every delivery written as Parquet.
# Usage: bench/sim/run.sh [SCENARIO] [SEED]   (default: bench/sim/scenario.toml, seed 1)
# Prints events, wall time, events/s and peak memory. SKIP_BUILD=1 and BIN (a release binary)
# reuse a build.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario="${1:-bench/sim/scenario.toml}"
seed="${2:-1}"
[ "${SKIP_BUILD:-0}" = 1 ] || cargo build --release --quiet -p cellsweep
bin="${BIN:-${CARGO_TARGET_DIR:-target}/release/cellsweep}"
out="$(mktemp -d)/sim"
trap 'rm -rf "$(dirname "$out")"' EXIT
start=$(date +%s.%N)
"$bin" simulate --scenario "$scenario" --seed "$seed" --out "$out" > "$out.report" 2>/dev/null &
pid=$!
peak=0
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
  sleep 0.2
done
wait "$pid"
end=$(date +%s.%N)
events=$(awk '/^events/ {print $2}' "$out.report")
secs=$(echo "$end - $start" | bc -l)
bytes=$(du -sb "$out/operator" | cut -f1)
printf 'scenario      %s (seed %s)\n' "$scenario" "$seed"
printf 'events        %s\n' "$events"
printf 'wall          %.1f s\n' "$secs"
printf 'rate          %.2f M events/s\n' "$(echo "$events / $secs / 1000000" | bc -l)"
printf 'peak RSS      %d MiB\n' $((peak / 1024))
printf 'deliveries    %d MiB\n' $((bytes / 1048576))
cat "$out.report"
