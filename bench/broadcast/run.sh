#!/usr/bin/env bash
# Broadcast: one message to 1,000 connections, 64 B and 16 KiB, with SharedBytes (one
# shared buffer per broadcast) against a copy per receiver. Reports, for each, deliveries
# per second, the server's CPU time per delivered message and the bytes it copied per
# delivered message.
#
#   bench/broadcast/run.sh [--quick] [--reps N] [--duration S] [--conns N] [--sizes a,b]
#
# Each pair serves at the same time: both servers (build/bin/bench_broadcast --mode shared
# and --mode copy, one loop each) pinned to one CPU, both clients (bench/peers/
# broadcast_load, 2 broadcasts in flight) to another; the start order alternates between
# repetitions. CPU per delivery is each server's own CPU time (/proc/PID/stat) over the
# measured window divided by its deliveries, so it holds while the two share the CPU.
# Writes bench/results/broadcast.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
PEER_DIR=$BUILD_DIR/bench-peers
OUT=${OUT:-$ROOT/bench/results/broadcast.md}
REPS=3
DURATION=5
CONNS=1000
SIZES=64,16384
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) REPS=1 DURATION=3 ;;
    --reps) REPS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    *) echo "usage: bench/broadcast/run.sh [--quick] [--reps N] [--duration S] [--conns N] [--sizes a,b]" >&2; exit 2 ;;
  esac
  shift
done

cmake --build "$BUILD_DIR" --target bench_broadcast >/dev/null
cmake -S "$ROOT/bench/peers" -B "$PEER_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$PEER_DIR" --target broadcast_load >/dev/null

CPUS=$(nproc)
SERVER_CPU=0
LOAD_CPU=$((CPUS > 1 ? 1 : 0))
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
LOG=$(mktemp -d)

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# field FILE NAME: a number from a one-line JSON record.
field() { sed -E "s/.*\"$2\": (-?[0-9.]+).*/\1/" "$1"; }
# wait_listening PORT: until something accepts on 127.0.0.1:PORT (bounded).
wait_listening() {
  for _ in $(seq 100); do
    /usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2).close()" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

declare -A ROWS
for size in ${SIZES//,/ }; do
  for ((rep = 1; rep <= REPS; rep++)); do
    order=(shared copy)
    ((rep % 2)) || order=(copy shared)
    declare -A port=() spid=() lpid=()
    for mode in "${order[@]}"; do
      port[$mode]=$(free_port)
      taskset -c $SERVER_CPU "$BUILD_DIR/bin/bench_broadcast" --mode "$mode" --size "$size" \
        --addr "tcp://127.0.0.1:${port[$mode]}" >"$LOG/$mode.server.json" &
      spid[$mode]=$!
      PIDS+=("${spid[$mode]}")
    done
    for mode in "${order[@]}"; do wait_listening "${port[$mode]}"; done
    for mode in "${order[@]}"; do
      timeout 120 taskset -c $LOAD_CPU "$PEER_DIR/broadcast_load" "${port[$mode]}" "$CONNS" "$size" "$DURATION" 2 1 \
        "${spid[$mode]}" >"$LOG/$mode.load.json" &
      lpid[$mode]=$!
    done
    for mode in "${order[@]}"; do wait "${lpid[$mode]}" || echo "broadcast_load ($mode) failed" >&2; done
    for mode in "${order[@]}"; do kill -TERM "${spid[$mode]}" 2>/dev/null || true; done
    for mode in "${order[@]}"; do wait "${spid[$mode]}" 2>/dev/null || true; done
    line="size $size rep $rep:"
    for mode in shared copy; do
      d=$(field "$LOG/$mode.load.json" deliveries_per_sec)
      ns=$(field "$LOG/$mode.load.json" server_cpu_ns_per_delivery)
      copied=$(awk -v c="$(field "$LOG/$mode.server.json" bytes_copied)" -v d="$(field "$LOG/$mode.server.json" deliveries)" \
        'BEGIN { if (d > 0) printf "%.2f", c / d; else print "?" }')
      rss=$(field "$LOG/$mode.server.json" maxrss_kib)
      line+=" $mode ${d}/s ${ns} ns/delivery ${copied} B copied/delivery ${rss} KiB;"
      ROWS[$size.$mode]+="$d $ns $copied $rss|"
    done
    echo "$line"
  done
done

# median COLUMN ROWS: the median of one column over "a b c d|a b c d|..." rows.
median() {
  tr '|' '\n' <<<"$2" | grep -v '^$' | awk -v c="$1" '{ print $c }' | sort -g |
    awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "?" }'
}
{
  echo "# Broadcast to $CONNS connections (preliminary; paired runs, servers on CPU $SERVER_CPU, medians of $REPS)"
  echo
  echo "| size | mode | deliveries/s | server CPU ns per delivery | bytes copied per delivery | peak RSS KiB | CPU copy / shared |"
  echo "|---|---|---|---|---|---|---|"
  for size in ${SIZES//,/ }; do
    s_ns=$(median 2 "${ROWS[$size.shared]}")
    c_ns=$(median 2 "${ROWS[$size.copy]}")
    ratio=$(awk -v a="$c_ns" -v b="$s_ns" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "?" }')
    for mode in shared copy; do
      r=${ROWS[$size.$mode]}
      echo "| $size | $mode | $(median 1 "$r") | $(median 2 "$r") | $(median 3 "$r") | $(median 4 "$r") | $([[ $mode == copy ]] && echo "$ratio") |"
    done
  done
} | tee "$OUT"
rm -rf "$LOG"
