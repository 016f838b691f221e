#!/usr/bin/env bash
# Builds the application in tests/package/app/ against weft the four ways a user can, and
# runs it (it exits 0 after an echo round trip through a weft server on loopback):
#
#   find_package      the installed CMake package (find_package(weft CONFIG) + weft::weft)
#   pkg_config        the installed weft.pc, with a plain compiler command line
#   add_subdirectory  weft's source tree inside the application's own tree
#   fetch_content     FetchContent from a git repository holding weft's current sources
#
# Everything happens in WORK, made afresh: weft's own build (the library, programs and
# examples with the default compiler, installed into a prefix), a copy of the application
# per case and its build directory. Nothing uses the build tree that runs the test, so the
# test runs the same from a sanitized build.
# The files each case uses (CMakeLists.txt, build.sh) are the snippets README.md shows;
# the readme case checks that the README quotes them exactly.
#
# Usage: tests/package/run.sh WEFT_SOURCE WORK [case...]
set -euo pipefail

src=$(cd "$1" && pwd)
work=$2
shift 2
cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(readme find_package pkg_config add_subdirectory fetch_content)
here=$src/tests/package
version=$(sed -n 's/^#define WEFT_VERSION_STRING "\(.*\)"$/\1/p' "$src/include/weft/version.h")
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# The application is built the way a user builds it: no build type, no extra flags.
cmake_args=("${generator[@]}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_BUILD_TYPE=)

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix
log=$work/log

fail() {
  echo "package test: $*" >&2
  [[ -s $log ]] && tail -40 "$log" >&2
  exit 1
}

# run DESCRIPTION COMMAND...: runs the command with its output in $log, shown on failure.
run() {
  local what=$1
  shift
  "$@" >"$log" 2>&1 || fail "$what failed: $*"
}

# A fresh copy of the application with the case's own files beside it.
make_app() {
  local dir=$work/$1
  mkdir -p "$dir"
  cp -R "$here/app/." "$dir/"
  cp "$here/$1/"* "$dir/"
  echo "$dir"
}

# Runs the built program; it must print its success line and exit 0.
run_app() {
  local program=$1
  run "running $program" timeout 30 "$program"
  grep -q "weft $version: echo round trip on tcp://127.0.0.1:[0-9]* ok" "$log" || fail "$program said: $(cat "$log")"
}

# weft as a subproject configures only the library: no tests, programs or benchmarks.
check_library_only() {
  local weft_binary_dir=$1 dir
  [[ -d $weft_binary_dir ]] || fail "no weft build in $weft_binary_dir"
  for dir in tests tools bench examples; do
    [[ ! -e $weft_binary_dir/$dir ]] || fail "weft built its $dir as a subproject ($weft_binary_dir/$dir)"
  done
}

installed=0
install_weft() {
  ((installed)) && return 0
  # Built as a user builds it from a release: the default compiler and build type, the
  # programs and examples included, no tests or benchmarks.
  local weft_build=$work/weft-build
  run "configure weft" cmake -S "$src" -B "$weft_build" "${generator[@]}" -DWEFT_BUILD_TESTS=OFF \
    -DWEFT_BUILD_BENCH=OFF
  run "build weft" cmake --build "$weft_build" -j2
  run "cmake --install" cmake --install "$weft_build" --prefix "$prefix"
  for file in include/weft/weft.h include/weft/version.h include/weft/core/event_loop.h lib/libweft.a \
    lib/cmake/weft/weftConfig.cmake lib/cmake/weft/weftConfigVersion.cmake lib/cmake/weft/weftTargets.cmake \
    lib/pkgconfig/weft.pc; do
    [[ -f $prefix/$file ]] || fail "cmake --install did not install $file"
  done
  [[ ! -e $prefix/lib/libweft_tools_common.a ]] || fail "the programs' helper library was installed"
  installed=1
}

case_readme() {
  local readme snippet
  readme=$(cat "$src/README.md")
  for file in find_package/CMakeLists.txt add_subdirectory/CMakeLists.txt fetch_content/CMakeLists.txt \
    pkg_config/build.sh; do
    snippet=$(cat "$here/$file")
    [[ $readme == *"$snippet"* ]] || fail "README.md does not quote tests/package/$file as it is"
  done
  echo "readme: the README quotes every snippet the test runs"
}

case_find_package() {
  install_weft
  local dir
  dir=$(make_app find_package)
  run "configure (find_package)" cmake -S "$dir" -B "$dir/build" "${cmake_args[@]}" -DCMAKE_PREFIX_PATH="$prefix"
  run "build (find_package)" cmake --build "$dir/build" -j2
  run_app "$dir/build/app"

  # The version file: 0.x is found for 0.1, a 1.0 request is refused (SameMajorVersion).
  mkdir -p "$work/version"
  cat >"$work/version/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(version_check LANGUAGES CXX)
find_package(weft 0.1 CONFIG REQUIRED)
if(NOT weft_VERSION STREQUAL "$version")
  message(FATAL_ERROR "found weft \${weft_VERSION}, expected $version")
endif()
find_package(weft 1.0 CONFIG QUIET)
if(weft_FOUND)
  message(FATAL_ERROR "weft $version was accepted for a 1.0 request")
endif()
EOF
  run "version check" cmake -S "$work/version" -B "$work/version/build" -DCMAKE_PREFIX_PATH="$prefix"
  echo "find_package: ok"
}

case_pkg_config() {
  install_weft
  local dir modversion libs
  dir=$(make_app pkg_config)
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  modversion=$(pkg-config --modversion weft) || fail "pkg-config does not find weft.pc"
  [[ $modversion == "$version" ]] || fail "weft.pc says version $modversion, expected $version"
  libs=$(pkg-config --libs weft)
  [[ $libs == *-pthread* ]] || fail "pkg-config --libs weft lacks -pthread: $libs"
  (cd "$dir" && run "build (pkg-config)" sh build.sh)
  run_app "$dir/app"
  echo "pkg_config: ok"
}

case_add_subdirectory() {
  local dir
  dir=$(make_app add_subdirectory)
  mkdir -p "$dir/external"
  ln -s "$src" "$dir/external/weft"
  run "configure (add_subdirectory)" cmake -S "$dir" -B "$dir/build" "${cmake_args[@]}"
  check_library_only "$dir/build/external/weft"
  run "build (add_subdirectory)" cmake --build "$dir/build" -j2 --target app
  run_app "$dir/build/app"
  echo "add_subdirectory: ok"
}

case_fetch_content() {
  # A git repository with weft's current sources (committed or not, build trees left out).
  local repo=$work/weft-repo dir
  mkdir -p "$repo"
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Files deleted but not yet committed are listed too: tar skips them.
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
      tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$repo"
  else
    (cd "$src" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$repo"
  fi
  run "git init" git -C "$repo" init -q -b main
  run "git add" git -C "$repo" add -A
  run "git commit" git -C "$repo" -c user.name=weft -c user.email=weft@localhost commit -qm "weft sources"

  dir=$(make_app fetch_content)
  run "configure (FetchContent)" cmake -S "$dir" -B "$dir/build" "${cmake_args[@]}" -DWEFT_REPOSITORY="file://$repo"
  check_library_only "$dir/build/_deps/weft-build"
  run "build (FetchContent)" cmake --build "$dir/build" -j2 --target app
  run_app "$dir/build/app"
  echo "fetch_content: ok"
}

for c in "${cases[@]}"; do
  declare -F "case_$c" >/dev/null || fail "unknown case $c"
  "case_$c"
done
