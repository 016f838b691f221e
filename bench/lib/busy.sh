# busy_pct: the whole machine's CPU use over one second, in percent (sourced, not run).
# Anything else running (a build, a test suite) competes with the pinned processes of a
# benchmark and skews its figures.
busy_pct() {
  local a b i total=0 idle
  read -ra a </proc/stat
  sleep 1
  read -ra b </proc/stat
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  idle=$((b[4] + b[5] - a[4] - a[5]))
  echo $((total > 0 ? 100 * (total - idle) / total : 0))
}
