#!/usr/bin/env bash
# User-space instructions per request of weft-kv (one loop) and redis-server, counted by
# valgrind's callgrind while redis-benchmark runs each test (bench/README.md, "weft-kv
# against redis-server"). Instruction counts do not depend on what else the machine does,
# so they compare the servers' own code where requests/s cannot; the kernel's share (most
# of the time at -P 1) is not counted. The server's counters are zeroed before each test
# and dumped after it: Ir/request = the dump's total / requests.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/kv_commands.sh"
KV=${WEFT_KV:-$ROOT/${BUILD_DIR:-build}/bin/weft-kv}
REDIS=${REDIS_SERVER:-/usr/bin/redis-server}
N=20000
SERVERS=kv1,redis
TESTS=set@1,get@1,incr@1,lpush@1,lrange_100@1,mset@1,set@16,get@16

usage() {
  cat <<'USAGE'
usage: bench/kv_callgrind.sh [--requests N] [--servers kv1,redis] [--tests set@1,get@16,...]
  --requests N   requests per test (default 20000)
  --servers a,b  of kv1, redis (default both)
  --tests a,b    TEST@PIPELINE, TEST of set, get, incr, lpush, lrange_100, mset, ping
Environment: BUILD_DIR, WEFT_KV, REDIS_SERVER, OUT_DIR.
USAGE
}
while (($#)); do
  case $1 in
    --requests) N=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --tests) TESTS=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
command -v valgrind >/dev/null || { echo "bench/kv_callgrind.sh: valgrind is missing" >&2; exit 1; }
OUT_DIR=${OUT_DIR:-$ROOT/${BUILD_DIR:-build}/bench-kv-callgrind/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT_DIR"

VPID=
cleanup() { [[ -z $VPID ]] || { kill -INT "$VPID" 2>/dev/null; wait "$VPID" 2>/dev/null || true; }; }
trap cleanup EXIT

IFS=, read -r -a servers <<<"$SERVERS"
IFS=, read -r -a tests <<<"$TESTS"
printf 'server\ttest\tpipeline\tIr/request\n' | tee "$OUT_DIR/instructions.tsv"
for s in "${servers[@]}"; do
  port=$((21000 + RANDOM % 9000))
  case $s in
    kv1) argv=("$KV" --quiet --addr "tcp://127.0.0.1:$port" --loops 1) ;;
    redis) argv=("$REDIS" --port "$port" --save "" --appendonly no --dir "$OUT_DIR") ;;
    *) echo "bench/kv_callgrind.sh: unknown server $s" >&2; exit 2 ;;
  esac
  valgrind --tool=callgrind --compress-strings=no --compress-pos=no \
    "--callgrind-out-file=$OUT_DIR/$s.%p" "${argv[@]}" >"$OUT_DIR/$s.log" 2>&1 &
  VPID=$!
  for _ in $(seq 200); do
    [[ $(redis-cli -p "$port" PING 2>/dev/null) == PONG ]] && break
    sleep 0.1
  done
  redis-cli -p "$port" RPUSH mylist $(seq 600) >/dev/null
  for t in "${tests[@]}"; do
    name=${t%@*} p=1
    [[ $t == *@* ]] && p=${t#*@}
    read -r -a cmd <<<"$(command_of "$name")"
    callgrind_control -z "$VPID" >/dev/null 2>&1
    timeout 600 redis-benchmark -p "$port" -c 50 -n "$N" -P "$p" -r 100000 -q "${cmd[@]}" >/dev/null 2>&1
    callgrind_control -d "${name}_P$p" "$VPID" >/dev/null 2>&1
    dump=$(ls -t "$OUT_DIR/$s.$VPID".* | head -1)
    ir=$(awk '/^summary:/ { print $2 }' "$dump")
    printf '%s\t%s\t%s\t%s\n' "$s" "$name" "$p" $((ir / N)) | tee -a "$OUT_DIR/instructions.tsv"
  done
  kill -INT "$VPID" 2>/dev/null || true
  wait "$VPID" 2>/dev/null || true
  VPID=
done
echo "bench/kv_callgrind.sh: callgrind dumps in $OUT_DIR (callgrind_annotate FILE)" >&2
