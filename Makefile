# weft: every target installs what it needs, then builds.
JOBS        ?= $(shell nproc)
BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
TSAN_DIR    ?= build-tsan
CORE_PKGS    = build-essential cmake ninja-build clang libclang-rt-14-dev libgtest-dev libgmock-dev libbenchmark-dev \
               libcli11-dev libc-ares-dev pkgconf git node-llhttp zlib1g-dev libhiredis-dev libssl-dev
# Real peers the tests start: HTTP, WebSocket and TLS clients; redis-server, redis-cli and
# redis-benchmark; HAProxy in front of weft-echo; Prometheus's Python parser and promtool for
# /metrics; headless Chromium for the dashboard (about 100 s to install on a fresh machine).
TEST_PKGS    = curl wrk python3 python3-websockets python3-prometheus-client openssl redis-server redis-tools haproxy \
               chromium prometheus
# Node clients (npm packages), installed under the build tree for both test builds.
NODE_PKGS    = ws
NODE_DIR    ?= $(CURDIR)/$(BUILD_DIR)/node
BENCH_PKGS   = golang-go libuv1-dev libboost-dev libevent-dev strace linux-perf util-linux procps python3 valgrind \
               nginx-light wrk haproxy redis-server redis-tools python3-websockets

.PHONY: all deps test-deps configure build demo test test-release test-asan test-tsan test-fuzz bench bench-http bench-ws clean format

all: build

deps:
	@scripts/ensure-packages.sh $(CORE_PKGS)

test-deps: deps
	@scripts/ensure-packages.sh $(TEST_PKGS)
	@scripts/ensure-node-module.sh $(NODE_DIR) $(NODE_PKGS)

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_NODE_DIR=$(NODE_DIR) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only what the demo runs (weft-echo and weft-load), not the tests: weft-echo with its
# metrics dashboard on an admin port, under waves of load for DEMO_SECONDS (60).
demo: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target weft-echo weft-load
	@tools/demo/demo.sh $(BUILD_DIR)/bin

# The unit, integration and fault tests run under the sanitizers, not twice: once under
# ASan+UBSan (every test, the package tests included, which build weft afresh with the
# default compiler) and once under TSan (the tests whose threads meet), then the fuzzers.
test: test-asan test-tsan test-fuzz

# The optimized build's tests (not part of `make test`; useful before a benchmark).
test-release: build test-deps
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

# The sanitized build uses clang (-O0, line tables only: a report names file and line, and
# the build and links stay quick).
test-asan: test-deps
	@CC=clang CXX=clang++ cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWEFT_SANITIZE=ON \
	  -DCMAKE_C_FLAGS_DEBUG=-gline-tables-only -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only \
	  -DWEFT_NODE_DIR=$(NODE_DIR) >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# ThreadSanitizer (clang, Debug at -O1) over only the tests whose threads meet, built alone:
# unit_core_event_loop_test (posts), unit_core_timer_test, unit_coro_worker_pool_test,
# integration_conn_handle_test (handles), integration_shutdown_test (stop),
# integration_load_balancing_test, integration_coro_offload_test and
# integration_coro_cancel_test (the coroutine drain). The list lives in
# tests/CMakeLists.txt (WEFT_THREAD_TESTS, CTest label `threads`). Any report fails the
# run; tests/tsan.supp holds the few justified suppressions.
test-tsan: deps
	@CXX=clang++ cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWEFT_TSAN=ON \
	  -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -DWEFT_BUILD_BENCH=OFF \
	  -DWEFT_BUILD_TOOLS=OFF -DWEFT_BUILD_EXAMPLES=OFF -DWEFT_INSTALL=OFF >/dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target weft_thread_tests
	@cd $(TSAN_DIR) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  ctest -L threads --output-on-failure -j $(JOBS) --timeout 600

# Each decoder (codecs, HTTP, WebSocket, RESP) under libFuzzer for 15-20 s (FUZZ_SECONDS,
# PROTOCOL_FUZZ_SECONDS), one per CPU at a time.
test-fuzz: deps
	@fuzz/run.sh

bench: build
	@scripts/ensure-packages.sh $(BENCH_PKGS)
	@scripts/ensure-node-module.sh $(NODE_DIR) $(NODE_PKGS)
	@bench/run.sh
	@bench/http/run.sh
	@bench/ws/run.sh
	@bench/kv.sh
	@bench/udp/run.sh
	@bench/broadcast/run.sh

# Only the HTTP comparison: weft-http against nginx, Go net/http and Node http (wrk).
bench-http: build
	@scripts/ensure-packages.sh $(BENCH_PKGS)
	@bench/http/run.sh

# Only the WebSocket echo comparison: weft-http's /ws against Node's ws and Python's websockets.
bench-ws: build
	@scripts/ensure-packages.sh $(BENCH_PKGS)
	@scripts/ensure-node-module.sh $(NODE_DIR) $(NODE_PKGS)
	@bench/ws/run.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) build-fuzz

format:
	@find include src tests examples tools bench -name '*.h' -o -name '*.cpp' | xargs clang-format -i
