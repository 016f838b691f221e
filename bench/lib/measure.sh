# One measurement each, for bench/run.sh (sourced, not run). Every function
# starts a fresh server, appends one JSON record to RUNS, and stops the server.
# Records: {"kind", "server", "scenario", "rep", "rc", "result": <weft-load JSON or null>, ...}

# Runs weft-load pinned by LOAD_PIN, bounded by `timeout`; JSON output in $2.
# It runs as a background job so that a signal to run.sh is handled at once
# (bash defers traps while a foreground command runs); cleanup stops it.
load_json() {
  local limit=$1 out=$2
  shift 2
  local rc=0
  timeout -k 5 "$limit" "${LOAD_PIN[@]}" "$LOAD" "$@" --json >"$out" 2>>"$LOG_DIR/load.log" &
  wait $! || rc=$?
  return $rc
}

json_field() {  # json_field KEY [DECIMALS] < json: first numeric value of "KEY"
  local json key=$1
  json=$(cat)
  if [[ $json =~ \"$key\":(-?[0-9.]+) ]]; then
    printf "%.${2:-0}f" "${BASH_REMATCH[1]}"
  else
    echo "?"
  fi
}

# field FILE KEY [DECIMALS]: json_field of a weft-load output, "?" if there is none.
field() {
  if [[ -s $1 ]]; then json_field "$2" "${3:-0}" <"$1"; else echo "?"; fi
}

# json_str TEXT: TEXT escaped for use inside a JSON string.
json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '%s' "${s//$'\n'/ }"
}

append_record() {  # kind server scenario rep rc result-file [extra-json-members]
  local result=null
  [[ -s $6 ]] && result=$(<"$6")
  printf '{"kind":"%s","server":"%s","scenario":"%s","rep":%s,"rc":%s,"result":%s%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "$result" "${7:-}" >>"$RUNS"
}

# measure_load SERVER SCENARIO REP weft-load-args...
measure_load() {
  local server=$1 scenario=$2 rep=$3
  shift 3
  local out=$LOG_DIR/$scenario.$server.$rep.json rc=0
  start_server "$server" "$THREADS" "$LOG_DIR/$server.log" || return 1
  load_json $((${WARMUP%.*} + ${DURATION%.*} + 30)) "$out" \
    --addr "tcp://127.0.0.1:$SERVER_PORT" --server-pid "$SERVER_PID" \
    --duration "$DURATION" --warmup "$WARMUP" "$@" || rc=$?
  stop_server
  append_record load "$server" "$scenario" "$rep" "$rc" "$out"
  printf '    %-10s %10s msg/s  %8s us/msg server cpu  p99 %9s us  errors %s%s\n' "$server" \
    "$(json_field msgs_per_s <"$out")" "$(json_field server_cpu_us_per_msg 3 <"$out")" \
    "$(json_field p99 <"$out")" "$(json_field errors <"$out")" "$( ((rc == 0)) || echo "  (rc $rc)")"
}

# measure_idle SERVER REP: server RSS per idle connection.
measure_idle() {
  local server=$1 rep=$2 out=$LOG_DIR/idle.$1.$2.json rc=0
  start_server "$server" "$THREADS" "$LOG_DIR/$server.log" || return 1
  load_json $((${IDLE_HOLD%.*} + 60)) "$out" --addr "tcp://127.0.0.1:$SERVER_PORT" \
    --server-pid "$SERVER_PID" --idle "$IDLE_CONNS" --duration "$IDLE_HOLD" --connect-timeout 10 ||
    rc=$?
  stop_server
  append_record idle "$server" idle "$rep" "$rc" "$out"
  printf '    %-10s %s of %s established  %8s KiB/conn server RSS%s\n' "$server" \
    "$(json_field established <"$out")" "$IDLE_CONNS" "$(json_field server_rss_kib_per_conn 2 <"$out")" \
    "$( ((rc == 0)) || echo "  (rc $rc)")"
}

# Which syscall counter works here: perf (tracepoint, near-zero overhead) or
# strace -c (ptrace: the server runs much slower while traced).
syscall_method() {
  if command -v perf >/dev/null &&
    perf stat -e raw_syscalls:sys_enter -x, -- true >/dev/null 2>&1; then
    echo perf
  elif command -v strace >/dev/null; then
    echo strace
  else
    echo none
  fi
}

# measure_syscalls SERVER SCENARIO weft-load-args...: syscalls the server made
# per echoed message, counted over a separate load run (warmup included, as
# the counter is attached for the whole run).
measure_syscalls() {
  local server=$1 scenario=$2
  shift 2
  local out=$LOG_DIR/sys.$scenario.$server.json trace=$LOG_DIR/sys.$scenario.$server.txt
  local rc=0 tracer calls
  start_server "$server" "$THREADS" "$LOG_DIR/$server.log" || return 1
  rm -f "$trace"
  if [[ $SYSCALL_METHOD == perf ]]; then
    perf stat -e raw_syscalls:sys_enter -x, -o "$trace" -p "$SERVER_PID" 2>/dev/null &
    tracer=$!
    TRACER_PID=$tracer
    sleep 0.3  # perf prints nothing on attach; give it time to open the counters
  else
    strace -f -c -o "$trace" -p "$SERVER_PID" 2>"$trace.err" &
    tracer=$!
    TRACER_PID=$tracer
    local deadline=$((SECONDS + 5))
    until grep -q attached "$trace.err" 2>/dev/null || ((SECONDS >= deadline)); do sleep 0.02; done
  fi
  load_json $((${SYSCALL_DURATION%.*} + 30)) "$out" --addr "tcp://127.0.0.1:$SERVER_PORT" \
    --duration "$SYSCALL_DURATION" --warmup 0 "$@" || rc=$?
  kill -INT "$tracer" 2>/dev/null || true
  wait "$tracer" 2>/dev/null || true
  TRACER_PID=
  stop_server
  if [[ $SYSCALL_METHOD == perf ]]; then
    calls=$(awk -F, '/raw_syscalls:sys_enter/ {print $1; exit}' "$trace" 2>/dev/null)
  else
    calls=$(awk '$NF == "total" {print $4; exit}' "$trace" 2>/dev/null)
  fi
  [[ $calls =~ ^[0-9]+$ ]] || calls=null
  append_record syscalls "$server" "$scenario" 1 "$rc" "$out" \
    ",\"method\":\"$SYSCALL_METHOD\",\"syscalls\":$calls"
  printf '    %-10s %s syscalls for %s messages\n' "$server" "$calls" "$(json_field msgs_total <"$out")"
}
