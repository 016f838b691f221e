#!/usr/bin/env bash
# Side-by-side echo benchmark: weft-echo against peer servers (see bench/README.md).
#
#   bench/run.sh [--quick] [--reps N] [--duration S] [--servers a,b,c] [--scenarios x,y]
#                [--paired | --no-paired | --paired-only]
#
# Writes bench/results/latest.md, latest.json and ratios.svg; raw records and
# logs go to build/bench-run/<timestamp>/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
BIN_DIR=$BUILD_DIR/bin
PEER_DIR=$BUILD_DIR/bench-peers
OUT_DIR=${OUT_DIR:-$ROOT/bench/results}

source "$ROOT/bench/lib/servers.sh"
source "$ROOT/bench/lib/measure.sh"
source "$ROOT/bench/lib/paired.sh"
source "$ROOT/bench/lib/callgrind.sh"
source "$ROOT/bench/lib/busy.sh"
source "$ROOT/bench/lib/args.sh"

# Scenario name -> weft-load arguments. "rate" gets --rate at run time; "idle"
# is measured by measure_idle; "instr" runs INSTR_LIST under callgrind
# (measure_instr). The THROUGHPUT ones are also run head-to-head (measure_pair).
ALL_SCENARIOS=(64b-p1 64b-p16 4k-p4 c1000 rate idle instr)
THROUGHPUT=(64b-p1 64b-p16 4k-p4 c1000)
declare -A SCENARIO_ARGS=(
  [64b-p1]="--conns 100 --size 64 --pipeline 1"
  [64b-p16]="--conns 100 --size 64 --pipeline 16"
  [4k-p4]="--conns 50 --size 4096 --pipeline 4"
  [c1000]="--conns 1000 --size 64 --pipeline 1"
  [rate]="--conns 100 --size 64 --pipeline 64"
)
declare -A SCENARIO_TITLE=(
  [64b-p1]="64 B, 100 connections, pipeline 1"
  [64b-p16]="64 B, 100 connections, pipeline 16"
  [4k-p4]="4 KiB, 50 connections, pipeline 4"
  [c1000]="64 B, 1000 connections, pipeline 1"
  [rate]="fixed rate, 64 B, 100 connections"
  [idle]="idle connections"
  [instr]="instructions per message (callgrind)"
)

usage() {
  cat <<'USAGE'
usage: bench/run.sh [options]
  --quick              1 rep, short runs; paired and instr for 64b-p1 and 64b-p16 only
                       (under 3 minutes)
  --reps N             repetitions, servers interleaved within each (default 3)
  --duration S         measured seconds per load run (default 5)
  --warmup S           unrecorded seconds before each window (default 1)
  --servers a,b,c      default: weft,weft-coro,epoll,go,libuv,asio,libevent
  --scenarios x,y      default: 64b-p1,64b-p16,4k-p4,c1000,rate,idle,instr
  --paired             also run the baseline head-to-head with each peer, simultaneously,
                       for the selected throughput scenarios (default: on)
  --no-paired          no head-to-head runs
  --paired-only        only the head-to-head runs (no sequential, syscall or instr runs)
  --syscalls x,y       scenarios to count syscalls for, or "none" (default 64b-p1,64b-p16)
  --rate R             fixed-rate scenario rate (default: half the slowest peer's 64b-p1 median)
  --idle-conns N       connections for the idle scenario (default 10000)
  --threads N          server threads/loops (default 1)
  --baseline NAME      server the ratios are computed for (default weft)
USAGE
}

REPS=3 DURATION=5 WARMUP=1 IDLE_HOLD=2 IDLE_CONNS=10000 THREADS=1 RATE= BASELINE=weft
SYSCALL_DURATION=3 SERVERS=$(IFS=,; echo "${ALL_SERVERS[*]}")
SCENARIOS=$(IFS=,; echo "${ALL_SCENARIOS[*]}") SYSCALL_SCENARIOS=64b-p1,64b-p16 QUICK=0
PAIRED=1 PAIRED_ONLY=0 PAIRED_SCENARIOS=$(IFS=,; echo "${THROUGHPUT[*]}")
INSTR_DURATION=3 INSTR_SCENARIOS=64b-p1,64b-p16
while (($#)); do
  case $1 in
    --reps | --duration | --warmup | --servers | --scenarios | --syscalls | --rate | --idle-conns | --threads | \
      --baseline)
      (($# >= 2)) || { echo "run.sh: $1 needs a value" >&2; exit 2; } ;;&
    --quick) QUICK=1 REPS=1 DURATION=1.5 WARMUP=0.5 IDLE_HOLD=1 SYSCALL_DURATION=1.5
      SYSCALL_SCENARIOS=64b-p1 PAIRED_SCENARIOS=64b-p1,64b-p16 INSTR_DURATION=1 ;;
    --paired) PAIRED=1 ;;
    --no-paired) PAIRED=0 PAIRED_ONLY=0 ;;
    --paired-only) PAIRED=1 PAIRED_ONLY=1 ;;
    --reps) REPS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --syscalls) SYSCALL_SCENARIOS=$2; shift ;;
    --rate) RATE=$2; shift ;;
    --idle-conns) IDLE_CONNS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --baseline) BASELINE=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
