#!/usr/bin/env bash
# weft-kv against redis-server, driven by redis-benchmark (README.md, "weft-kv against
# redis-server"). Every server is pinned to SERVER_CPU and runs for the whole benchmark;
# redis-benchmark runs pinned to LOAD_CPU against one server at a time, the servers taking
# turns test by test (the order rotates each repetition), so every ratio compares runs made
# seconds apart. Server CPU per request comes from the kernel's per-thread run time
# (/proc/PID/task/*/schedstat), read before and after each run.
#
# With --paired, each test instead runs the baseline and one other server at the same time
# (both pinned to SERVER_CPU, each driven by its own redis-benchmark on LOAD_CPU), and counts
# the commands each executed (INFO stats) over the same window: the two share every moment
# of the machine's noise, so their ratio holds still while its speed drifts.
#
# Then memory per key: each server alone, loaded with KEYS 16-byte keys holding 32-byte
# values through redis-cli --pipe; the growth of its resident memory divided by KEYS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
KV=${WEFT_KV:-$ROOT/$BUILD_DIR/bin/weft-kv}
REDIS=${REDIS_SERVER:-/usr/bin/redis-server}
KV_BASE=${WEFT_KV_BASE:-}  # Another weft-kv build, served as kv1-base (a before/after pair).
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

usage() {
  cat <<'EOF'
usage: bench/kv.sh [--quick] [--reps N] [--requests N] [--keys N] [--servers a,b] [--tests a,b]
  --quick        1 repetition, 20000 requests per run, 100000 keys for memory
  --reps N       repetitions (default 3)
  --requests N   requests per redis-benchmark run (default 200000)
  --keys N       keys loaded for memory per key (default 1000000; 0 to skip)
  --servers a,b  of redis, redis-io2, kv1, kv2, kv1-base (default redis,redis-io2,kv1,kv2;
                 the first is the baseline; kv1-base is WEFT_KV_BASE with one loop)
  --tests a,b    of set, get, incr, lpush, lrange_100, mset (default all)
  --pipelines    pipeline depths (default 1,16)
  --paired       run the baseline and each other server at the same time (see above)
  --window S     with --paired: seconds counted per run, after 1 s of warm-up (default 5)
  --cpu-cap PCT  cap each server to PCT% of its CPU (a cgroup quota), so that the servers,
                 not redis-benchmark, set the pace (bench/lib/cpu_cap.sh; default: none)
Environment: BUILD_DIR, WEFT_KV, WEFT_KV_BASE, REDIS_SERVER, SERVER_CPU (0), LOAD_CPU (1), OUT_DIR.
EOF
}

REPS=3 REQUESTS=200000 KEYS=1000000
SERVERS=redis,redis-io2,kv1,kv2
TESTS=set,get,incr,lpush,lrange_100,mset
PIPELINES=1,16
PAIRED=0 WINDOW=5 CPU_CAP=
while (($#)); do
  case $1 in
    --quick) REPS=1 REQUESTS=20000 KEYS=100000 ;;
    --reps) REPS=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --keys) KEYS=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --tests) TESTS=$2; shift ;;
    --pipelines) PIPELINES=$2; shift ;;
    --paired) PAIRED=1 ;;
    --window) WINDOW=$2; shift ;;
    --cpu-cap) CPU_CAP=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
