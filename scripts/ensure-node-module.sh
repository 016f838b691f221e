#!/usr/bin/env bash
# Installs npm packages into DIR/node_modules (npm install --prefix DIR) when they are
# missing; quiet when present. Used by the make targets for the tests that run Node
# clients. When npm or its registry is unreachable it says so and exits 0: those tests then
# skip with a message.
# Usage: scripts/ensure-node-module.sh DIR package...
set -uo pipefail
dir=$1
shift
missing=()
for pkg in "$@"; do
  [ -f "$dir/node_modules/$pkg/package.json" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the tests that use Node's ${missing[*]} will skip"
  exit 0
fi
mkdir -p "$dir"
echo "installing npm packages into $dir: ${missing[*]}"
if ! npm install --prefix "$dir" --no-audit --no-fund --silent "${missing[@]}" >/dev/null 2>&1; then
  echo "npm install ${missing[*]} failed (registry unreachable?): the tests that use them will skip"
fi
exit 0
