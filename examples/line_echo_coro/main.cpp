// Line echo as a coroutine: one coroutine per connection reads a line and writes it back,
// in plain sequential code. Compare examples/echo, the same idea with callbacks.
//
//   build/bin/example_line_echo_coro tcp://127.0.0.1:7000    then:   nc 127.0.0.1 7000
//
// SIGINT or SIGTERM stops gracefully: the listener closes, replies already written are
// flushed to their clients, and every coroutine's pending read completes with
// Errc::closed, so each one ends on its own.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "weft/coro/coro.h"

using namespace std::chrono_literals;

namespace {

weft::Task<> line_echo(weft::Stream s) {
  const std::string peer = s.remote_address().to_string();
  std::printf("open  %s\n", peer.c_str());
  for (;;) {
    // A line is at most 4 KiB, and a client that says nothing for a minute is dropped.
    // `line` is a view of the connection's input: no copy on the way back.
    auto line = co_await weft::with_timeout(60s, s.read_until("\n", 4096));
    if (!line) {
      std::printf("close %s (%s)\n", peer.c_str(), line.error().message().c_str());
      co_return;  // Dropping the Stream closes the connection.
    }
    if (auto ec = co_await s.write(*line)) co_return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* address = argc > 1 ? argv[1] : "tcp://127.0.0.1:7000";
  try {
    weft::ServerOptions options;
    options.loops = 2;
    options.stop_signals = {SIGINT, SIGTERM};
    options.shutdown_timeout = 5s;  // How long in-flight replies may take to drain.
    weft::CoroServer server(line_echo, options);
    server.listen(address);
    std::printf("line echo (coroutines) on %s\n", server.address().to_string().c_str());
    std::fflush(stdout);
    server.run();
    std::printf("stopped\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "line_echo_coro: %s\n", e.what());
    return 1;
  }
}
