# Instructions per message for bench/run.sh (sourced, not run). Each server
# runs under valgrind's callgrind, once without load (start, wait for the
# port, stop) and once per INSTR_LIST scenario driven by weft-load; then
#   instr/msg = (Ir loaded - Ir idle) / messages echoed.
# callgrind counts the user-space instructions the server executes (its own
# code and its libraries, not the kernel), whatever else the machine is doing.
# Records: {"kind":"instr", "server", "scenario", "rep":1, "rc", "result":
#           <weft-load JSON>, "ir_idle", "ir_loaded", "failure"}
#          {"kind":"instr_skip", "server", "reason"}

# Prints why SERVER is not measured under callgrind, or nothing.
instr_missing() {
  case $1 in
    go) echo "valgrind does not support the Go runtime (see bench/README.md)" ;;
  esac
}

# Sets CALLGRIND_WRAP: the command that runs a server under callgrind writing
# to FILE. `env --default-signal=INT` undoes the SIGINT-ignored disposition a
# script's background job starts with, so SIGINT ends servers that do not
# handle it themselves (valgrind then still writes its output).
callgrind_wrap() {
  CALLGRIND_WRAP=()
  env --default-signal=INT true 2>/dev/null && CALLGRIND_WRAP=(env --default-signal=INT)
  CALLGRIND_WRAP+=(valgrind --tool=callgrind "--callgrind-out-file=$1")
}

# Stops the current server under valgrind: SIGINT, then SIGTERM, then
# SIGKILL (valgrind needs a moment to write its file). False if it took SIGKILL.
stop_callgrind() {
  [[ -n ${SERVER_PID:-} ]] || return 0
  local pid=$SERVER_PID ok=0
  SERVER_PID=
  signal_wait "$pid" INT 30 || signal_wait "$pid" TERM 15 || { kill -KILL "$pid" 2>/dev/null; ok=1; }
  wait "$pid" 2>/dev/null || true
  return $ok
}

# Total instructions (Ir) in a callgrind output file, or nothing.
callgrind_total() {
  callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}'
}

# run_callgrind SERVER TAG OUT [weft-load-args...]: SERVER under callgrind;
# with arguments, drives it with weft-load (JSON in OUT). Sets CG_IR (empty
# when unknown), CG_RC (weft-load's status) and CG_FAILURE.
run_callgrind() {
  local server=$1 tag=$2 out=$3
  shift 3
  local file=$LOG_DIR/callgrind.$tag.$server.out
  rm -f "$file"
  callgrind_wrap "$file"
  # Read by start_server (dynamic scope).
  # shellcheck disable=SC2034
  local -a SERVER_WRAP=("${CALLGRIND_WRAP[@]}")
  # shellcheck disable=SC2034
  local SERVER_START_TIMEOUT=60
  CG_IR= CG_RC=0 CG_FAILURE=
  if ! start_server "$server" "$THREADS" "$LOG_DIR/$server.callgrind.log"; then
    CG_FAILURE="under callgrind: $SERVER_FAILURE"
    return 1
  fi
  if (($#)); then
    load_json $((${INSTR_DURATION%.*} + 60)) "$out" --addr "tcp://127.0.0.1:$SERVER_PORT" \
      --duration "$INSTR_DURATION" --warmup 0 "$@" || CG_RC=$?
  fi
  if stop_callgrind; then
    CG_IR=$(callgrind_total "$file")
    [[ $CG_IR =~ ^[0-9]+$ ]] || { CG_IR=; CG_FAILURE="no PROGRAM TOTALS in ${file#"$ROOT/"}"; }
  else
    CG_FAILURE="valgrind did not exit on SIGINT/SIGTERM: no output"
  fi
  return 0
}

# measure_instr SERVER: the idle run, then one loaded run per INSTR_LIST scenario.
measure_instr() {
  local server=$1 idle failure sc out why
  why=$(instr_missing "$server")
  if [[ -n $why ]]; then
    echo "    $server: skipped: $why"
    printf '{"kind":"instr_skip","server":"%s","reason":"%s"}\n' "$server" "$why" >>"$RUNS"
    return 0
  fi
  run_callgrind "$server" idle "" || true
  idle=$CG_IR failure=$CG_FAILURE
  for sc in "${INSTR_LIST[@]}"; do
    out=$LOG_DIR/instr.$sc.$server.json
    rm -f "$out"
    CG_IR= CG_RC=null CG_FAILURE=$failure
    [[ -z $failure ]] && { run_callgrind "$server" "$sc" "$out" ${SCENARIO_ARGS[$sc]} || true; }
    append_record instr "$server" "$sc" 1 "$CG_RC" "$out" \
      ",\"ir_idle\":${idle:-null},\"ir_loaded\":${CG_IR:-null},\"failure\":\"$(json_str "$CG_FAILURE")\""
    local msgs
    msgs=$(field "$out" msgs_total)
    if [[ -n $CG_FAILURE ]]; then
      printf '    %-10s %-8s FAILED: %s\n' "$server" "$sc" "$CG_FAILURE"
    else
      printf '    %-10s %-8s %s instr/msg  (Ir %s loaded, %s idle; %s msgs, errors %s)\n' \
        "$server" "$sc" \
        "$(awk -v l="$CG_IR" -v i="$idle" -v m="$msgs" \
          'BEGIN { if (m ~ /^[0-9]+$/ && m > 0) printf "%.1f", (l - i) / m; else print "?" }')" \
        "$CG_IR" "$idle" "$msgs" "$(field "$out" errors)"
    fi
  done
}
