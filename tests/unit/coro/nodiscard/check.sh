#!/bin/sh
# Every coroutine awaitable is [[nodiscard]]: awaitables.cpp must compile under -Werror
# with each call awaited, and draw one unused-result warning per call when the calls are
# discarded (`s.write(x);` without co_await). Usage: check.sh <c++ compiler> <include dir>
set -u
cxx=$1
include=$2
src=$(dirname "$0")/awaitables.cpp
flags="-std=c++20 -fsyntax-only -Wall -Wextra -I$include"
# clang stops after 20 errors unless told otherwise (g++ has no limit by default).
case $($cxx --version 2>/dev/null) in *clang*) flags="$flags -ferror-limit=0" ;; esac

if ! out=$($cxx $flags -Werror -DAWAITED "$src" 2>&1); then
  echo "FAIL: the awaited calls do not compile:"
  echo "$out"
  exit 1
fi

# Discarded: the -Werror build must fail, on exactly the marked lines.
expected=$(grep -n '// call$' "$src" | cut -d: -f1 | sort -n | tr '\n' ' ')
if out=$($cxx $flags -Werror "$src" 2>&1); then
  echo "FAIL: a -Werror build with discarded awaitables succeeded"
  exit 1
fi
failed=$(printf '%s\n' "$out" | grep -E 'awaitables.cpp:[0-9]+:[0-9]+: error: .*(nodiscard|unused)' |
  sed -E 's/.*awaitables.cpp:([0-9]+):.*/\1/' | sort -nu | tr '\n' ' ')
if [ "$failed" != "$expected" ]; then
  echo "FAIL: discarded awaitables diagnosed on lines [$failed], expected [$expected]"
  echo "$out"
  exit 1
fi
echo "ok: $(echo "$expected" | wc -w) discarded awaitables diagnosed"
