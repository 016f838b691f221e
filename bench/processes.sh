#!/usr/bin/env bash
# Worker processes against loops, and hot restarts under the real load tools.
#
#   bench/processes.sh [--quick] [BIN_DIR]     (default: build/bin)
#
# 1. Throughput of 2 worker processes of 1 loop each (--workers 2 --loops 1, sharing the
#    master's socket, then each with its own --reuseport socket) against 1 process with 2
#    loops (--loops 2), for weft-echo (driven by weft-load) and weft-http (driven by wrk),
#    with how the connections were split between the workers. The two shapes run at the same time, pinned to the same CPUs, each
#    under its own load generator started together (the first started alternates), as
#    bench/lib/paired.sh does: both see the same machine, so their ratio holds still while
#    the machine's speed drifts. Prints each pair and the ratio of medians.
# 2. RESTARTS hot restarts (SIGUSR2) in a row under continuous load, for weft-echo under
#    weft-load, weft-http under wrk (keep-alive connections) and weft-kv under
#    redis-benchmark (PING, SET, GET, back to back runs). Prints the time from SIGUSR2 to
#    the new generation serving (the "ready after" the old master logs: every new worker
#    has started its server) and the load tool's errors: connections refused, socket
#    errors, non-2xx responses, failed runs. The target is 0 everywhere.
# Figures taken on a busy machine are preliminary; compare ratios, not absolutes.
set -euo pipefail

QUICK=0
if [[ ${1:-} == --quick ]]; then QUICK=1; shift; fi
BIN_DIR=${1:-build/bin}
ECHO="$BIN_DIR/weft-echo"
HTTP="$BIN_DIR/weft-http"
KV="$BIN_DIR/weft-kv"
LOAD="$BIN_DIR/weft-load"
DURATION=$((QUICK ? 2 : 5))
REPS=$((QUICK ? 1 : 3))
RESTARTS=$((QUICK ? 5 : 20))
CPUS=$(nproc)
SERVER_CPUS=0-1
LOAD_PIN=()
if ((CPUS > 2)); then LOAD_PIN=(taskset -c 2-$((CPUS - 1))); fi
for tool in wrk redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (make test-deps installs it)" >&2; exit 1; }
done

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
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

# start_server BIN PORT ARGS...: pinned to the server CPUs; sets SERVER.
start_server() {
  local bin=$1 port=$2
  shift 2
  taskset -c "$SERVER_CPUS" "$bin" --addr "tcp://127.0.0.1:$port" --quiet "$@" 2>>"$DIR/server.log" &
  SERVER=$!
  PIDS+=($SERVER)
  await "accepts $port" 20
}

# load_for PROGRAM PORT OUT: the program's load generator in the background; sets LOADER.
load_for() {
  case $1 in
    echo) "${LOAD_PIN[@]}" "$LOAD" --addr "tcp://127.0.0.1:$2" --conns 64 --duration "$DURATION" --warmup 0.5 >"$3" & ;;
    http) "${LOAD_PIN[@]}" wrk -t 1 -c 64 -d "${DURATION}s" "http://127.0.0.1:$2/" >"$3" & ;;
  esac
  LOADER=$!
}
# rate_of PROGRAM OUT: requests (messages) per second from the load generator's report.
rate_of() {
  case $1 in
    echo) awk '/^RESULT/ { for (i = 1; i <= NF; i++) if ($i ~ /^msgs_per_s=/) { sub("msgs_per_s=", "", $i); print $i } }' "$2" ;;
    http) awk '/^Requests\/sec:/ { print $2 }' "$2" ;;
  esac
}

# split PORT: how many of the established connections each process serves ("40+24").
split() {
  ss -tnp state established "( sport = :$1 )" | grep -o 'pid=[0-9]*' | sort | uniq -c | awk '{ print $1 }' |
    paste -sd+
}

# pair PROGRAM REP WORKER_FLAGS...: the workers shape (with WORKER_FLAGS) and the loops
# shape at once; prints "workers loops split".
pair() {
  local program=$1 rep=$2 bin pw pl sw sl lw ll spread
  shift 2
  bin=$ECHO
  [[ $program == http ]] && bin=$HTTP
  pw=$(free_port)
  pl=$(free_port)
  start_server "$bin" "$pw" --workers 2 --loops 1 "$@"
  sw=$SERVER
  start_server "$bin" "$pl" --loops 2
  sl=$SERVER
  if ((rep % 2)); then
    load_for "$program" "$pw" "$DIR/w.out"; lw=$LOADER
    load_for "$program" "$pl" "$DIR/l.out"; ll=$LOADER
  else
    load_for "$program" "$pl" "$DIR/l.out"; ll=$LOADER
    load_for "$program" "$pw" "$DIR/w.out"; lw=$LOADER
  fi
  sleep 1 # The connections are open by now.
  spread=$(split "$pw")
  wait "$lw" "$ll" || true
  kill -TERM "$sw" "$sl"
  wait "$sw" "$sl" || true
  echo "$(rate_of "$program" "$DIR/w.out") $(rate_of "$program" "$DIR/l.out") $spread"
}

