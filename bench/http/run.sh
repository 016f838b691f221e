#!/usr/bin/env bash
# HTTP benchmark: weft-http head-to-head with nginx (one worker), Go's net/http
# (GOMAXPROCS=1) and Node's http, driven by wrk (see bench/README.md).
#
#   bench/http/run.sh [--quick] [--reps N] [--duration S] [--servers nginx,go,node]
#                     [--scenarios plain-c100,plain-c1000,plain-p16,static-4k,idle,https-c100,...]
#
# Every run is a pair: weft-http and one peer serve at the same time, both pinned to the
# server CPU, each driven by its own wrk pinned to the load CPU, started together (the
# order alternates between reps). Both see the same machine, so the ratio of their
# figures holds while the machine's speed drifts. The https-* scenarios compare with nginx
# only (same certificate, both on OpenSSL's defaults: TLS 1.3, TLS_AES_256_GCM_SHA384). Prints a table of ratios and writes it,
# with the raw wrk outputs, to build/bench-http/<timestamp>/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/http
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
WEFT_HTTP=$BUILD_DIR/bin/weft-http
PEER_DIR=$BUILD_DIR/bench-http-peers

ALL_SCENARIOS=(plain-c100 plain-c1000 plain-p16 static-4k idle https-c100 https-close https-idle)
declare -A SCENARIO_TITLE=(
  [plain-c100]="14 B plain text, keep-alive, 100 connections"
  [plain-c1000]="14 B plain text, keep-alive, 1000 connections"
  [plain-p16]="14 B plain text, 100 connections, pipelined by 16"
  [static-4k]="4 KiB static file, keep-alive, 100 connections"
  [idle]="memory per idle keep-alive connection (after one request each)"
  [https-c100]="14 B plain text over HTTPS, keep-alive, 100 connections (nginx only)"
  [https-close]="HTTPS, a new connection and full handshake per request, 50 clients (nginx only)"
  [https-idle]="memory per idle keep-alive HTTPS connection (nginx only)"
)

usage() {
  cat <<'USAGE'
usage: bench/http/run.sh [options]
  --quick              1 rep of 2 s runs, 2000 idle connections (about a minute per peer)
  --reps N             repetitions (default 3)
  --duration S         seconds per measured wrk run (default 5)
  --warmup S           unrecorded seconds of load before each (default 1)
  --servers a,b        peers: nginx, go, node (default: all three)
  --scenarios x,y      default: plain-c100,plain-c1000,plain-p16,static-4k,idle,https-c100,
                       https-close,https-idle
  --idle-conns N       connections held by the idle scenario (default 10000)
  --server-cpu N       CPU both servers are pinned to (default 0)
  --load-cpu N         CPU both wrk processes are pinned to (default 1)
  --cpu-cap PCT        cap each server to PCT% of its CPU (a cgroup quota), so that the
                       servers, not the single-threaded wrk, set the pace (default: none)
USAGE
}

REPS=3 DURATION=5 WARMUP=1 IDLE_CONNS=10000 SERVERS=nginx,go,node SERVER_CPU=0 LOAD_CPU=1 CPU_CAP=
SCENARIOS=$(IFS=,; echo "${ALL_SCENARIOS[*]}")
while (($#)); do
  case $1 in
    --reps | --duration | --warmup | --idle-conns | --servers | --scenarios | --server-cpu | --load-cpu | --cpu-cap)
      (($# >= 2)) || { echo "run.sh: $1 needs a value" >&2; exit 2; } ;;&
    --quick) REPS=1 DURATION=2 IDLE_CONNS=2000 ;;
    --reps) REPS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --idle-conns) IDLE_CONNS=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --server-cpu) SERVER_CPU=$2; shift ;;
    --load-cpu) LOAD_CPU=$2; shift ;;
    --cpu-cap) CPU_CAP=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
IFS=, read -ra PEERS <<<"$SERVERS"
IFS=, read -ra RUN_SCENARIOS <<<"$SCENARIOS"
for s in "${RUN_SCENARIOS[@]}"; do
  [[ -n ${SCENARIO_TITLE[$s]:-} ]] || { echo "run.sh: unknown scenario $s" >&2; exit 2; }
done

command -v wrk >/dev/null || { echo "run.sh: wrk is missing (make bench installs it)" >&2; exit 1; }
[[ -x $WEFT_HTTP ]] || { echo "run.sh: $WEFT_HTTP not built (make build)" >&2; exit 1; }

