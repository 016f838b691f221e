#!/usr/bin/env bash
# weft-proxy against HAProxy, head to head: both proxies (one thread each) pinned to the
# same CPU in front of the same weft-echo upstream, each driven by its own weft-load
# started at the same moment (on the other CPU), so both see the same machine. Prints one
# line per scenario: msgs/s of each, their ratio, proxy CPU per message and RSS.
#
# Usage: bench/proxy.sh [--quick] [--only SCENARIO] [BUILD_DIR]
#   --quick: 2 s windows; --only: run that scenario alone (its name as printed).
#   PROXY_ARGS="--splice-pipes 0" bench/proxy.sh ... passes more flags to weft-proxy.
# Needs haproxy (Debian package) and the built weft-echo, weft-proxy and weft-load.
set -euo pipefail

DURATION=10
WARMUP=1
ONLY=
while [[ ${1:-} == --* ]]; do
  case $1 in
    --quick) DURATION=2 WARMUP=0.5 ;;
    --only) ONLY=$2; shift ;;
    *) echo "bench/proxy.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BUILD=${1:-build}
BIN=$BUILD/bin
for b in weft-echo weft-proxy weft-load; do
  [[ -x $BIN/$b ]] || { echo "bench/proxy.sh: $BIN/$b is not built" >&2; exit 1; }
done
command -v haproxy >/dev/null || { echo "bench/proxy.sh: haproxy is not installed" >&2; exit 1; }

CPUS=$(nproc)
PROXY_CPU=0
LOAD_CPU=$((CPUS > 1 ? 1 : 0))
UPSTREAM_CPU=$((CPUS > 2 ? 2 : LOAD_CPU))
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench/proxy.sh: nothing listens on port $1" >&2
  return 1
}

UP=$(free_port)
taskset -c "$UPSTREAM_CPU" "$BIN/weft-echo" --addr "tcp://127.0.0.1:$UP" --loops 1 --quiet &
PIDS+=($!)
wait_port "$UP"

WP=$(free_port)
taskset -c "$PROXY_CPU" "$BIN/weft-proxy" --listen "tcp://127.0.0.1:$WP" --upstream "tcp://127.0.0.1:$UP" \
  --loops 1 --health-interval 0 --quiet ${PROXY_ARGS:-} 2>"$WORK/weft-proxy.log" &
WEFT_PID=$!
PIDS+=($WEFT_PID)

HP=$(free_port)
cat >"$WORK/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen bench
  bind 127.0.0.1:$HP
  server echo 127.0.0.1:$UP
CFG
taskset -c "$PROXY_CPU" haproxy -q -f "$WORK/haproxy.cfg" &
HA_PID=$!
PIDS+=($HA_PID)
wait_port "$WP"
wait_port "$HP"

json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get(sys.argv[2], 0))" "$@"; }

printf '%-14s %12s %12s %7s %11s %11s %9s %9s\n' scenario weft_msgs/s haproxy_msgs/s ratio weft_us/msg ha_us/msg weft_rss ha_rss
# RSS in KiB; for the idle scenario, KiB per idle proxied connection.
run() {
  local name=$1
  shift
  [[ -z $ONLY || $ONLY == "$name" ]] || return 0
  local args=(--duration "$DURATION" --warmup "$WARMUP" --json "$@")
  taskset -c "$LOAD_CPU" "$BIN/weft-load" --addr "tcp://127.0.0.1:$WP" --server-pid "$WEFT_PID" "${args[@]}" \
    >"$WORK/$name.weft.json" 2>>"$WORK/load.log" &
  local a=$!
  taskset -c "$LOAD_CPU" "$BIN/weft-load" --addr "tcp://127.0.0.1:$HP" --server-pid "$HA_PID" "${args[@]}" \
    >"$WORK/$name.ha.json" 2>>"$WORK/load.log" &
  local b=$!
  wait $a $b || true
  local wm hm wc hc wr hr
  wm=$(json "$WORK/$name.weft.json" msgs_per_s)
  hm=$(json "$WORK/$name.ha.json" msgs_per_s)
  wc=$(json "$WORK/$name.weft.json" server_cpu_us_per_msg)
  hc=$(json "$WORK/$name.ha.json" server_cpu_us_per_msg)
  local rss=server_rss_kib
  [[ $name == idle-* ]] && rss=server_rss_kib_per_conn
  wr=$(json "$WORK/$name.weft.json" $rss)
  hr=$(json "$WORK/$name.ha.json" $rss)
  printf '%-14s %12.0f %12.0f %7s %11.3f %11.3f %9s %9s\n' "$name" "$wm" "$hm" \
    "$(awk -v a="$wm" -v b="$hm" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')" "$wc" "$hc" "$wr" "$hr"
}

run 64B-p1 --conns 50 --size 64 --pipeline 1
run 64B-p16 --conns 50 --size 64 --pipeline 16
run 4KiB --conns 50 --size 4096 --pipeline 1
run 1000conns --conns 1000 --size 64 --pipeline 1
run bulk-8MiB --conns 4 --size 8MiB --pipeline 1
run idle-3000 --idle 3000
