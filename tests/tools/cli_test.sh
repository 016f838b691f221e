#!/usr/bin/env bash
# The command-line convention of one weft program (tools/common/cli.h), checked on the
# built binary:
#   --help     exit 0, on stdout only, lists every flag in FLAGS, each with its default
#   --version  exit 0, prints "<name> VERSION"
#   an unknown flag, BAD_FLAG with BAD_VALUE (as "--flag value" and "--flag=value") and a
#   malformed address: exit 2, nothing on stdout, a message on stderr naming the flag
#
# The usage errors are made on a command line that is otherwise complete: REQUIRED (in the
# environment, split on spaces) holds the flags the program cannot start without;
# ADDR_FLAG names the flag taking an address (--addr by default).
#
# Usage: [REQUIRED="--flag value"] [ADDR_FLAG=--listen] cli_test.sh PROGRAM VERSION BAD_FLAG BAD_VALUE FLAG...
set -uo pipefail

program=$1
version=$2
bad_flag=$3
bad_value=$4
shift 4
flags=("$@")
read -r -a required <<<"${REQUIRED:-}"
name=$(basename "$program")
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failures=0

fail() {
  echo "FAIL $name: $*" >&2
  failures=$((failures + 1))
}

# invoke ARGS...: runs the program (bounded in time), sets status, stdout in $out, stderr in $err.
invoke() {
  timeout 10 "$program" "$@" >"$out" 2>"$err"
  status=$?
}

invoke --help
[[ $status -eq 0 ]] || fail "--help exited $status"
[[ ! -s $err ]] || fail "--help wrote to stderr: $(cat "$err")"
# One entry per flag: its line and the indented lines that continue its description.
entries=$(awk '/^  -/ { if (entry) print entry; entry = $0; next }
               /^   / && entry { sub(/^ +/, " "); entry = entry $0; next }
               { if (entry) print entry; entry = "" }
               END { if (entry) print entry }' "$out")
for flag in "${flags[@]}"; do
  entry=$(grep -E -- "^  (-[a-z],)?$flag( |\$)" <<<"$entries")
  if [[ -z $entry ]]; then
    fail "--help does not list $flag"
  elif [[ $entry != *"[default: "* && $entry != *"(required)"* ]]; then
    fail "--help shows no default for $flag: $entry"
  fi
done
listed=$(grep -c '' <<<"$entries")
# Every listed flag is one the test knows, besides --help and --version.
[[ $listed -eq $((${#flags[@]} + 2)) ]] || fail "--help lists $listed flags, expected ${#flags[@]} + --help, --version"

invoke --version
[[ $status -eq 0 ]] || fail "--version exited $status"
[[ $(cat "$out") == "$name $version" ]] || fail "--version printed '$(cat "$out")', expected '$name $version'"

# usage_error WHAT EXPECTED_IN_STDERR ARGS...
usage_error() {
  local what=$1 expected=$2
  shift 2
  invoke "${required[@]}" "$@"
  [[ $status -eq 2 ]] || fail "$what ($*) exited $status, expected 2"
  [[ ! -s $out ]] || fail "$what ($*) wrote to stdout: $(cat "$out")"
  grep -qF -- "$expected" "$err" || fail "$what ($*): stderr does not name $expected: $(cat "$err")"
}

usage_error "an unknown flag" --no-such-flag --no-such-flag
usage_error "a bad value" "$bad_flag" "$bad_flag" "$bad_value"
usage_error "a bad value" "$bad_flag" "$bad_flag=$bad_value"
usage_error "a missing value" "$bad_flag" "$bad_flag"
addr_flag=${ADDR_FLAG:---addr}
usage_error "a malformed address" "$addr_flag" "$addr_flag" "tcp://[::1:7000"
usage_error "a stray argument" "stray" stray

if ((failures > 0)); then
  echo "$name: $failures check(s) failed" >&2
  exit 1
fi
echo "$name: --help, --version and usage errors follow the convention"
