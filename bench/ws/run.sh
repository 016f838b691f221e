#!/usr/bin/env bash
# WebSocket echo, head to head: weft-http's /ws (callback API, one loop) against Node's `ws`
# and Python's `websockets` (asyncio), 64 B and 16 KiB binary messages. Target: at least 2x
# the best peer in messages per second.
#
#   bench/ws/run.sh [--quick] [--reps N] [--duration S] [--warmup S] [--servers node,python]
#                   [--sizes 64,16384] [--conns N] [--pipeline P]
#
# Each pair serves at the same time: both servers pinned to one CPU, each driven by its own
# bench/peers/ws_load (N connections, P masked binary messages in flight on each, every
# echo checked byte for byte) pinned to the other, started together; the start order
# alternates between repetitions, so the ratio holds while the machine's speed drifts. No
# permessage-deflate anywhere: ws_load does not offer it and both peers are configured
# without it. Two ratios: messages per second, weft over the peer, and each server's CPU
# time per message (/proc/PID/stat over the measured window), the peer's over weft's. Prints
# one line per run and the medians; writes bench/results/ws.md (OUT to write elsewhere).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/ws
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
PEER_DIR=$BUILD_DIR/bench-peers
NODE_DIR=${WEFT_NODE_DIR:-$BUILD_DIR/node}
OUT=${OUT:-$ROOT/bench/results/ws.md}
WEFT_HTTP=$BUILD_DIR/bin/weft-http
source "$ROOT/bench/lib/busy.sh"
source "$ROOT/bench/lib/args.sh"

usage() {
  cat <<'USAGE'
usage: bench/ws/run.sh [options]
  --quick          1 rep of 2 s runs (about half a minute)
  --reps N         repetitions (default 3)
  --duration S     measured seconds per run (default 5)
  --warmup S       unrecorded seconds of load before each (default 1)
  --servers a,b    peers: node, python (default: both)
  --sizes a,b      message sizes in bytes (default 64,16384)
  --conns N        connections per load (default 100)
  --pipeline P     messages in flight per connection (default 1)
  --cpu-cap PCT    cap each server to PCT% of its CPU (a cgroup quota), so that the
                   servers, not a load generator, set the pace (default: none)
USAGE
}

REPS=3 DURATION=5 WARMUP=1 SERVERS=node,python SIZES=64,16384 CONNS=100 PIPELINE=1 CPU_CAP=
while (($#)); do
  case $1 in
    --reps | --duration | --warmup | --servers | --sizes | --conns | --pipeline | --cpu-cap)
      (($# >= 2)) || { echo "run.sh: $1 needs a value" >&2; exit 2; } ;;&
    --quick) REPS=1 DURATION=2 ;;
    --reps) REPS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --pipeline) PIPELINE=$2; shift ;;
    --cpu-cap) CPU_CAP=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
positive --reps "$REPS" int
positive --duration "$DURATION"
positive --warmup "$WARMUP"
positive --conns "$CONNS" int
positive --pipeline "$PIPELINE" int
IFS=, read -ra PEERS <<<"$SERVERS"
IFS=, read -ra SIZE_LIST <<<"$SIZES"
for s in "${SIZE_LIST[@]}"; do positive --sizes "$s" int; done

[[ -x $WEFT_HTTP ]] || cmake --build "$BUILD_DIR" --target weft-http >/dev/null
cmake -S "$ROOT/bench/peers" -B "$PEER_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$PEER_DIR" --target ws_load >/dev/null
ACTIVE=()
for peer in "${PEERS[@]}"; do
  case $peer in
    node)
      if ! command -v node >/dev/null; then echo "skip node: node is missing"
      elif [[ ! -f $NODE_DIR/node_modules/ws/package.json ]]; then
        echo "skip node: no ws module under $NODE_DIR (scripts/ensure-node-module.sh $NODE_DIR ws)"
      else ACTIVE+=(node); fi ;;
    python)
      if /usr/bin/python3 -c 'import websockets' 2>/dev/null; then ACTIVE+=(python)
      else echo "skip python: no websockets module (apt: python3-websockets)"; fi ;;
    *) echo "run.sh: unknown server $peer (known: node, python)" >&2; exit 2 ;;
  esac
