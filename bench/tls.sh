#!/usr/bin/env bash
# TLS head-to-head (preliminary ratios): weft-echo --tls-cert against two peers, each pair
# serving at the same time on the same CPU and loaded at the same time from another CPU by
# tlsbench (bench/tls/main.go, Go's crypto/tls), so the ratio holds while the machine drifts.
#
#   bench/tls.sh [--duration S] [--peers go,haproxy] [--scenarios echo-4k,handshake,resumed,idle]
#
# Peers: go      a crypto/tls echo server (tlsbench serve, GOMAXPROCS=1)
#        haproxy TLS termination (1 thread) in front of a plain weft-echo, both on the server CPU
# Scenarios: echo-4k    50 connections echoing 4 KiB messages (messages/s)
#            handshake  8 clients making new connections, full handshakes (handshakes/s)
#            resumed    the same with session resumption (TLS 1.3 tickets)
#            idle       memory per idle TLS connection: the servers' resident memory
#                       (VmRSS) grown by 1000 idle connections, divided by 1000 (bytes)
# Prints a table of weft/peer ratios (above 1: weft is faster); records go to
# build/bench-tls/. Uses build/bin/weft-echo (make build) and certificates from
# scripts/tls-test-certs.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
ECHO=$BUILD_DIR/bin/weft-echo
OUT=$BUILD_DIR/bench-tls
DURATION=3
PEERS=go,haproxy
SCENARIOS=echo-4k,handshake,resumed,idle
IDLE_CONNS=1000
while (($#)); do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "tls.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $ECHO ]] || { echo "tls.sh: $ECHO not built (make build)" >&2; exit 1; }

mkdir -p "$OUT"
CERTS=$(mktemp -d /tmp/weft-tls-bench-XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$CERTS"
}
trap cleanup EXIT

"$ROOT/scripts/tls-test-certs.sh" "$CERTS" >/dev/null
cat "$CERTS/server.pem" "$CERTS/server.key" >"$CERTS/haproxy.pem"
(cd "$ROOT/bench/tls" && GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off \
  GOCACHE="$OUT/go-cache" GOPATH="$OUT/go-path" go build -o "$OUT/tlsbench" .)
TLSBENCH=$OUT/tlsbench

CPUS=$(nproc)
SERVER_PIN=(taskset -c 0)
LOAD_PIN=(taskset -c $((CPUS > 1 ? 1 : 0)))

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Below the ephemeral range (32768 and up), which the load's own sockets use.
NEXT_PORT=$((31000 + ($$ % 50) * 20))
free_port() {
  while port_open "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}
wait_port() {
  local i
  for i in $(seq 100); do port_open "$1" && return 0; sleep 0.05; done
  echo "tls.sh: nothing listens on port $1" >&2
  return 1
}

# start NAME: starts server NAME on a fresh port (PORT), pinned to the server CPU; its
# processes' pids go to SERVER_PIDS.
start() {
  local first=${#PIDS[@]}
  free_port
  case $1 in
    weft)
      "${SERVER_PIN[@]}" "$ECHO" --quiet --loops 1 --addr "tcp://127.0.0.1:$PORT" \
        --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" 2>>"$OUT/weft.log" &
      PIDS+=($!) ;;
    go)
      GOMAXPROCS=1 "${SERVER_PIN[@]}" "$TLSBENCH" serve -addr "127.0.0.1:$PORT" -cert "$CERTS/server.pem" \
        -key "$CERTS/server.key" 2>>"$OUT/go.log" &
      PIDS+=($!) ;;
    haproxy)
      local front=$PORT
      free_port
      local back=$PORT
      "${SERVER_PIN[@]}" "$ECHO" --quiet --loops 1 --addr "tcp://127.0.0.1:$back" &
      PIDS+=($!)
      cat >"$OUT/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 4096
  tune.ssl.default-dh-param 2048
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend tls
  bind 127.0.0.1:$front ssl crt $CERTS/haproxy.pem
  default_backend echo
backend echo
  server echo 127.0.0.1:$back
CFG
      "${SERVER_PIN[@]}" haproxy -q -f "$OUT/haproxy.cfg" &
      PIDS+=($!)
      wait_port "$back"
      PORT=$front ;;
  esac
  wait_port "$PORT"
  SERVER_PIDS=("${PIDS[@]:first}")
}

# rss PID...: the resident memory of these processes together, in KiB.
rss() {
  local pid total=0
  for pid in "$@"; do total=$((total + $(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"))); done
  echo "$total"
}

# idle_bytes PORT PID...: resident memory per idle connection, in bytes, for the server
# made of PIDs: 1000 TLS connections are opened, used once and held.
idle_bytes() {
  local port=$1 i before after held
  local out=$OUT/idle.$port.json
  shift
  before=$(rss "$@")
  : >"$out"
  GOMAXPROCS=1 "${LOAD_PIN[@]}" "$TLSBENCH" load -hold -addr "127.0.0.1:$port" -ca "$CERTS/ca.pem" \
    -conns "$IDLE_CONNS" -duration 2s >"$out" &
  local load=$!
  for i in $(seq 600); do grep -q held "$out" && break; sleep 0.1; done
  after=$(rss "$@")
  held=$(sed -n 's/.*"held": *\([0-9]*\).*/\1/p' "$out")
  wait "$load" || true
  awk -v a="$after" -v b="$before" -v n="${held:-0}" 'BEGIN { if (n > 0) printf "%.0f", (a - b) * 1024 / n; else print "?" }'
}

scenario_args() {
  case $1 in
    echo-4k) echo "-conns 50 -size 4096" ;;
    handshake) echo "-handshakes -conns 8" ;;
    resumed) echo "-handshakes -resume -conns 8" ;;
  esac
}

ops() { sed -n 's/.*"ops_per_sec":\([0-9.e+]*\).*/\1/p' "$1"; }

printf '| scenario | peer | weft ops/s | peer ops/s | weft/peer |\n|---|---|---|---|---|\n' | tee "$OUT/latest.md"
IFS=, read -r -a peers <<<"$PEERS"
IFS=, read -r -a scenarios <<<"$SCENARIOS"
for scenario in "${scenarios[@]}"; do
  for peer in "${peers[@]}"; do
    PIDS=()
    start weft
    weft_port=$PORT weft_pids=("${SERVER_PIDS[@]}")
    start "$peer"
    peer_port=$PORT peer_pids=("${SERVER_PIDS[@]}")
    if [[ $scenario == idle ]]; then
      w=$(idle_bytes "$weft_port" "${weft_pids[@]}")
      p=$(idle_bytes "$peer_port" "${peer_pids[@]}")
      for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
      for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
      PIDS=()
      ratio=$(awk -v a="$w" -v b="$p" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "?" }')
      printf '| idle (bytes/conn, lower is better) | %s | %s | %s | %s |\n' "$peer" "$w" "$p" "$ratio" |
        tee -a "$OUT/latest.md"
      continue
    fi
    read -r -a args <<<"$(scenario_args "$scenario")"
    GOMAXPROCS=1 "${LOAD_PIN[@]}" "$TLSBENCH" load -addr "127.0.0.1:$weft_port" -ca "$CERTS/ca.pem" \
      -duration "${DURATION}s" "${args[@]}" >"$OUT/$scenario.$peer.weft.json" &
    a=$!
    GOMAXPROCS=1 "${LOAD_PIN[@]}" "$TLSBENCH" load -addr "127.0.0.1:$peer_port" -ca "$CERTS/ca.pem" \
      -duration "${DURATION}s" "${args[@]}" >"$OUT/$scenario.$peer.peer.json" &
    b=$!
    wait "$a" "$b" || true
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
    w=$(ops "$OUT/$scenario.$peer.weft.json")
    p=$(ops "$OUT/$scenario.$peer.peer.json")
    ratio=$(awk -v a="$w" -v b="$p" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "?" }')
    printf '| %s | %s | %.0f | %.0f | %s |\n' "$scenario" "$peer" "${w:-0}" "${p:-0}" "$ratio" | tee -a "$OUT/latest.md"
  done
done
