#!/usr/bin/env bash
# Two weft-echo backends behind HAProxy on loopback, under continuous load from weft-load,
# restarted one at a time (drain through HAProxy's runtime API, stop, start, rejoin).
# Fails if traffic does not reach both backends or if any request fails.
#
#   deploy/haproxy/rolling-restart.sh [BIN_DIR]     (default: build/bin)
#
# Exit status: 0 passed, 1 failed, 77 skipped (no haproxy).
set -euo pipefail

BIN_DIR=${1:-build/bin}
ECHO="$BIN_DIR/weft-echo"
LOAD="$BIN_DIR/weft-load"
PY=/usr/bin/python3
if ! command -v haproxy >/dev/null; then
  echo "SKIP: haproxy is not installed (Debian package haproxy)"
  exit 77
fi
for f in "$ECHO" "$LOAD"; do [[ -x $f ]] || { echo "FAIL: $f is missing"; exit 1; }; done

DIR=$(mktemp -d /tmp/weft-haproxy-XXXXXX)
PIDS=()
cleanup() {
  touch "$DIR/stop"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [[ -f $DIR/haproxy.log ]] && tail -5 "$DIR/haproxy.log"; exit 1; }

# Three free loopback ports: the frontend and the two backends.
read -r FRONT PORT_A PORT_B < <($PY -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# Sends one command to HAProxy's runtime API and prints the answer.
api() {
  $PY - "$DIR/admin.sock" "$1" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
out = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    out += chunk
sys.stdout.write(out.decode())
PYEOF
}
# A column of `show stat` for server $1 of backend weft.
stat() {
  api "show stat" | awk -F, -v srv="$1" -v col="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == col || $i == "# " col) c = i; next }
    $1 == "weft" && $2 == srv { print $c }'
}
# Waits up to $2 seconds for the command $1 to succeed.
await() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

declare -A BACKEND_PID
start_backend() {  # name port
  "$ECHO" --addr "tcp://127.0.0.1:$2" --loops 1 --quiet --workers 1 2>>"$DIR/$1.log" &
  BACKEND_PID[$1]=$!
  PIDS+=($!)
  await "accepts $2" 10 || fail "backend $1 does not accept on port $2"
}

cat >"$DIR/haproxy.cfg" <<CFG
global
    maxconn 4000
    stats socket $DIR/admin.sock mode 600 level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch
frontend echo
    bind 127.0.0.1:$FRONT
    default_backend weft
backend weft
    balance roundrobin
    default-server check inter 200ms fall 2 rise 1
    server a 127.0.0.1:$PORT_A
    server b 127.0.0.1:$PORT_B
CFG

start_backend a "$PORT_A"
start_backend b "$PORT_B"
haproxy -db -f "$DIR/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 &
PIDS+=($!)
await "accepts $FRONT" 10 || fail "haproxy does not accept on port $FRONT"
await '[[ $(stat a status) == UP && $(stat b status) == UP ]]' 10 || fail "backends not UP"

# Continuous load: weft-load runs of 0.5 s back to back, 16 fresh connections each.
load_loop() {
  local n=0
  while [[ ! -f $DIR/stop ]]; do
    n=$((n + 1))
    if ! "$LOAD" --addr "tcp://127.0.0.1:$FRONT" --conns 16 --duration 0.5 --warmup 0 >"$DIR/load.$n" 2>&1; then
      echo "run $n failed" >>"$DIR/failures"
    fi
    grep -h '^RESULT' "$DIR/load.$n" >>"$DIR/results" || echo "run $n: no result" >>"$DIR/failures"
  done
}
load_loop &
LOADER=$!
PIDS+=($LOADER)

await '[[ -s $DIR/results ]]' 20 || fail "no load run finished"
(($(stat a stot) > 0 && $(stat b stot) > 0)) || fail "traffic did not reach both backends"
echo "traffic reaches both backends: a $(stat a stot) sessions, b $(stat b stot) sessions"

for name in a b; do
  port=PORT_${name^^}
  port=${!port}
  api "set server weft/$name state drain" >/dev/null
  await "[[ \$(stat $name scur) == 0 ]]" 20 || fail "backend $name did not drain"
  kill -TERM "${BACKEND_PID[$name]}"
  wait "${BACKEND_PID[$name]}" || fail "backend $name did not stop cleanly"
  start_backend "$name" "$port"
  api "set server weft/$name state ready" >/dev/null
  await "[[ \$(stat $name status) == UP ]]" 10 || fail "backend $name did not rejoin"
  before=$(stat "$name" stot)
  await "(( \$(stat $name stot) > before ))" 10 || fail "backend $name gets no traffic after rejoining"
  echo "backend $name restarted and serving again"
done

# A hot restart of one backend behind HAProxy, with no drain: its master hands the
# listening socket to a new generation and nothing is refused.
old=${BACKEND_PID[a]}
kill -USR2 "$old"
await "grep -q 'hot restart: generation 2 (pid' '$DIR/a.log'" 10 || fail "backend a: no hot restart"
new=$(grep -o 'hot restart: generation 2 (pid [0-9]*' "$DIR/a.log" | grep -o '[0-9]*$')
PIDS+=("$new")
wait "$old" || fail "backend a: the old generation did not exit cleanly"
before=$(stat a stot)
await "(( \$(stat a stot) > before ))" 10 || fail "backend a gets no traffic after its hot restart"
echo "backend a hot-restarted behind haproxy"

touch "$DIR/stop"
wait "$LOADER"
runs=$(wc -l <"$DIR/results")
msgs=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^msgs=/) { sub("msgs=", "", $i); s += $i } } END { print s + 0 }' "$DIR/results")
errors=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^errors=/) { sub("errors=", "", $i); s += $i } } END { print s + 0 }' "$DIR/results")
echo "rolling restart under load: $runs weft-load runs, $msgs requests, $errors errors"
[[ ! -s $DIR/failures ]] || fail "$(cat "$DIR/failures")"
((errors == 0)) || fail "$errors requests failed"
echo "PASS"