done
((${#ACTIVE[@]})) || { echo "run.sh: no peer to compare with" >&2; exit 1; }

CPUS=$(nproc)
SERVER_CPU=0
LOAD_CPU=$((CPUS > 1 ? 1 : 0))
PIDS=()
source "$ROOT/bench/lib/cpu_cap.sh"
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  uncap_all
}
trap cleanup EXIT
LOG=$BUILD_DIR/bench-ws/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$LOG" "$(dirname "$OUT")"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# field FILE NAME: a number from ws_load's one-line JSON record.
field() { sed -nE "s/.*\"$2\": (-?[0-9.]+).*/\1/p" "$1" 2>/dev/null; }

# start NAME PORT: starts NAME pinned to the server CPU, waits until it listens; sets PID.
start() {
  local name=$1 port=$2
  case $name in
    weft) exec taskset -c $SERVER_CPU "$WEFT_HTTP" --quiet --loops 1 --addr "tcp://127.0.0.1:$port" ;;
    node) NODE_PATH=$NODE_DIR/node_modules exec taskset -c $SERVER_CPU node "$HERE/node_ws.js" "$port" ;;
    python) exec taskset -c $SERVER_CPU /usr/bin/python3 "$HERE/python_ws.py" "$port" ;;
  esac >>"$LOG/$name.log" 2>&1 &  # exec: PID is the server's own (its CPU time is read)
  PID=$!
  PIDS+=("$PID")
  local i
  for ((i = 0; i < 500; i++)); do
    port_open "$port" && { cap_cpu "$PID" || true; return 0; }
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.02
  done
  echo "run.sh: $name did not start (see $LOG/$name.log)" >&2
  return 1
}

BUSY=$(busy_pct)
((BUSY <= 10)) || echo "warning: the machine was ${BUSY}% busy before the run: figures will be noisy" >&2

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "?" }'; }
declare -A ROWS  # size.peer -> "weft_rate peer_rate rate_ratio weft_us peer_us cpu_ratio|..."
FAILED=0
for ((rep = 1; rep <= REPS; rep++)); do
  for size in "${SIZE_LIST[@]}"; do
    for peer in "${ACTIVE[@]}"; do
      order=(weft "$peer")
      ((rep % 2)) || order=("$peer" weft)
      declare -A port=() spid=() lpid=() out=()
      ok=1
      for s in "${order[@]}"; do
        port[$s]=$(free_port)
        start "$s" "${port[$s]}" || { ok=0; break; }
        spid[$s]=$PID
      done
      if ((ok)); then
        for s in "${order[@]}"; do
          out[$s]=$LOG/$size.$peer.$rep.$s.json
          timeout -k 5 $((${WARMUP%.*} + ${DURATION%.*} + 60)) taskset -c $LOAD_CPU "$PEER_DIR/ws_load" \
            "${port[$s]}" "$CONNS" "$size" "$DURATION" "$PIPELINE" "$WARMUP" "${spid[$s]}" \
            >"${out[$s]}" 2>>"$LOG/ws_load.log" &
          lpid[$s]=$!
        done
        for s in "${order[@]}"; do wait "${lpid[$s]}" || { ok=0; echo "ws_load against $s failed (see $LOG/ws_load.log)" >&2; }; done
      fi
      for s in "${!spid[@]}"; do kill -TERM "${spid[$s]}" 2>/dev/null || true; done
      for s in "${!spid[@]}"; do wait "${spid[$s]}" 2>/dev/null || true; done
      if ((!ok)); then
        FAILED=1
        echo "size $size, weft vs $peer, rep $rep: failed"
        continue
      fi
      wr=$(field "${out[weft]}" msgs_per_sec) pr=$(field "${out[$peer]}" msgs_per_sec)
      wc=$(field "${out[weft]}" server_cpu_us_per_msg) pc=$(field "${out[$peer]}" server_cpu_us_per_msg)
      rr=$(ratio "$wr" "$pr") cr=$(ratio "$pc" "$wc")
      wl=$(field "${out[weft]}" load_cpu_us_per_msg)
      echo "size $size, weft vs $peer, rep $rep: weft ${wr}/s ${wc} us CPU/msg (its load ${wl} us/msg)," \
        "$peer ${pr}/s ${pc} us CPU/msg; msgs/s ratio $rr, CPU ratio $cr"
      ROWS[$size.$peer]+="$wr $pr $rr $wc $pc $cr|"
    done
  done
