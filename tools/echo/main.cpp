// weft-echo: an echo server for trying weft out and for benchmarks.
//
//   weft-echo [--addr URL] [--loops N] [--lb rr|least|hash] [--reuseport]
//             [--idle-timeout SECONDS] [--edge-triggered] [--api callback|coro] [--quiet]
//
// --api coro serves the same echo through the coroutine API: one coroutine per
// connection, for comparing the two.
//
// Stops gracefully on SIGINT or SIGTERM, after flushing what it has accepted.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "weft/coro/coro.h"
#include "weft/weft.h"

namespace {

class EchoHandler final : public weft::Handler {
 public:
  // Everything that arrived goes back. An echo consumes all it reads, so nothing is kept
  // between reads and read() is a view of the loop's read area: no copy until write().
  void on_traffic(weft::Conn& conn) override { conn.write(conn.read()); }
};

// The same echo as a coroutine: each read is a view of what arrived, written straight back.
weft::Task<> echo(weft::Stream s) {
  for (;;) {
    auto data = co_await s.read_some();
    if (!data || co_await s.write(*data)) co_return;
  }
}

[[noreturn]] void usage(const char* problem) {
  if (problem != nullptr) std::fprintf(stderr, "weft-echo: %s\n", problem);
  std::fprintf(stderr,
               "usage: weft-echo [--addr tcp://127.0.0.1:7000] [--loops N] [--lb rr|least|hash]\n"
               "                 [--reuseport] [--idle-timeout SECONDS] [--edge-triggered]\n"
               "                 [--api callback|coro] [--quiet]\n");
  std::exit(problem != nullptr ? 2 : 0);
}

long parse_number(const char* flag, const char* text) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 0) usage((std::string(flag) + " needs a non-negative number").c_str());
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string address = "tcp://127.0.0.1:7000";
  weft::ServerOptions options;
  options.stop_signals = {SIGINT, SIGTERM};
  bool quiet = false;
  bool coro = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage((std::string(arg) + " needs a value").c_str());
      return argv[++i];
    };
    if (arg == "--addr") {
      address = value();
    } else if (arg == "--loops") {
      options.loops = static_cast<size_t>(parse_number("--loops", value()));
    } else if (arg == "--lb") {
      std::string_view lb = value();
      if (lb == "rr") options.load_balancing = weft::LoadBalancing::round_robin;
      else if (lb == "least") options.load_balancing = weft::LoadBalancing::least_connections;
      else if (lb == "hash") options.load_balancing = weft::LoadBalancing::source_hash;
      else usage("--lb must be rr, least or hash");
    } else if (arg == "--reuseport") {
      options.reuse_port = true;
    } else if (arg == "--idle-timeout") {
      options.idle_timeout = std::chrono::seconds(parse_number("--idle-timeout", value()));
    } else if (arg == "--edge-triggered") {
      options.loop.edge_triggered = true;
    } else if (arg == "--api") {
      std::string_view api = value();
      if (api == "coro") coro = true;
      else if (api != "callback") usage("--api must be callback or coro");
    } else if (arg == "--quiet") {
      quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(nullptr);
    } else {
      usage(("unknown flag " + std::string(arg)).c_str());
    }
  }
  try {
    auto serve = [&](auto& server) {
      server.listen(address);
      if (!quiet) {
        std::printf("weft-echo (%s API) listening on %s with %zu loop(s)\n", coro ? "coroutine" : "callback",
                    server.address().to_string().c_str(), server.loop_count());
        std::fflush(stdout);
      }
      server.run();
    };
    if (coro) {
      weft::CoroServer server(echo, options);
      serve(server);
    } else {
      EchoHandler handler;
      weft::Server server(handler, options);
      serve(server);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