WORK=$BUILD_DIR/bench-http/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$WORK/site/static" "$WORK/nginx" "$PEER_DIR"
RESULTS=$WORK/results.md
RUNS=$WORK/runs.jsonl
head -c 4096 /dev/zero | tr '\0' 'w' >"$WORK/site/static/4k.txt"
CERTS=$WORK/certs
if [[ $SCENARIOS == *https* ]]; then
  "$ROOT/scripts/tls-test-certs.sh" "$CERTS" >/dev/null
fi

source "$ROOT/bench/lib/cpu_cap.sh"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  uncap_all
}
trap cleanup EXIT

# --- peers ---------------------------------------------------------------------------

build_go() {
  command -v go >/dev/null || return 1
  (cd "$HERE/go_http" &&
    GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off \
      GOCACHE="$PEER_DIR/go-cache" GOPATH="$PEER_DIR/go-path" \
      go build -o "$PEER_DIR/go_http" .) >"$WORK/go-build.log" 2>&1
}

# nginx with one worker and no master, everything under $WORK/nginx; TLS for https-*.
nginx_conf() {
  local port=$1 scenario=$2 dir=$WORK/nginx/$1 listen tls=""
  mkdir -p "$dir/tmp"
  listen="127.0.0.1:$port backlog=4096"
  if [[ $scenario == https-* ]]; then
    listen+=" ssl"
    # TLS 1.3 as weft negotiates it (nginx would otherwise settle on 1.2 with these clients).
    tls="ssl_certificate $CERTS/server.pem; ssl_certificate_key $CERTS/server.key; ssl_protocols TLSv1.3;"
  fi
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  default_type text/plain;
  server {
    listen $listen;
    $tls
    location / { return 200 "Hello, World!\n"; }
    location /static/ { root $WORK/site; }
  }
}
EOF
  echo "$dir"
}

# server_argv NAME PORT SCENARIO: sets ARGV to start NAME on 127.0.0.1:PORT.
server_argv() {
  local name=$1 port=$2 scenario=$3
  case $name in
    weft)
      ARGV=("$WEFT_HTTP" --quiet --loops 1 --addr "tcp://127.0.0.1:$port")
      [[ $scenario == static-* ]] && ARGV+=(--root "$WORK/site")
      [[ $scenario == https-* ]] && ARGV+=(--tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key") ;;
    nginx)
      local dir
      dir=$(nginx_conf "$port" "$scenario")
      ARGV=(nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf") ;;
    go) ARGV=(env GOMAXPROCS=1 "$PEER_DIR/go_http" "$port" "$WORK/site") ;;
    node) ARGV=(node "$HERE/node_http.js" "$port" "$WORK/site") ;;
    *) return 1 ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

NEXT_PORT=$((12000 + ($$ % 100) * 20))
# start NAME SCENARIO: starts NAME pinned to the server CPU; sets PID and PORT.
start() {
  while port_open "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
  server_argv "$1" "$PORT" "$2"
  taskset -c "$SERVER_CPU" "${ARGV[@]}" >>"$WORK/$1.log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  local i
  for ((i = 0; i < 500; i++)); do
    port_open "$PORT" && { cap_cpu "$PID" || true; return 0; }
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.02
  done
  echo "run.sh: $1 did not start (see $WORK/$1.log)" >&2
  return 1
}

stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# CPU seconds (user + system) PID has used so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# wrk_args SCENARIO PORT: sets WRK to the wrk command line.
wrk_args() {
  local url=http://127.0.0.1:$2/
  case $1 in
    plain-c100) WRK=(-t1 -c100 "$url") ;;
    plain-c1000) WRK=(-t1 -c1000 "$url") ;;
    plain-p16) WRK=(-t1 -c100 -s "$HERE/pipeline.lua" "$url" -- 16) ;;
    static-4k) WRK=(-t1 -c100 "${url}static/4k.txt") ;;
    https-c100) WRK=(-t1 -c100 "https://127.0.0.1:$2/") ;;
    https-close) WRK=(-t1 -c50 -H "Connection: close" "https://127.0.0.1:$2/") ;;
  esac
}

# Figures from one wrk output: requests/s, p99 in ms, errors (socket errors + non-2xx/3xx).
rps_of() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
requests_of() { awk '/requests in/ {print $1}' "$1"; }
p99_of() {
  awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
    # wrk leaves the high percentiles at 0 when it has too few samples (pipelined runs).
    if (v > 0) printf "%.2f", v * f; else printf "?" }' "$1"
}
errors_of() {
  awk '/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } /Non-2xx/ { n += $5 } END { print n + 0 }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "?" }'; }