positive --reps "$REPS" int
positive --duration "$DURATION"
positive --warmup "$WARMUP"
positive --idle-conns "$IDLE_CONNS" int
positive --threads "$THREADS" int
[[ -z $RATE ]] || positive --rate "$RATE"
[[ $SYSCALL_SCENARIOS == none ]] && SYSCALL_SCENARIOS=
IFS=, read -ra SERVER_LIST <<<"$SERVERS"
IFS=, read -ra SCENARIO_LIST <<<"$SCENARIOS"
IFS=, read -ra SYSCALL_LIST <<<"$SYSCALL_SCENARIOS"
IFS=, read -ra INSTR_LIST <<<"$INSTR_SCENARIOS"
for s in "${SCENARIO_LIST[@]}" "${SYSCALL_LIST[@]}"; do
  [[ -n ${SCENARIO_TITLE[$s]:-} ]] || { echo "run.sh: unknown scenario $s" >&2; exit 2; }
done
[[ " ${SYSCALL_LIST[*]} " == *" instr "* ]] && { echo "run.sh: --syscalls cannot count instr" >&2; exit 2; }

# What runs: SEQ_LIST one server at a time; PAIRED_LIST head-to-head (the
# selected throughput scenarios); INSTR=1 when "instr" was selected.
SEQ_LIST=() PAIRED_LIST=() INSTR=0
for s in "${SCENARIO_LIST[@]}"; do
  if [[ $s == instr ]]; then INSTR=1; else SEQ_LIST+=("$s"); fi
  [[ ,$PAIRED_SCENARIOS, == *,$s,* ]] && PAIRED_LIST+=("$s")
