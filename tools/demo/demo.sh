#!/usr/bin/env bash
# The metrics demo (make demo): weft-echo with its admin address, driven by weft-load in
# waves, for DEMO_SECONDS (60 by default); open the dashboard URL it prints while it runs.
# Everything stops by itself at the end, or at Ctrl-C.
#
# Usage: tools/demo/demo.sh BIN_DIR   (environment: DEMO_SECONDS, DEMO_PORT, DEMO_ADMIN_PORT)
set -euo pipefail

bin=${1:?usage: demo.sh BIN_DIR}
seconds=${DEMO_SECONDS:-60}
port=${DEMO_PORT:-7000}
admin_port=${DEMO_ADMIN_PORT:-9090}
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin/weft-echo" --addr "tcp://127.0.0.1:$port" --admin "tcp://127.0.0.1:$admin_port" --loops 2 &
pids+=($!)
echo_pid=$!
for _ in $(seq 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$admin_port") 2>/dev/null; then break; fi
  kill -0 "$echo_pid" 2>/dev/null || { echo "weft-echo did not start" >&2; exit 1; }
  sleep 0.1
done

echo
echo "  Dashboard:   http://127.0.0.1:$admin_port/dashboard"
echo "  Prometheus:  http://127.0.0.1:$admin_port/metrics     JSON: http://127.0.0.1:$admin_port/stats"
echo "  More load:   $bin/weft-load --addr tcp://127.0.0.1:$port --conns 200 --duration 20"
echo "  Running for $seconds s with changing load; Ctrl-C stops it sooner."
echo

# Waves of load, each a few seconds: small messages on many connections, large messages,
# a fixed rate, idle connections. Each wave is bounded by its own --duration.
end=$((SECONDS + seconds))
waves=("--conns 50 --size 64" "--conns 8 --size 65536" "--conns 200 --size 512 --rate 20000" "--idle 2000"
       "--conns 100 --size 4096 --pipeline 4")
i=0
while ((SECONDS < end)); do
  left=$((end - SECONDS))
  dur=$((left < 8 ? left : 8))
  ((dur > 0)) || break
  wave=${waves[i % ${#waves[@]}]}
  echo "load: $wave for $dur s"
  # shellcheck disable=SC2086  # the wave is a list of flags
  timeout -k 2 $((dur + 10)) "$bin/weft-load" --addr "tcp://127.0.0.1:$port" $wave --duration "$dur" --warmup 0 \
    >/dev/null 2>&1 || true
  i=$((i + 1))
done
echo "demo finished"