# pair PEER SCENARIO REP: one simultaneous run of weft-http and PEER.
pair() {
  local peer=$1 scenario=$2 rep=$3 s
  local order=(weft "$peer")
  ((rep % 2)) || order=("$peer" weft)
  local -A pid=() port=() out=() t0=() t1=()
  for s in "${order[@]}"; do
    start "$s" "$scenario" || { for s in "${!pid[@]}"; do stop "${pid[$s]}"; done; return 1; }
    pid[$s]=$PID port[$s]=$PORT out[$s]=$WORK/$scenario.$peer.$rep.$s.txt
  done
  local loads=()
  # An unrecorded warm-up: connections made, JITs and caches warm.
  for s in "${order[@]}"; do
    wrk_args "$scenario" "${port[$s]}"
    taskset -c "$LOAD_CPU" timeout -k 5 $((WARMUP + 30)) wrk -d "${WARMUP}s" "${WRK[@]}" >/dev/null 2>&1 &
    loads+=($!)
  done
  for s in "${loads[@]}"; do wait "$s" || true; done
  loads=()
  for s in "${order[@]}"; do
    wrk_args "$scenario" "${port[$s]}"
    t0[$s]=$(cpu_ticks "${pid[$s]}")
    taskset -c "$LOAD_CPU" timeout -k 5 $((DURATION + 30)) wrk -d "${DURATION}s" --latency "${WRK[@]}" \
      >"${out[$s]}" 2>&1 &
    loads+=($!)
  done
  for s in "${loads[@]}"; do wait "$s" || true; done
  for s in "${order[@]}"; do
    t1[$s]=$(cpu_ticks "${pid[$s]}")
    stop "${pid[$s]}"
  done
  local tick wr pr wp pp we pe wc pc
  tick=$(getconf CLK_TCK)
  wr=$(rps_of "${out[weft]}") pr=$(rps_of "${out[$peer]}")
  wp=$(p99_of "${out[weft]}") pp=$(p99_of "${out[$peer]}")
  we=$(errors_of "${out[weft]}") pe=$(errors_of "${out[$peer]}")
  # Server CPU per request, in microseconds.
  wc=$(awk -v d=$((t1[weft] - t0[weft])) -v n="$(requests_of "${out[weft]}")" -v t="$tick" \
    'BEGIN { if (n > 0) printf "%.2f", d * 1e6 / t / n; else print "?" }')
  pc=$(awk -v d=$((t1[$peer] - t0[$peer])) -v n="$(requests_of "${out[$peer]}")" -v t="$tick" \
    'BEGIN { if (n > 0) printf "%.2f", d * 1e6 / t / n; else print "?" }')
  printf '{"scenario":"%s","peer":"%s","rep":%s,"first":"%s","weft_rps":%s,"peer_rps":%s,' \
    "$scenario" "$peer" "$rep" "${order[0]}" "${wr:-0}" "${pr:-0}" >>"$RUNS"
  printf '"weft_p99_ms":"%s","peer_p99_ms":"%s","weft_errors":%s,"peer_errors":%s,"weft_cpu_us":"%s","peer_cpu_us":"%s"}\n' \
    "${wp:-0}" "${pp:-0}" "$we" "$pe" "$wc" "$pc" >>"$RUNS"
  printf '| %s | %s | %s | %s | %s | **%s** | %s / %s | %s / %s | %s / %s |\n' "$scenario" "$peer" "$rep" \
    "${wr:-?}" "${pr:-?}" "$(ratio "${wr:-0}" "${pr:-0}")" "${wp:-?}" "${pp:-?}" "$wc" "$pc" "$we" "$pe" |
    tee -a "$RESULTS"
}

