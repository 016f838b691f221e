# Head-to-head runs for bench/run.sh (sourced, not run). The baseline and one
# peer serve at the same time, both pinned to the server CPU on their own
# ports, each driven by its own weft-load (same arguments, both on the load
# CPU) started together. Both see the same machine, so the ratio of their
# figures holds still while the machine's speed drifts from run to run.
# Record: {"kind":"pair", "server": PEER, "baseline", "scenario", "rep",
#          "first": who was started first, "rc", "result": PEER's weft-load JSON,
#          "base_rc", "base_result": the baseline's, "failure": why it did not run}

PAIR_PIDS=()  # servers of the pair being measured; stop_pair (and cleanup) stop them

stop_pair() {
  local pid
  for pid in "${PAIR_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PAIR_PIDS[@]}"; do stop_pid "$pid"; done
  PAIR_PIDS=()
}

# start_load OUT PORT SERVER_PID weft-load-args...: one weft-load in the
# background, bounded by `timeout`; sets LOAD_PID. The caller waits for it
# (cleanup reaps it on any exit).
start_load() {
  local out=$1 port=$2 pid=$3
  shift 3
  timeout -k 5 $((${WARMUP%.*} + ${DURATION%.*} + 30)) "${LOAD_PIN[@]}" "$LOAD" \
    --addr "tcp://127.0.0.1:$port" --server-pid "$pid" --duration "$DURATION" --warmup "$WARMUP" \
    "$@" --json >"$out" 2>>"$LOG_DIR/load.log" &
  LOAD_PID=$!
}

# ratio_of A B: A/B with 3 decimals, or "?" when either is not a positive number.
ratio_of() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a > 0 && b > 0) printf "%.3f", a / b; else print "?" }'
}

# measure_pair PEER SCENARIO REP weft-load-args...: one simultaneous run of
# BASELINE and PEER. Odd reps start the baseline first (lower port, load
# launched first), even reps the peer. Returns 1 only if PEER did not start.
measure_pair() {
  local peer=$1 scenario=$2 rep=$3
  shift 3
  local order=("$BASELINE" "$peer") s r failure= peer_failed=0 loads=()
  ((rep % 2)) || order=("$peer" "$BASELINE")
  local -A port=() spid=() out=() rc=()
  for s in "${order[@]}"; do
    out[$s]=$LOG_DIR/pair.$scenario.$peer.$rep.$s.json
    rc[$s]=null
    rm -f "${out[$s]}"
  done
  for s in "${order[@]}"; do
    if ! start_server "$s" "$THREADS" "$LOG_DIR/$s.log"; then
      failure="$s: $SERVER_FAILURE"
      [[ $s == "$peer" ]] && peer_failed=1
      break
    fi
    spid[$s]=$SERVER_PID port[$s]=$SERVER_PORT
    PAIR_PIDS+=("$SERVER_PID")
    SERVER_PID=  # owned by PAIR_PIDS now
  done
  if [[ -z $failure ]]; then
    for s in "${order[@]}"; do
      start_load "${out[$s]}" "${port[$s]}" "${spid[$s]}" "$@"
      loads+=("$LOAD_PID")
    done
    for s in "${order[@]}"; do
      r=0
      wait "${loads[0]}" || r=$?
      loads=("${loads[@]:1}")
      rc[$s]=$r
    done
  fi
  stop_pair

  local result=null base_result=null
  [[ -s ${out[$peer]} ]] && result=$(<"${out[$peer]}")
  [[ -s ${out[$BASELINE]} ]] && base_result=$(<"${out[$BASELINE]}")
  printf '{"kind":"pair","server":"%s","baseline":"%s","scenario":"%s","rep":%s,"first":"%s",' \
    "$peer" "$BASELINE" "$scenario" "$rep" "${order[0]}" >>"$RUNS"
  printf '"rc":%s,"base_rc":%s,"result":%s,"base_result":%s,"failure":"%s"}\n' \
    "${rc[$peer]}" "${rc[$BASELINE]}" "$result" "$base_result" "$(json_str "$failure")" >>"$RUNS"

  local bcpu pcpu bmsgs pmsgs berr perr
  bcpu=$(field "${out[$BASELINE]}" server_cpu_us_per_msg 4)
  pcpu=$(field "${out[$peer]}" server_cpu_us_per_msg 4)
  bmsgs=$(field "${out[$BASELINE]}" msgs_per_s)
  pmsgs=$(field "${out[$peer]}" msgs_per_s)
  berr=$(field "${out[$BASELINE]}" errors)
  perr=$(field "${out[$peer]}" errors)
  if [[ -n $failure ]]; then
    printf '    %-10s FAILED: %s\n' "$peer" "$failure"
  else
    printf '    %-10s cpu/msg %s/%s = %s   msgs/s %s/%s = %s   errors %s/%s%s\n' "$peer" \
      "$peer" "$BASELINE" "$(ratio_of "$pcpu" "$bcpu")" "$BASELINE" "$peer" \
      "$(ratio_of "$bmsgs" "$pmsgs")" "$berr" "$perr" \
      "$( [[ ${rc[$peer]} == 0 && ${rc[$BASELINE]} == 0 && $berr == 0 && $perr == 0 ]] ||
        echo "  FAILED (rc ${rc[$BASELINE]}/${rc[$peer]})")"
  fi
  ((peer_failed == 0))
}
