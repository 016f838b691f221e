// weft-kv: a Redis-compatible in-memory key-value server on weft.
//
//   weft-kv [--addr URL] [--loops N] [--requirepass PASSWORD] [--maxmemory BYTES]
//           [--maxmemory-policy noeviction|allkeys-lru] [--proto-max-bulk-len BYTES] [--quiet]
//
// A cache, not a database: everything lives in memory and is gone when the process stops.
// Stops on SIGINT or SIGTERM after flushing the replies it has accepted.

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "options.h"
#include "server.h"
#include "weft/core/address.h"
#include "weft/net/server.h"

namespace {

[[noreturn]] void bad_flag(const std::string& flag, const std::string& why) {
  std::fprintf(stderr, "weft-kv: %s: %s\n", flag.c_str(), why.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using weft::kv::Options;
  Options o;
  std::string maxmemory = "0";
  std::string policy = "noeviction";
  std::string bulk = "512mb";
  bool quiet = false;

  CLI::App app(
      "weft-kv: a Redis-compatible in-memory key-value server.\n"
      "It is a cache, not a database: nothing is ever written to disk, and every key is lost\n"
      "when the server stops. Talk to it with redis-cli or any Redis client.");
  app.set_version_flag("--version", std::string("weft-kv ") + std::string(weft::kv::kVersion));
  app.option_defaults()->always_capture_default();
  app.add_option("--addr", o.address, "Address to listen on (tcp://host:port, tcp://[v6]:port, unix:///path)");
  app.add_option("--loops", o.loops, "Event loops (threads); each owns a share of the keys")->check(CLI::Range(1, 256));
  app.add_option("--requirepass", o.requirepass, "Password clients must AUTH with (empty: none)");
  app.add_option("--maxmemory", maxmemory,
                 "Memory limit for the data (bytes, or with a unit: 100mb, 1gb; 0: no limit)");
  app.add_option("--maxmemory-policy", policy, "What to do at the limit: noeviction (refuse writes) or allkeys-lru")
      ->check(CLI::IsMember({"noeviction", "allkeys-lru"}, CLI::ignore_case));
  app.add_option("--proto-max-bulk-len", bulk, "Longest string a request may carry (bytes, or with a unit)");
  app.add_flag("--quiet", quiet, "Do not print the listening address");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  std::optional<uint64_t> bytes = weft::kv::parse_memory(maxmemory);
  if (!bytes) bad_flag("--maxmemory", "expected a size such as 100mb or 1073741824, got '" + maxmemory + "'");
  o.maxmemory = *bytes;
  o.policy = *weft::kv::parse_policy(policy);
  std::optional<uint64_t> max_bulk = weft::kv::parse_memory(bulk);
  if (!max_bulk || *max_bulk < 1) bad_flag("--proto-max-bulk-len", "expected a size of at least 1 byte");
  o.max_bulk_length = *max_bulk;
  try {
    weft::Address::parse(o.address);
  } catch (const std::exception& e) {
    bad_flag("--addr", e.what());
  }

  try {
    weft::kv::KvServer handler(o);
    weft::ServerOptions so;
    so.loops = o.loops;
    so.stop_signals = {SIGINT, SIGTERM};
    // A request stays in the input until it is complete: room for the largest one.
    so.max_inbound = handler.limits().max_request_length + 1024 * 1024;
    weft::Server server(handler, so);
    server.listen(o.address);
    if (!quiet) {
      std::printf("weft-kv %s listening on %s with %zu loop(s); in memory only, nothing is saved\n",
                  std::string(weft::kv::kVersion).c_str(), server.address().to_string().c_str(), server.loop_count());
      std::fflush(stdout);
    }
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-kv: %s\n", e.what());
    return 1;
  }
  return 0;
}