done

# median COLUMN ROWS: the median of one column over "a b c ...|a b c ...|" rows.
median() {
  tr '|' '\n' <<<"$2" | grep -v '^$' | awk -v c="$1" '$c != "?" { print $c }' | sort -g |
    awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "?" }'
}
{
  echo "# WebSocket echo (preliminary; paired runs, servers on CPU $SERVER_CPU, medians of $REPS)"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $CPUS CPUs (${BUSY}% busy before the run), ${DURATION} s runs after ${WARMUP} s of warm-up; $CONNS connections,"
  echo "$PIPELINE binary message(s) in flight on each, no permessage-deflate. weft-http --loops 1 (callback"
  echo "API) against Node $(node --version 2>/dev/null || echo '?') with ws" \
    "$(sed -nE 's/.*"version": "([^"]+)".*/\1/p' "$NODE_DIR/node_modules/ws/package.json" 2>/dev/null | head -1)" \
    "and Python $(/usr/bin/python3 -c 'import platform, websockets; print(platform.python_version(), "with websockets", websockets.__version__)' 2>/dev/null)."
  [[ -n $CPU_CAP && $CPU_CAP != 0 ]] && echo "Each server capped to ${CPU_CAP}% of CPU $SERVER_CPU (cgroup quota)."
  echo "msgs/s ratio: weft over the peer, same run; CPU ratio: the peer's CPU time per message over weft's."
  echo
  echo "| size | peer | weft msgs/s | peer msgs/s | msgs/s ratio | CPU µs/msg weft | CPU µs/msg peer | CPU ratio |"
  echo "|---|---|---|---|---|---|---|---|"
  for size in "${SIZE_LIST[@]}"; do
    for peer in "${ACTIVE[@]}"; do
      r=${ROWS[$size.$peer]:-}
      [[ -n $r ]] || continue
      echo "| $size B | $peer | $(median 1 "$r") | $(median 2 "$r") | **$(median 3 "$r")** | $(median 4 "$r") | $(median 5 "$r") | $(median 6 "$r") |"
    done
  done
  echo
  # The strongest peer is the one weft leads by the least (ratios from the same runs).
  for size in "${SIZE_LIST[@]}"; do
    best= best_ratio=
    for peer in "${ACTIVE[@]}"; do
      r=${ROWS[$size.$peer]:-}
      [[ -n $r ]] || continue
      x=$(median 3 "$r")
      [[ $x == "?" ]] && continue
      if [[ -z $best ]] || awk -v a="$x" -v b="$best_ratio" 'BEGIN { exit !(a < b) }'; then best=$peer best_ratio=$x; fi
    done
    [[ -n $best ]] || continue
    verdict=$(awk -v r="$best_ratio" 'BEGIN { print (r >= 2) ? "meets" : "below" }')
    echo "- $size B: the strongest peer is $best; weft/$best = $best_ratio ($verdict the 2x target)"
  done
} | tee "$OUT"
echo "raw ws_load outputs and server logs: ${LOG#"$ROOT/"}"
exit $FAILED