IFS=, read -r -a servers <<<"$SERVERS"
IFS=, read -r -a tests <<<"$TESTS"
IFS=, read -r -a pipelines <<<"$PIPELINES"
OUT_DIR=${OUT_DIR:-$ROOT/$BUILD_DIR/bench-kv/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT_DIR"
RESULTS=$OUT_DIR/runs.tsv
PAIRS=$OUT_DIR/pairs.tsv  # --paired: other server, test, pipeline, rep, its requests/baseline's
: >"$RESULTS"
: >"$PAIRS"

[[ ,$SERVERS, != *,kv1-base,* || -n $KV_BASE ]] || { echo "bench/kv.sh: kv1-base needs WEFT_KV_BASE" >&2; exit 2; }
for exe in "$KV" ${KV_BASE:+"$KV_BASE"} "$REDIS" /usr/bin/redis-benchmark /usr/bin/redis-cli; do
  [[ -x $exe ]] || { echo "bench/kv.sh: $exe is missing (build weft-kv; install redis-server, redis-tools)" >&2; exit 1; }
done

source "$ROOT/bench/lib/cpu_cap.sh"
source "$ROOT/bench/lib/kv_commands.sh"
declare -A PID PORT
cleanup() {
  local p
  for p in "${PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PID[@]}"; do wait "$p" 2>/dev/null || true; done
  uncap_all
}
trap cleanup EXIT

free_port() {
  local p=$((21000 + RANDOM % 9000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# start NAME: starts the server pinned to SERVER_CPU and waits for its PING.
start() {
  local name=$1 port argv
  port=$(free_port)
  case $name in
    redis) argv=("$REDIS" --port "$port" --save "" --appendonly no --dir "$OUT_DIR") ;;
    redis-io2) argv=("$REDIS" --port "$port" --save "" --appendonly no --dir "$OUT_DIR"
      --io-threads 2 --io-threads-do-reads yes) ;;
    kv1) argv=("$KV" --quiet --addr "tcp://127.0.0.1:$port" --loops 1) ;;
    kv2) argv=("$KV" --quiet --addr "tcp://127.0.0.1:$port" --loops 2) ;;
    kv1-base) argv=("$KV_BASE" --quiet --addr "tcp://127.0.0.1:$port" --loops 1) ;;
    *) echo "bench/kv.sh: unknown server $name" >&2; exit 2 ;;
  esac
  taskset -c "$SERVER_CPU" "${argv[@]}" >"$OUT_DIR/$name.log" 2>&1 &
  PID[$name]=$! PORT[$name]=$port
  for _ in $(seq 100); do
    [[ $(redis-cli -p "$port" PING 2>/dev/null) == PONG ]] && { cap_cpu "${PID[$name]}" || true; return 0; }
    sleep 0.1
  done
  echo "bench/kv.sh: $name did not start (see $OUT_DIR/$name.log)" >&2
  exit 1
}

stop() {
  kill -TERM "${PID[$1]}" 2>/dev/null || true
  wait "${PID[$1]}" 2>/dev/null || true
  unset "PID[$1]"
}

# cpu_ns PID: nanoseconds its threads have run.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}

# run_one SERVER TEST PIPELINE REP: one redis-benchmark run; appends a line to RESULTS.
run_one() {
  local name=$1 test=$2 p=$3 rep=$4 before after csv rps
  local -a cmd
  read -r -a cmd <<<"$(command_of "$test")"
  before=$(cpu_ns "${PID[$name]}")
  csv=$(taskset -c "$LOAD_CPU" timeout 300 redis-benchmark -p "${PORT[$name]}" -c 50 -n "$REQUESTS" -P "$p" \
    -r 100000 --csv "${cmd[@]}" 2>>"$OUT_DIR/benchmark.log") || true
  after=$(cpu_ns "${PID[$name]}")
  rps=$(printf '%s\n' "$csv" | awk -F'","' 'NR > 1 && NF > 2 { print $2 }' | tail -1)
  [[ -n $rps ]] || rps=0
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$test" "$p" "$rep" "$rps" \
    "$(awk -v a="$before" -v b="$after" -v n="$REQUESTS" 'BEGIN { printf "%.3f", (b - a) / n / 1000 }')" >>"$RESULTS"
}

# commands_of NAME: commands the server has executed (INFO stats).
commands_of() {
  redis-cli -p "${PORT[$1]}" INFO stats | awk -F: '/^total_commands_processed:/ { print $2 + 0 }'
}