done
((PAIRED)) || PAIRED_LIST=()
keep=()  # syscalls are only reported for scenarios that run sequentially
for s in "${SYSCALL_LIST[@]}"; do [[ " ${SEQ_LIST[*]} " == *" $s "* ]] && keep+=("$s"); done
SYSCALL_LIST=("${keep[@]}")
if ((PAIRED_ONLY)); then
  SEQ_LIST=() SYSCALL_LIST=() INSTR=0
  ((${#PAIRED_LIST[@]})) || { echo "run.sh: --paired-only needs a throughput scenario" >&2; exit 2; }
fi
if ((INSTR)) && ! command -v valgrind >/dev/null; then
  echo "warning: valgrind not installed (apt: valgrind): instr skipped" >&2
  INSTR=0
fi

# Everything this script starts is stopped on any exit.
SERVER_PID= TRACER_PID=
cleanup() {
  [[ -n ${TRACER_PID:-} ]] && kill -INT "$TRACER_PID" 2>/dev/null
  stop_server
  stop_pair
  local pids
  pids=$(jobs -pr)
  [[ -n $pids ]] && kill $pids 2>/dev/null
  wait 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Pin servers to CPU 0 and the load generator to CPU 1.
SERVER_PIN=() LOAD_PIN=()
if (($(nproc) >= 2)) && command -v taskset >/dev/null; then
  SERVER_PIN=(taskset -c 0) LOAD_PIN=(taskset -c 1)
else
  echo "warning: fewer than 2 CPUs or no taskset: running unpinned" >&2
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (($(ulimit -n) < IDLE_CONNS + 100)); then
  IDLE_CONNS=$(($(ulimit -n) - 100))
  echo "warning: open-file limit $(ulimit -n): idle scenario reduced to $IDLE_CONNS connections" >&2
fi

LOG_DIR=$BUILD_DIR/bench-run/$(date +%Y%m%d-%H%M%S)
mkdir -p "$LOG_DIR" "$PEER_DIR" "$OUT_DIR"
RUNS=$LOG_DIR/runs.jsonl
: >"$RUNS"

echo "== building weft-load and peers"
ensure_load
build_peers

check_quiet() {
  local pct
  pct=$(busy_pct)
  ((pct <= 10)) || echo "warning: the machine was ${pct}% busy $1: figures will be noisy" >&2
  echo "$pct"
}
BUSY_BEFORE=$(check_quiet "before the run")

# Servers that can run; the others are reported as skipped.
ACTIVE=()
for s in "${SERVER_LIST[@]}"; do
  why=$(server_missing "$s")
  if [[ -z $why ]]; then ACTIVE+=("$s"); continue; fi
  echo "   skip $s: $why"
  printf '{"kind":"skip","server":"%s","reason":"%s"}\n' "$s" "$why" >>"$RUNS"
done
((${#ACTIVE[@]})) || { echo "run.sh: no server to measure" >&2; exit 1; }

# A server that fails to start is dropped for the rest of the run.
drop_server() {
  local s=$1 keep=() x why=${SERVER_FAILURE:-did not start}
  for x in "${ACTIVE[@]}"; do [[ $x == "$s" ]] || keep+=("$x"); done
  ACTIVE=("${keep[@]}")
  echo "   skip $s: $why (log: ${LOG_DIR#"$ROOT/"}/$s.log)"
  why=${why//\\/\\\\}
  printf '{"kind":"skip","server":"%s","reason":"%s"}\n' "$s" "${why//\"/\\\"}" >>"$RUNS"
}

# Fixed rate: half the slowest peer's median 64b-p1 throughput in this run,
# measured first if 64b-p1 is not among the scenarios.
pick_rate() {
  [[ -n $RATE ]] && return
  if ! grep -q '"scenario":"64b-p1"' "$RUNS"; then
    echo "== calibrating the fixed rate (64b-p1, 1 rep)"
    for s in "${ACTIVE[@]}"; do
      measure_load "$s" 64b-p1 0 ${SCENARIO_ARGS[64b-p1]} || drop_server "$s"
    done
  fi
  RATE=$(python3 "$ROOT/bench/report.py" rate "$RUNS" --baseline "$BASELINE")
  echo "   fixed rate: $RATE msgs/s"
}

total=$((${#SEQ_LIST[@]} * REPS))
n=0
for scenario in "${SEQ_LIST[@]}"; do
  args=${SCENARIO_ARGS[$scenario]:-}
  [[ $scenario == rate ]] && pick_rate && args+=" --rate $RATE"
  for ((rep = 1; rep <= REPS; rep++)); do
    n=$((n + 1))
    echo "== [$n/$total] $scenario (${SCENARIO_TITLE[$scenario]}), rep $rep/$REPS"
    for s in "${ACTIVE[@]}"; do
      if [[ $scenario == idle ]]; then
        measure_idle "$s" "$rep" || drop_server "$s"
      else
        measure_load "$s" "$scenario" "$rep" $args || drop_server "$s"
      fi
    done
  done
done

SYSCALL_METHOD=${SYSCALL_METHOD:-$(syscall_method)}
if ((${#SYSCALL_LIST[@]})) && [[ $SYSCALL_METHOD != none ]]; then
  for scenario in "${SYSCALL_LIST[@]}"; do
    args=${SCENARIO_ARGS[$scenario]:-}
    [[ $scenario == idle ]] && continue
    [[ $scenario == rate ]] && pick_rate && args+=" --rate $RATE"
    echo "== syscalls per message ($SYSCALL_METHOD): $scenario"
    for s in "${ACTIVE[@]}"; do measure_syscalls "$s" "$scenario" $args || true; done
  done
fi

# Head-to-head: every peer against the baseline, interleaved within each rep.
if ((${#PAIRED_LIST[@]})); then
  if [[ " ${ACTIVE[*]} " != *" $BASELINE "* ]]; then
    echo "   no head-to-head runs: $BASELINE is not among the servers"
    PAIRED_LIST=()
  fi
  total=$((${#PAIRED_LIST[@]} * REPS))
  n=0
  for scenario in "${PAIRED_LIST[@]}"; do
    for ((rep = 1; rep <= REPS; rep++)); do
      n=$((n + 1))
      echo "== [$n/$total] head-to-head $scenario (${SCENARIO_TITLE[$scenario]}), rep $rep/$REPS"
      for s in "${ACTIVE[@]}"; do
        [[ $s == "$BASELINE" ]] && continue
        measure_pair "$s" "$scenario" "$rep" ${SCENARIO_ARGS[$scenario]} || drop_server "$s"
      done
    done
  done
fi

if ((INSTR)); then
  echo "== instructions per message (callgrind, ${INSTR_DURATION} s runs): ${INSTR_LIST[*]}"
  for s in "${ACTIVE[@]}"; do measure_instr "$s"; done
fi

BUSY_AFTER=$(check_quiet "after the run")

# Describe the run for the report.
json_list() { (($#)) && printf '"%s",' "$@" | sed 's/,$//'; return 0; }
titles=
for s in "${ALL_SCENARIOS[@]}"; do titles+="\"$s\":\"${SCENARIO_TITLE[$s]}\","; done
cat >"$LOG_DIR/meta.json" <<META
{"date":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","host":"$(uname -srm)","cpus":$(nproc),
 "cpu_model":"$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)",
 "pinning":"${SERVER_PIN[*]:-none} (server) / ${LOAD_PIN[*]:-none} (weft-load)",
 "reps":$REPS,"duration_s":$DURATION,"warmup_s":$WARMUP,"threads":$THREADS,
 "idle_conns":$IDLE_CONNS,"idle_hold_s":$IDLE_HOLD,"rate":${RATE:-null},
 "busy_before_pct":$BUSY_BEFORE,"busy_after_pct":$BUSY_AFTER,
 "syscall_method":"$SYSCALL_METHOD","syscall_duration_s":$SYSCALL_DURATION,"quick":$QUICK,
 "baseline":"$BASELINE","scenarios":[$(json_list "${SEQ_LIST[@]}")],
 "paired":$( ((${#PAIRED_LIST[@]})) && echo "{\"scenarios\":[$(json_list "${PAIRED_LIST[@]}")],\"reps\":$REPS}" || echo null),
 "instr":$( ((INSTR)) && echo "{\"scenarios\":[$(json_list "${INSTR_LIST[@]}")],\"duration_s\":$INSTR_DURATION,\"valgrind\":\"$(valgrind --version)\"}" || echo null),
 "titles":{${titles%,}},
 "versions":{"go":"$(go version 2>/dev/null | awk '{print $3}')",
   "libuv":"$(dpkg-query -W -f='${Version}' libuv1-dev 2>/dev/null)",
   "boost":"$(dpkg-query -W -f='${Version}' libboost-dev 2>/dev/null)",
   "libevent":"$(dpkg-query -W -f='${Version}' libevent-dev 2>/dev/null)",
   "weft":"$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"}}
META

python3 "$ROOT/bench/report.py" render "$RUNS" "$LOG_DIR/meta.json" "$OUT_DIR"
python3 "$ROOT/bench/ratios_svg.py" "$OUT_DIR/latest.json" "$OUT_DIR/ratios.svg"
echo "== wrote ${OUT_DIR#"$ROOT/"}/latest.md, latest.json, ratios.svg (raw: ${LOG_DIR#"$ROOT/"})"
python3 "$ROOT/bench/report.py" check "$OUT_DIR/latest.json" --baseline "$BASELINE"
