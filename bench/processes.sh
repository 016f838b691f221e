#!/usr/bin/env bash
# Worker processes against loops, and the time a hot restart takes.
#
#   bench/processes.sh [--quick] [BIN_DIR]     (default: build/bin)
#
# 1. Throughput of weft-echo as 2 worker processes of 1 loop each (--workers 2 --loops 1)
#    against 1 process with 2 loops (--loops 2), both pinned to the same CPUs and measured
#    alternately, REPS times, with the same weft-load run (pinned elsewhere when the
#    machine has more than 2 CPUs). Prints msgs/s of each run and the ratio of medians.
# 2. Hot restarts of weft-echo --workers 2 under load: the time from SIGUSR2 to the new
#    generation being ready, as the old master logs it, and weft-load's error count
#    across them (must be 0).
# Figures taken on a busy machine are preliminary; compare ratios, not absolutes.
set -euo pipefail

QUICK=0
if [[ ${1:-} == --quick ]]; then QUICK=1; shift; fi
BIN_DIR=${1:-build/bin}
ECHO="$BIN_DIR/weft-echo"
LOAD="$BIN_DIR/weft-load"
DURATION=$((QUICK ? 1 : 5))
REPS=$((QUICK ? 1 : 3))
RESTARTS=$((QUICK ? 5 : 20))
CPUS=$(nproc)
SERVER_CPUS=0-1
LOAD_PIN=()
if ((CPUS > 2)); then
  SERVER_CPUS=0-1
  LOAD_PIN=(taskset -c 2-$((CPUS - 1)))
fi

DIR=$(mktemp -d /tmp/weft-bench-processes-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
await() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    ((SECONDS < deadline)) || { echo "timed out: $1" >&2; exit 1; }
    sleep 0.05
  done
}

# run_shape NAME ARGS...: starts weft-echo with ARGS pinned to the server CPUs, measures,
# stops it; prints msgs/s.
run_shape() {
  local port
  port=$(free_port)
  taskset -c "$SERVER_CPUS" "$ECHO" --addr "tcp://127.0.0.1:$port" --quiet "$@" 2>>"$DIR/server.log" &
  local pid=$!
  PIDS+=($pid)
  await "accepts $port" 10
  "${LOAD_PIN[@]}" "$LOAD" --addr "tcp://127.0.0.1:$port" --conns 64 --duration "$DURATION" --warmup 0.5 \
    | awk '/^RESULT/ { for (i = 1; i <= NF; i++) if ($i ~ /^msgs_per_s=/) { sub("msgs_per_s=", "", $i); print $i } }'
  kill -TERM "$pid"
  wait "$pid" || true
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "== throughput: 2 workers x 1 loop against 1 process x 2 loops (${DURATION} s, ${REPS} reps)"
: >"$DIR/workers"
: >"$DIR/loops"
for ((rep = 1; rep <= REPS; rep++)); do
  w=$(run_shape --workers 2 --loops 1)
  l=$(run_shape --loops 2)
  echo "rep $rep: workers ${w} msgs/s, loops ${l} msgs/s"
  echo "$w" >>"$DIR/workers"
  echo "$l" >>"$DIR/loops"
done
mw=$(median <"$DIR/workers")
ml=$(median <"$DIR/loops")
echo "median: workers $mw msgs/s, loops $ml msgs/s, workers/loops $(awk -v a="$mw" -v b="$ml" 'BEGIN { printf "%.2f", a / b }')"

echo "== hot restart: $RESTARTS restarts of weft-echo --workers 2 under load"
port=$(free_port)
"$ECHO" --addr "tcp://127.0.0.1:$port" --quiet --workers 2 --loops 1 2>"$DIR/master.log" &
master=$!
PIDS+=($master)
await "grep -q 'generation 1 ready' '$DIR/master.log'" 10
"$LOAD" --addr "tcp://127.0.0.1:$port" --conns 16 --duration $((RESTARTS / 2 + 2)) --warmup 0 >"$DIR/load.out" 2>&1 &
loader=$!
for ((g = 2; g <= RESTARTS + 1; g++)); do
  kill -USR2 "$master"
  await "grep -q 'hot restart: generation $g (pid' '$DIR/master.log'" 20
  master=$(grep -o "hot restart: generation $g (pid [0-9]*" "$DIR/master.log" | grep -o '[0-9]*$')
  PIDS+=($master)
done
wait "$loader" || true
grep -o 'ready after [0-9]* ms' "$DIR/master.log" | grep -o '[0-9]*' | sort -n >"$DIR/ready"
echo "SIGUSR2 to ready: min $(head -1 "$DIR/ready") ms, median $(median <"$DIR/ready") ms, max $(tail -1 "$DIR/ready") ms"
echo "weft-load across the restarts: $(grep '^RESULT' "$DIR/load.out" | grep -o 'msgs=[0-9]*') $(grep '^RESULT' "$DIR/load.out" | grep -o 'errors=[0-9]*')"
