# Server registry and process control for bench/run.sh (sourced, not run).
#
# To add a server: add its name to ALL_SERVERS and a case to server_argv. A
# server whose binary is missing, or that exits or never accepts connections
# when started (e.g. `weft-echo --api coro` before the coroutine API exists),
# is skipped for the rest of the run.

ALL_SERVERS=(weft weft-coro epoll go libuv asio libevent)
# Known but run only when named with --servers: weft-echo with edge-triggered epoll, and
# weft-ref, a reference weft-echo binary given by $WEFT_REF_ECHO (say, an earlier
# release's build) to measure a change against.
EXTRA_SERVERS=(weft-et weft-ref)

# Sets SERVER_ARGV: NAME listening on 127.0.0.1:PORT with THREADS threads/loops.
server_argv() {
  local name=$1 port=$2 threads=$3
  case $name in
    weft) SERVER_ARGV=("$BIN_DIR/weft-echo" --addr "tcp://127.0.0.1:$port" --loops "$threads") ;;
    weft-et) SERVER_ARGV=("$BIN_DIR/weft-echo" --edge-triggered --addr "tcp://127.0.0.1:$port" --loops "$threads") ;;
    weft-ref) SERVER_ARGV=("${WEFT_REF_ECHO:-$BIN_DIR/weft-echo-ref}" --addr "tcp://127.0.0.1:$port" --loops "$threads") ;;
    weft-coro)
      SERVER_ARGV=("$BIN_DIR/weft-echo" --api coro --addr "tcp://127.0.0.1:$port" --loops "$threads") ;;
    go) SERVER_ARGV=(env "GOMAXPROCS=$threads" "$PEER_DIR/go_echo" "$port" "$threads") ;;
    epoll | libuv | asio | libevent) SERVER_ARGV=("$PEER_DIR/${name}_echo" "$port" "$threads") ;;
    *) return 1 ;;
  esac
}

# Prints why NAME cannot run, or nothing when its binary is there.
server_missing() {
  local name=$1
  server_argv "$name" 0 1 || { echo "unknown server (known: ${ALL_SERVERS[*]} ${EXTRA_SERVERS[*]})"; return; }
  local exe=${SERVER_ARGV[0]}
  [[ $exe == env ]] && exe=${SERVER_ARGV[2]}
  [[ -x $exe ]] || echo "${exe#"$ROOT/"} not built"
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

NEXT_PORT=$((20000 + ($$ % 40) * 250))

# Optional command put between SERVER_PIN and the server (e.g. valgrind; it must
# exec the server, so that $! stays the server's pid), and how long to wait for
# the port. Callers override them with `local`.
SERVER_WRAP=()
SERVER_START_TIMEOUT=10

# Starts NAME (prefixed by SERVER_PIN, e.g. taskset) and waits until its port
# accepts. Sets SERVER_PID and SERVER_PORT; on failure returns 1 with the
# reason in SERVER_FAILURE.
start_server() {
  local name=$1 threads=$2 log=$3 lines
  SERVER_PID= SERVER_FAILURE=
  while port_open "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  SERVER_PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT >= 31000 ? 20000 : NEXT_PORT + 1))
  server_argv "$name" "$SERVER_PORT" "$threads"
  lines=0
  [[ -f $log ]] && lines=$(wc -l <"$log")
  # taskset, env and valgrind exec the server, so $! is the server's own pid.
  "${SERVER_PIN[@]}" "${SERVER_WRAP[@]}" "${SERVER_ARGV[@]}" >>"$log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + SERVER_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      SERVER_FAILURE="exited at startup: $(sed -n "$((lines + 1))p" "$log")"
      break
    fi
    port_open "$SERVER_PORT" && return 0
    sleep 0.02
  done
  : "${SERVER_FAILURE:=did not accept on 127.0.0.1:$SERVER_PORT within $SERVER_START_TIMEOUT s}"
  stop_server
  return 1
}

# signal_wait PID SIGNAL SECONDS: sends SIGNAL to PID (a child of this shell)
# and waits up to SECONDS for it to exit; true if it has.
signal_wait() {
  local pid=$1 i
  kill -"$2" "$pid" 2>/dev/null || return 0
  for ((i = 0; i < $3 * 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.02
  done
  return 1
}

# stop_pid PID: SIGTERM, then SIGKILL after 3 s; reaps it.
stop_pid() {
  signal_wait "$1" TERM 3 || kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Stops the current server (stop_pid). Idempotent.
stop_server() {
  [[ -n ${SERVER_PID:-} ]] || return 0
  local pid=$SERVER_PID
  SERVER_PID=
  stop_pid "$pid"
}

# Builds the peers (CMake project bench/peers, Go module bench/peers/go) into
# PEER_DIR; incremental, so cheap when nothing changed.
build_peers() {
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  if [[ ! -f $PEER_DIR/CMakeCache.txt ]]; then
    cmake -S "$ROOT/bench/peers" -B "$PEER_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$PEER_DIR" >"$PEER_DIR/build.log" 2>&1 ||
    { cat "$PEER_DIR/build.log" >&2; return 1; }
  if command -v go >/dev/null; then
    (cd "$ROOT/bench/peers/go" &&
      GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off \
        GOCACHE="$PEER_DIR/go-cache" GOPATH="$PEER_DIR/go-path" \
        go build -o "$PEER_DIR/go_echo" .)
  else
    echo "go not found (apt: golang-go): the go peer is skipped" >&2
  fi
}

# Makes sure weft-load exists: $WEFT_LOAD if set, else the main build's copy in
# BIN_DIR, built there (that target alone) when it is missing.
ensure_load() {
  LOAD=${WEFT_LOAD:-$BIN_DIR/weft-load}
  [[ -x $LOAD ]] && return 0
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  echo "weft-load not in ${BIN_DIR#"$ROOT/"}: building it" >&2
  if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$BUILD_DIR" --target weft-load >/dev/null
}