# Resident memory of PID in KiB.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# idle_pair PEER REP SCENARIO: memory per idle keep-alive connection, weft-http and PEER,
# each holding IDLE_CONNS connections (bench/http/idle_conns.py) at the same time.
idle_pair() {
  local peer=$1 rep=$2 scenario=$3 s
  local -A pid=() port=() before=() per=() fifo=() holder=()
  local tls=()
  [[ $scenario == https-* ]] && tls=("$CERTS/ca.pem")
  for s in weft "$peer"; do
    start "$s" "$scenario" || { for s in "${!pid[@]}"; do stop "${pid[$s]}"; done; return 1; }
    pid[$s]=$PID port[$s]=$PORT
  done
  for s in weft "$peer"; do
    before[$s]=$(rss_kib "${pid[$s]}")
    fifo[$s]=$WORK/idle.$peer.$rep.$s.fifo
    mkfifo "${fifo[$s]}"
    taskset -c "$LOAD_CPU" timeout -k 5 120 /usr/bin/python3 "$HERE/idle_conns.py" "${port[$s]}" "$IDLE_CONNS" "${tls[@]}" \
      <"${fifo[$s]}" >"$WORK/idle.$peer.$rep.$s.txt" 2>&1 &
    holder[$s]=$!
    local fd
    exec {fd}>"${fifo[$s]}"
    fifo[$s]=$fd
    local i
    for ((i = 0; i < 3000; i++)); do
      grep -q ready "$WORK/idle.$peer.$rep.$s.txt" 2>/dev/null && break
      kill -0 "${holder[$s]}" 2>/dev/null || break
      sleep 0.02
    done
    per[$s]=$(awk -v a="${before[$s]}" -v b="$(rss_kib "${pid[$s]}")" -v n="$IDLE_CONNS" \
      'BEGIN { printf "%.2f", (b - a) / n }')
    grep -q ready "$WORK/idle.$peer.$rep.$s.txt" || per[$s]="?"
  done
  local fd
  for s in weft "$peer"; do
    fd=${fifo[$s]}
    exec {fd}>&-
    wait "${holder[$s]}" 2>/dev/null || true
    rm -f "$WORK/idle.$peer.$rep.$s.fifo"
    stop "${pid[$s]}"
  done
  printf '{"scenario":"%s","peer":"%s","rep":%s,"conns":%s,"weft_kib_per_conn":"%s","peer_kib_per_conn":"%s"}\n' \
    "$scenario" "$peer" "$rep" "$IDLE_CONNS" "${per[weft]}" "${per[$peer]}" >>"$RUNS"
  printf '| %s | %s | %s | %s KiB/conn | %s KiB/conn | **%s** (peer / weft) | | | |\n' "$scenario" "$peer" "$rep" \
    "${per[weft]}" "${per[$peer]}" "$(ratio "${per[$peer]}" "${per[weft]}")" | tee -a "$RESULTS"
}

for peer in "${PEERS[@]}"; do
  case $peer in
    nginx) command -v nginx >/dev/null || { echo "run.sh: nginx is missing (make bench installs it)" >&2; exit 1; } ;;
    go) build_go || { echo "run.sh: go_http did not build (see $WORK/go-build.log)" >&2; exit 1; } ;;
    node) command -v node >/dev/null || { echo "run.sh: node is missing" >&2; exit 1; } ;;
    *) echo "run.sh: unknown server $peer (known: nginx, go, node)" >&2; exit 2 ;;
  esac
done

{
  echo "# weft-http head-to-head ($(date -u +%Y-%m-%dT%H:%MZ), ${DURATION} s runs, $(nproc) CPUs)"
  echo
  for s in "${RUN_SCENARIOS[@]}"; do echo "- $s: ${SCENARIO_TITLE[$s]}"; done
  [[ -n $CPU_CAP && $CPU_CAP != 0 ]] && echo "- each server capped to ${CPU_CAP}% of CPU $SERVER_CPU (cgroup quota)"
  echo
  echo "ratio = weft req/s over the peer's, from the same simultaneous run; p99 in ms; CPU in µs of server time per request."
  echo
  echo "| scenario | peer | rep | weft req/s | peer req/s | ratio | p99 weft / peer | CPU weft / peer | errors weft / peer |"
  echo "|---|---|---|---|---|---|---|---|---|"
} | tee "$RESULTS"
for ((rep = 1; rep <= REPS; rep++)); do
  for scenario in "${RUN_SCENARIOS[@]}"; do
    for peer in "${PEERS[@]}"; do
      [[ $scenario == https-* && $peer != nginx ]] && continue
      if [[ $scenario == *idle ]]; then
        idle_pair "$peer" "$rep" "$scenario" || echo "| $scenario | $peer | $rep | failed |" | tee -a "$RESULTS"
      else
        pair "$peer" "$scenario" "$rep" || echo "| $scenario | $peer | $rep | failed |" | tee -a "$RESULTS"
      fi
    done
  done
done
echo
echo "Results: $RESULTS (raw wrk outputs beside it)"
