# CPU caps for benchmark servers (sourced, not run). On a two-core machine one core
# serves and the other loads, and a single-threaded load generator (wrk, redis-benchmark)
# can saturate its core before a fast server does: then both servers of a pair answer as
# fast as their loads ask, and the requests/s ratio says nothing about the servers.
# Capping each server to the same share of its CPU (a cgroup's CFS quota) makes the
# servers the bottleneck again, so requests/s measures what a server does with the CPU it
# is given. Needs a writable cgroup (v1 `cpu` controller or v2 `cpu.max`); without one,
# cap_cpu says so and returns 1.
#
#   CPU_CAP=30          # percent of one CPU per server; empty or 0: no cap
#   cap_cpu PID         # after the server started; its threads and child processes
#                       # (nginx's worker) follow
#   uncap_all           # on exit: removes the groups made here

CAP_GROUPS=()

# tree_of PID: PID and its descendants.
tree_of() {
  local c
  echo "$1"
  for c in $(pgrep -P "$1"); do tree_of "$c"; done
}

# join_group DIR PID: moves PID's whole process tree into the group.
join_group() {
  local p
  for p in $(tree_of "$2"); do echo "$p" >"$1/cgroup.procs" || return 1; done
}

cap_cpu() {
  local pid=$1 pct=${CPU_CAP:-0} dir
  [[ $pct =~ ^[0-9]+$ ]] && ((pct > 0)) || return 0
  local quota=$((pct * 100))  # of a 10 ms period: short stalls when throttled
  if [[ -d /sys/fs/cgroup/cpu && -w /sys/fs/cgroup/cpu ]]; then
    dir=/sys/fs/cgroup/cpu/weft-bench-$pid
    mkdir -p "$dir" && echo 10000 >"$dir/cpu.cfs_period_us" && echo "$quota" >"$dir/cpu.cfs_quota_us" &&
      join_group "$dir" "$pid" || { echo "cap_cpu: cannot cap pid $pid in $dir" >&2; return 1; }
  elif [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
    dir=/sys/fs/cgroup/weft-bench-$pid
    mkdir -p "$dir" && echo "$quota 10000" >"$dir/cpu.max" && join_group "$dir" "$pid" ||
      { echo "cap_cpu: cannot cap pid $pid in $dir" >&2; return 1; }
  else
    echo "cap_cpu: no writable cgroup cpu controller: servers run uncapped" >&2
    return 1
  fi
  CAP_GROUPS+=("$dir")
}

uncap_all() {
  local dir
  for dir in "${CAP_GROUPS[@]}"; do
    # A group can only go once its processes have: move stragglers to the root first.
    if [[ -f $dir/cgroup.procs ]]; then
      while read -r p; do echo "$p" >"$(dirname "$dir")/cgroup.procs" 2>/dev/null || true; done <"$dir/cgroup.procs"
    fi
    rmdir "$dir" 2>/dev/null || true
  done
  CAP_GROUPS=()
}