# run_pair BASE OTHER TEST PIPELINE REP: both servers loaded at once, each by its own
# redis-benchmark (started in alternating order); counts what each executed over WINDOW
# seconds after a second of warm-up. Appends a line per server to RESULTS, with the
# window's length in place of the request count.
run_pair() {
  local a=$1 b=$2 test=$3 p=$4 rep=$5 s t0 t1 secs
  local -a cmd loads=() pair=("$a" "$b")
  local -A c0 c1 u0 u1
  ((rep % 2)) || pair=("$b" "$a")
  read -r -a cmd <<<"$(command_of "$test")"
  for s in "${pair[@]}"; do
    taskset -c "$LOAD_CPU" timeout $((WINDOW + 60)) redis-benchmark -p "${PORT[$s]}" -c 50 -n 1000000000 -P "$p" \
      -r 100000 -q "${cmd[@]}" >/dev/null 2>>"$OUT_DIR/benchmark.log" &
    loads+=($!)
  done
  sleep 1
  t0=$(date +%s%N)
  for s in "${pair[@]}"; do c0[$s]=$(commands_of "$s") u0[$s]=$(cpu_ns "${PID[$s]}"); done
  sleep "$WINDOW"
  for s in "${pair[@]}"; do c1[$s]=$(commands_of "$s") u1[$s]=$(cpu_ns "${PID[$s]}"); done
  t1=$(date +%s%N)
  kill -INT "${loads[@]}" 2>/dev/null || true
  wait "${loads[@]}" 2>/dev/null || true
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$b" "$test" "$p" "$rep" \
    "$(awk -v x=$((c1[$b] - c0[$b])) -v y=$((c1[$a] - c0[$a])) 'BEGIN { printf "%.3f", (y > 0 ? x / y : 0) }')" >>"$PAIRS"
  for s in "${pair[@]}"; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$test" "$p" "$rep" \
      "$(awk -v n=$((c1[$s] - c0[$s])) -v t="$secs" 'BEGIN { printf "%.0f", n / t }')" \
      "$(awk -v n=$((c1[$s] - c0[$s])) -v u=$((u1[$s] - u0[$s])) 'BEGIN { printf "%.3f", (n > 0 ? u / n / 1000 : 0) }')" >>"$RESULTS"
  done
}

if ((PAIRED)); then
  echo "bench/kv.sh: servers ${servers[*]} on CPU $SERVER_CPU, redis-benchmark on CPU $LOAD_CPU;" \
    "$REPS rep(s), ${servers[0]} and each other server at once for $WINDOW s, 50 connections; raw runs in $OUT_DIR" >&2
else
  echo "bench/kv.sh: servers ${servers[*]} on CPU $SERVER_CPU, redis-benchmark on CPU $LOAD_CPU;" \
    "$REPS rep(s) of $REQUESTS requests, 50 connections; raw runs in $OUT_DIR" >&2
fi
for s in "${servers[@]}"; do
  start "$s"
  redis-cli -p "${PORT[$s]}" RPUSH mylist $(seq 600) >/dev/null
done
turn=0
for ((rep = 1; rep <= REPS; rep++)); do
  for test in "${tests[@]}"; do
    for p in "${pipelines[@]}"; do
      n=${#servers[@]}
      if ((PAIRED)); then
        for ((i = 1; i < n; i++)); do run_pair "${servers[0]}" "${servers[$i]}" "$test" "$p" "$rep"; done
        continue
      fi
      # Rotate who goes first, so no server always follows the same one.
      for ((i = 0; i < n; i++)); do
        run_one "${servers[$(((i + turn) % n))]}" "$test" "$p" "$rep"
      done
      turn=$((turn + 1))
    done
  done
done
for s in "${servers[@]}"; do stop "$s"; done

# Memory per key, each server alone.
MEM=$OUT_DIR/memory.tsv
: >"$MEM"
if ((KEYS > 0)); then
  awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++)
      printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$32\r\n%032d\r\n", i, i }' >"$OUT_DIR/keys.resp"
  for s in "${servers[@]}"; do
    start "$s"
    rss0=$(awk '/^VmRSS/ { print $2 }' /proc/"${PID[$s]}"/status)
    redis-cli -p "${PORT[$s]}" --pipe <"$OUT_DIR/keys.resp" >>"$OUT_DIR/pipe.log" 2>&1
    rss1=$(awk '/^VmRSS/ { print $2 }' /proc/"${PID[$s]}"/status)
    size=$(redis-cli -p "${PORT[$s]}" DBSIZE)
    used=$(redis-cli -p "${PORT[$s]}" INFO memory | awk -F: '/^used_memory:/ { print $2 + 0 }')
    printf '%s\t%s\t%s\t%s\n' "$s" "$size" "$(((rss1 - rss0) * 1024 / KEYS))" "$((used / KEYS))" >>"$MEM"
    stop "$s"
  done
  rm -f "$OUT_DIR/keys.resp"