# The workers share the master's socket, or (--reuseport) each binds its own, which the
# kernel balances by a hash of the connection: the split shows how the 64 connections
# landed on the two workers.
for shape in shared reuseport; do
  for program in echo http; do
    echo "== weft-$program throughput: 2 workers x 1 loop ($shape sockets) against 1 process x 2 loops," \
      "at the same time (${DURATION} s, ${REPS} reps)"
    : >"$DIR/workers"
    : >"$DIR/loops"
    for ((rep = 1; rep <= REPS; rep++)); do
      if [[ $shape == reuseport ]]; then
        read -r w l s < <(pair "$program" "$rep" --reuseport)
      else
        read -r w l s < <(pair "$program" "$rep")
      fi
      echo "rep $rep: workers $w/s (connections per worker $s), loops $l/s, workers/loops $(ratio "$w" "$l")"
      echo "$w" >>"$DIR/workers"
      echo "$l" >>"$DIR/loops"
    done
    mw=$(median <"$DIR/workers")
    ml=$(median <"$DIR/loops")
    echo "median: workers $mw/s, loops $ml/s, workers/loops $(ratio "$mw" "$ml")"
  done
done

# restarts NAME MASTER_LOG MASTER_PID: RESTARTS hot restarts in a row, each once the
# previous one is ready; prints the SIGUSR2-to-ready times; sets MASTER to the last one.
restarts() {
  local name=$1 log=$2 g
  MASTER=$3
  for ((g = 2; g <= RESTARTS + 1; g++)); do
    kill -USR2 "$MASTER"
    await "grep -q 'hot restart: generation $g (pid' '$log'" 30
    MASTER=$(grep -o "hot restart: generation $g (pid [0-9]*" "$log" | grep -o '[0-9]*$')
    PIDS+=($MASTER)
  done
  grep -c 'hot restart failed' "$log" >"$DIR/failed" || true
  grep -o 'ready after [0-9]* ms' "$log" | grep -o '[0-9]*' | sort -n >"$DIR/ready"
  echo "$name: $RESTARTS restarts, $(cat "$DIR/failed") failed; SIGUSR2 to new generation serving:" \
    "min $(head -1 "$DIR/ready") ms, median $(median <"$DIR/ready") ms, max $(tail -1 "$DIR/ready") ms"
}

# start_master BIN LOG: --workers 2 on a free port; sets PORT and MASTER.
start_master() {
  PORT=$(free_port)
  : >"$2"
  "$1" --addr "tcp://127.0.0.1:$PORT" --quiet --workers 2 --loops 1 --shutdown-timeout 60 2>"$2" &
  MASTER=$!
  PIDS+=($MASTER)
  await "grep -q 'generation 1 ready' '$2'" 20
}

stop_master() {
  kill -TERM "$MASTER"
  await "! kill -0 $MASTER 2>/dev/null" 70
}

echo "== hot restart: weft-echo --workers 2 under weft-load"
start_master "$ECHO" "$DIR/echo.log"
"$LOAD" --addr "tcp://127.0.0.1:$PORT" --conns 16 --duration 600 --warmup 0 >"$DIR/load.out" 2>&1 &
loader=$!
restarts weft-echo "$DIR/echo.log" "$MASTER"
kill -INT "$loader"
wait "$loader" || true
echo "weft-load: $(grep '^RESULT' "$DIR/load.out" | grep -o 'msgs=[0-9]*') $(grep '^RESULT' "$DIR/load.out" |
  grep -o 'errors=[0-9]*')"
stop_master

echo "== hot restart: weft-http --workers 2 under wrk (keep-alive connections)"
start_master "$HTTP" "$DIR/http.log"
wrk -t 1 -c 32 -d 600s --timeout 10s "http://127.0.0.1:$PORT/" >"$DIR/wrk.out" 2>&1 &
loader=$!
sleep 0.5 # Some traffic before the first restart.
restarts weft-http "$DIR/http.log" "$MASTER"
kill -INT "$loader"
wait "$loader" || true
echo "wrk: $(grep 'requests in' "$DIR/wrk.out" | sed 's/^ *//');" \
  "$(grep -h 'Socket errors' "$DIR/wrk.out" || echo 'Socket errors: none');" \
  "$(grep -h 'Non-2xx' "$DIR/wrk.out" || echo 'Non-2xx or 3xx responses: 0')"
stop_master

echo "== hot restart: weft-kv --workers 2 under redis-benchmark (PING, SET, GET; back to back runs)"
start_master "$KV" "$DIR/kv.log"
(
  runs=0 failed=0
  while [[ ! -e $DIR/kv.stop ]]; do
    runs=$((runs + 1))
    if ! timeout 120 redis-benchmark -p "$PORT" -c 16 -n 5000 -t ping,set,get -e -q >"$DIR/rb.out" 2>&1 ||
      grep -q 'Error' "$DIR/rb.out"; then
      failed=$((failed + 1))
      cp "$DIR/rb.out" "$DIR/rb.failed"
    fi
    grep -o 'GET: [0-9.]* requests per second' "$DIR/rb.out" >>"$DIR/rb.rates" || true
  done
  echo "$runs $failed" >"$DIR/rb.totals"
) &
loader=$!
restarts weft-kv "$DIR/kv.log" "$MASTER"
touch "$DIR/kv.stop"
wait "$loader" || true
read -r runs failed <"$DIR/rb.totals"
echo "redis-benchmark: $runs runs, $failed failed$([[ -e $DIR/rb.failed ]] && echo ": $(tr '\r' '\n' <"$DIR/rb.failed" | grep -m1 Error)")"
stop_master
