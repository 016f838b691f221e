#!/usr/bin/env bash
# Builds the fuzzers with clang (libFuzzer + ASan + UBSan) in build-fuzz/ and runs each codec
# target for FUZZ_SECONDS (default 20) and each protocol target (http_request, ws_frame) for
# PROTOCOL_FUZZ_SECONDS (default 15) over its seed corpus in fuzz/corpus/<target>/. New
# inputs the fuzzer finds go to build-fuzz/corpus/<target>/, crashes to
# build-fuzz/artifacts/<target>/. Targets run side by side, FUZZ_JOBS at a time (default:
# the number of CPUs). Exits non-zero if any target crashes or fails a check.
# Usage: fuzz/run.sh [target...]
#   (targets: line delimiter fixed_length length_field header http_request ws_frame
#    resp_request)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${WEFT_FUZZ_BUILD_DIR:-$root/build-fuzz}"
codec_seconds="${FUZZ_SECONDS:-20}"
protocol_seconds="${PROTOCOL_FUZZ_SECONDS:-15}"
cxx="${FUZZ_CXX:-clang++-14}"
cc="${FUZZ_CC:-clang-14}"

"$root/scripts/ensure-packages.sh" clang-14 libclang-rt-14-dev cmake ninja-build
cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$build" >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(line delimiter fixed_length length_field header http_request ws_frame resp_request)
fi

# fuzz TARGET: one target's run; its verdict goes to $build/TARGET.verdict.
fuzz() {
  local t=$1 seconds=$codec_seconds runs
  case $t in http_* | ws_*) seconds=$protocol_seconds ;; esac
  local work="$build/corpus/$t" artifacts="$build/artifacts/$t" log="$build/$t.log"
  mkdir -p "$work" "$artifacts" "$root/fuzz/corpus/$t"
  # The first corpus directory receives new inputs; the committed seeds are only read.
  if "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1024 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "$root/fuzz/corpus/$t" \
      >"$log" 2>&1; then
    runs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)"
    printf '  %-13s ok      %s executions in %ss\n' "$t" "${runs:-?}" "$seconds" >"$build/$t.verdict"
  else
    printf '  %-13s FAILED  see %s\n' "$t" "$log" >"$build/$t.verdict"
    {
      echo "fuzz_$t failed:"
      grep -E 'codec fuzz|ERROR|SUMMARY|Test unit written' "$log" | head -20 || tail -20 "$log"
    } >&2
  fi
}

jobs_max="${FUZZ_JOBS:-$(nproc)}"
for t in "${targets[@]}"; do
  rm -f "$build/$t.verdict"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  fuzz "$t" &
done
wait || true

status=0
summary=()
for t in "${targets[@]}"; do
  verdict="$(cat "$build/$t.verdict" 2>/dev/null || printf '  %-13s FAILED  no verdict' "$t")"
  summary+=("$verdict")
  [[ $verdict == *" ok "* ]] || status=1
done

echo "fuzzing:"
printf '%s\n' "${summary[@]}"
exit $status