fi

# The report: medians over the repetitions, ratios against the first server.
base=${servers[0]}
{
  if ((PAIRED)); then
    echo "## weft-kv against redis-server ($(date -u +%Y-%m-%d), $REPS rep(s), each server at once with $base for $WINDOW s, 50 connections)"
    echo
    echo "Requests/s (median), server CPU per request (µs), and the median over the repetitions of each simultaneous pair's ratio to $base."
  else
    echo "## weft-kv against redis-server ($(date -u +%Y-%m-%d), $REPS rep(s) of $REQUESTS requests, 50 connections)"
    echo
    echo "Requests/s (median), ratio to $base, and server CPU per request (µs)."
  fi
  echo
  printf '| test | -P |'
  for s in "${servers[@]}"; do printf ' %s req/s | %s µs |' "$s" "$s"; done
  for s in "${servers[@]:1}"; do printf ' %s/%s |' "$s" "$base"; done
  echo
  printf '|---|---|'
  for _ in "${servers[@]}" "${servers[@]}" "${servers[@]:1}"; do printf -- '---|'; done
  echo
  awk -F'\t' -v list="$SERVERS" -v tests="$TESTS" -v pipes="$PIPELINES" '
    function median(key,   n, i, j, t, v) {
      n = split(vals[key], v, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return n ? (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) : 0
    }
    FILENAME == ARGV[1] { vals["pair" SUBSEP $1 SUBSEP $2 SUBSEP $3] = vals["pair" SUBSEP $1 SUBSEP $2 SUBSEP $3] " " $5; next }
    { vals[$1 SUBSEP $2 SUBSEP $3] = vals[$1 SUBSEP $2 SUBSEP $3] " " $5
      cpu[$1 SUBSEP $2 SUBSEP $3] = cpu[$1 SUBSEP $2 SUBSEP $3] " " $6 }
    END {
      ns = split(list, s, ","); nt = split(tests, t, ","); np = split(pipes, p, ",")
      for (i = 1; i <= nt; i++) for (j = 1; j <= np; j++) {
        line = "| " t[i] " | " p[j] " |"
        for (k = 1; k <= ns; k++) {
          key = s[k] SUBSEP t[i] SUBSEP p[j]; r[k] = median(key)
          vals["cpu"] = cpu[key]; cu = median("cpu")
          line = line sprintf(" %.0f | %.2f |", r[k], cu)
        }
        for (k = 2; k <= ns; k++) {
          key = "pair" SUBSEP s[k] SUBSEP t[i] SUBSEP p[j]
          if (key in vals) line = line sprintf(" %.2f |", median(key))
          else line = line (r[1] > 0 ? sprintf(" %.2f |", r[k] / r[1]) : " ? |")
        }
        print line
      }
    }' "$PAIRS" "$RESULTS"
  if [[ -s $MEM ]]; then
    echo
    echo "Memory per key ($KEYS keys of 16 bytes with 32-byte values): resident growth and the server's own used_memory."
    echo
    echo "| server | keys | RSS bytes/key | used_memory bytes/key |"
    echo "|---|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$MEM"
  fi
} | tee "$OUT_DIR/report.md"
