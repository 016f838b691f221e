#!/usr/bin/env bash
# UDP echo, head to head: weft-echo (--addr udp://) against a plain recvmmsg/sendmmsg echo (the
# reference; target at least 0.95), a libuv UDP echo and a Go net UDP echo (targets at
# least 1.2), 64-byte datagrams.
#
#   bench/udp/run.sh [--quick] [--reps N] [--duration S] [--size B]
#
# Each pair serves at the same time, both servers pinned to one CPU and both loads
# (bench/peers/udp_load: 16 sockets, 8 datagrams in flight each, fewer than a default
# socket buffer holds) to another, so the ratio holds while the machine's speed drifts;
# the start order alternates between repetitions. Two ratios: echoes per second, and
# each server's CPU time per echo (/proc/PID/stat over the run: it holds even when the
# load, not the server, sets the pace). Prints one line per run and the medians per
# peer; writes bench/results/udp.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
PEER_DIR=$BUILD_DIR/bench-peers
OUT=${OUT:-$ROOT/bench/results/udp.md}
REPS=3
DURATION=5
SIZE=64
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) REPS=1 DURATION=2 ;;
    --reps) REPS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --size) SIZE=$2; shift ;;
    *) echo "usage: bench/udp/run.sh [--quick] [--reps N] [--duration S] [--size B]" >&2; exit 2 ;;
  esac
  shift
done

cmake --build "$BUILD_DIR" --target weft-echo >/dev/null
cmake -S "$ROOT/bench/peers" -B "$PEER_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$PEER_DIR" --target udp_mmsg_echo udp_load >/dev/null
cmake --build "$PEER_DIR" --target libuv_udp_echo >/dev/null 2>&1 || true
(cd "$ROOT/bench/peers/go" && GOFLAGS=-mod=mod go build -o "$PEER_DIR/go_udp_echo" ./udp) 2>/dev/null || true

CPUS=$(nproc)
SERVER_CPU=0
LOAD_CPU=$((CPUS > 1 ? 1 : 0))
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# free_port: a UDP port nobody uses now.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() {  # NAME PORT -> SERVER_PID
  case $1 in
    weft) taskset -c $SERVER_CPU "$BUILD_DIR/bin/weft-echo" --addr "udp://127.0.0.1:$2" --loops 1 --quiet & ;;
    mmsg) taskset -c $SERVER_CPU "$PEER_DIR/udp_mmsg_echo" "$2" 32 & ;;
    libuv) taskset -c $SERVER_CPU "$PEER_DIR/libuv_udp_echo" "$2" & ;;
    go) taskset -c $SERVER_CPU "$PEER_DIR/go_udp_echo" "$2" & ;;
  esac
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
}

rate_of() { sed -E 's/.*"echoes_per_sec": ([0-9]+).*/\1/' "$1"; }
echoes_of() { sed -E 's/.*"echoes": ([0-9]+).*/\1/' "$1"; }
# cpu_ticks PID: the process's user + system time, all threads, in clock ticks (proc(5)).
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)
# ns_per_echo TICKS ECHOES
ns_per_echo() { awk -v t="$1" -v e="$2" -v k="$TCK" 'BEGIN { if (e > 0) printf "%.0f", t * 1e9 / k / e; else print "?" }'; }

declare -A RATIOS CPU_RATIOS
LOG=$(mktemp -d)
declare -A PEER_BIN=([mmsg]=udp_mmsg_echo [libuv]=libuv_udp_echo [go]=go_udp_echo)
for peer in mmsg libuv go; do
  if [[ ! -x $PEER_DIR/${PEER_BIN[$peer]} ]]; then echo "${PEER_BIN[$peer]} not built: skipped"; continue; fi
  for ((rep = 1; rep <= REPS; rep++)); do
    pw=$(free_port); pp=$(free_port)
    # Odd repetitions start weft first (server and load), even ones the peer.
    if ((rep % 2)); then
      start_server weft "$pw"; wpid=$SERVER_PID
      start_server "$peer" "$pp"; ppid=$SERVER_PID
    else
      start_server "$peer" "$pp"; ppid=$SERVER_PID
      start_server weft "$pw"; wpid=$SERVER_PID
    fi
    sleep 0.3  # Both bind before their first datagram; a datagram sent earlier is lost, not refused.
    # No warm-up inside the load: every echo counts, against all the CPU time in between.
    run_load() { timeout 60 taskset -c $LOAD_CPU "$PEER_DIR/udp_load" "$1" "$DURATION" "$SIZE" 16 8 0 >"$2"; }
    wt0=$(cpu_ticks "$wpid"); pt0=$(cpu_ticks "$ppid")
    if ((rep % 2)); then
      run_load "$pw" "$LOG/w.json" & l1=$!
      run_load "$pp" "$LOG/p.json" & l2=$!
    else
      run_load "$pp" "$LOG/p.json" & l1=$!
      run_load "$pw" "$LOG/w.json" & l2=$!
    fi
    wait $l1 $l2 || true
    wt=$(($(cpu_ticks "$wpid") - wt0)); pt=$(($(cpu_ticks "$ppid") - pt0))
    kill -TERM "$wpid" "$ppid" 2>/dev/null || true
    wait "$wpid" "$ppid" 2>/dev/null || true
    w=$(rate_of "$LOG/w.json"); p=$(rate_of "$LOG/p.json")
    r=$(awk -v a="$w" -v b="$p" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", a / b; else print "?" }')
    wns=$(ns_per_echo "$wt" "$(echoes_of "$LOG/w.json")"); pns=$(ns_per_echo "$pt" "$(echoes_of "$LOG/p.json")")
    c=$(awk -v a="$pns" -v b="$wns" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", a / b; else print "?" }')
    echo "weft vs $peer rep $rep: weft $w/s ${wns} ns CPU/echo, $peer $p/s ${pns} ns CPU/echo;" \
      "rate ratio $r, CPU ratio $c   ($(cat "$LOG/w.json") | $(cat "$LOG/p.json"))"
    RATIOS[$peer]+="$r "
    CPU_RATIOS[$peer]+="$c "
  done
done

{
  echo "# UDP echo, ${SIZE}-byte datagrams (preliminary; paired runs, servers on CPU $SERVER_CPU)"
  echo
  echo "Echoes per second, weft over the peer, and server CPU time per echo, the peer's over"
  echo "weft's (above 1: weft spends less). Medians of $REPS, then every run."
  echo
  echo "| peer | echoes/s weft / peer | CPU per echo peer / weft | runs (echoes/s) | runs (CPU) |"
  echo "|---|---|---|---|---|"
  median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | grep -v '?' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "?"}'; }
  for peer in mmsg libuv go; do
    [[ -n ${RATIOS[$peer]:-} ]] || continue
    echo "| $peer | $(median "${RATIOS[$peer]}") | $(median "${CPU_RATIOS[$peer]}") | ${RATIOS[$peer]} | ${CPU_RATIOS[$peer]} |"
  done
} | tee "$OUT"
rm -rf "$LOG"
