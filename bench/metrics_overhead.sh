#!/usr/bin/env bash
# What metrics cost, head to head (bench/lib/paired.sh): weft-echo against weft-echo
# --admin (weft-admin: metrics served and sampled every second) and, when WEFT_REF_ECHO
# names one, against a weft-echo built without the engine's counters (weft-ref). Each
# pair serves at the same time on one pinned CPU, each driven by its own weft-load.
# A quicker, narrower run than bench/run.sh: it builds no peers.
#
# Usage: bench/metrics_overhead.sh [REPS] [DURATION]   (environment: BUILD_DIR, WEFT_REF_ECHO)
# Prints one line per pair ("msgs/s weft/peer" above 1 means the peer is slower), then
# per scenario the geometric mean and median of peer/weft.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN_DIR=$BUILD_DIR/bin
REPS=${1:-3}
DURATION=${2:-3}
WARMUP=1
THREADS=1
BASELINE=weft
source "$ROOT/bench/lib/measure.sh"
source "$ROOT/bench/lib/servers.sh"
source "$ROOT/bench/lib/paired.sh"

SERVER_PIN=() LOAD_PIN=()
if (($(nproc) >= 2)) && command -v taskset >/dev/null; then SERVER_PIN=(taskset -c 0) LOAD_PIN=(taskset -c 1); fi
LOG_DIR=$BUILD_DIR/bench-run/metrics-$(date +%Y%m%d-%H%M%S)
mkdir -p "$LOG_DIR"
RUNS=$LOG_DIR/runs.jsonl
: >"$RUNS"
trap 'stop_pair' EXIT
trap 'exit 130' INT TERM
ensure_load

peers=(weft-admin)
[[ -n ${WEFT_REF_ECHO:-} ]] && peers+=(weft-ref)
for scenario in 64b-p1 64b-p16; do
  case $scenario in
    64b-p1) args=(--conns 100 --size 64 --pipeline 1) ;;
    64b-p16) args=(--conns 100 --size 64 --pipeline 16) ;;
  esac
  echo "== $scenario"
  for ((rep = 1; rep <= REPS; rep++)); do
    for peer in "${peers[@]}"; do measure_pair "$peer" "$scenario" "$rep" "${args[@]}" || true; done
  done
done
# The figure to quote: per scenario, the geometric mean and the median over the reps of
# peer/weft in messages per second (1.000: no cost; 0.98 is 2 % slower).
python3 - "$RUNS" <<'PY'
import json, math, statistics, sys
ratios = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") != "pair" or r.get("rc") != 0 or r.get("base_rc") != 0:
        continue
    a, b = r["result"].get("msgs_per_s", 0), r["base_result"].get("msgs_per_s", 0)
    if a > 0 and b > 0:
        ratios.setdefault((r["scenario"], r["server"]), []).append(a / b)
for (scenario, peer), v in sorted(ratios.items()):
    g = math.exp(sum(math.log(x) for x in v) / len(v))
    print("%s %s/weft msgs/s: geomean %.3f, median %.3f over %d reps" % (scenario, peer, g, statistics.median(v), len(v)))
PY
echo "records: $RUNS"
