// weft-kv: a Redis-compatible in-memory key-value server on weft. `weft-kv --help` lists
// the flags: the common server flags (tools/common/server_flags.h), the worker flags, then
// --requirepass, --maxmemory, --maxmemory-policy, --proto-max-bulk-len,
// --client-output-limit and --admin (/metrics, /stats and /dashboard; docs/metrics.md).
//
// A cache, not a database: everything lives in memory and is gone when the process stops.
// Stops on SIGINT or SIGTERM after flushing the replies it has accepted. With --tls-cert it
// serves TLS only (as redis-server's --tls-port does; `redis-cli --tls` talks to it), and
// SIGHUP reloads the certificate files and the log level.
//
// --workers N (tools/common/worker_flags.h) runs N processes under a master, with
// restarts and hot restart on SIGUSR2. Each worker has a keyspace of its own: a client
// sees the keys of the worker that accepted its connection, PUBLISH reaches that worker's
// subscribers, and a restarted worker (or a hot restart) starts empty. --loops shares one
// keyspace between threads and is the way to scale a single store. A stopping worker serves
// each client until it closes its connection or --shutdown-timeout passes.

#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "admin_flag.h"
#include "cli.h"
#include "options.h"
#include "server.h"
#include "server_flags.h"
#include "shard.h"
#include "weft/net/server.h"
#include "worker_flags.h"

int main(int argc, char** argv) {
  weft::tools::App app("weft-kv",
                       "A Redis-compatible in-memory key-value server. It is a cache, not a database: nothing is "
                       "ever written to disk, and every key is lost when the server stops. Talk to it with "
                       "redis-cli or any Redis client.");
  weft::tools::ServerFlags server{.addr = "tcp://127.0.0.1:6379"};
  server.options.loops = 1;
  weft::tools::add_server_flags(app, server);
  weft::tools::WorkerFlags workers;
  weft::tools::add_worker_flags(app, workers);
  app.get_option("--workers")
      ->description(
          "worker processes under a master (restarts, hot restart on SIGUSR2), each with its own keys: a client "
          "sees only the keys of the worker that accepted it, and a restarted worker starts empty; 0 serves in "
          "this process (use --loops to share one keyspace)");
  weft::kv::Options o;
  std::size_t maxmemory = 0;
  std::size_t max_bulk = o.max_bulk_length;
  app.add_option("--requirepass", o.requirepass, "password clients must give with AUTH; empty for none")
      ->type_name("PASSWORD");
  app.add_size("--maxmemory", maxmemory, "memory for the data (100mb, 2g: units are powers of 1024); 0 for no limit");
  app.add_choice(
      "--maxmemory-policy", o.policy,
      {{"noeviction", weft::kv::EvictionPolicy::noeviction}, {"allkeys-lru", weft::kv::EvictionPolicy::allkeys_lru}},
      "at the limit, refuse writes with an OOM error, or evict the least recently used keys");
  app.add_size("--proto-max-bulk-len", max_bulk, "the longest string a request may carry");
  std::size_t output_limit = server.options.max_outbound;
  app.add_size("--client-output-limit", output_limit,
               "a client whose unsent replies would pass this is disconnected (a subscriber that does not "
               "read); also the largest reply that can be sent; 0 for no limit");
  std::string admin_url;
  weft::tools::add_admin_flag(app, admin_url);
  app.parse_or_exit(argc, argv);
  if (max_bulk == 0) app.fail("--proto-max-bulk-len: must be at least 1 byte");
  // SCAN's cursor names a loop in its low byte.
  if (server.options.loops > 256 || (server.options.loops == 0 && std::thread::hardware_concurrency() > 256)) {
    app.fail("--loops: weft-kv runs at most 256 loops");
  }
  o.address = server.addr;
  o.maxmemory = maxmemory;
  o.max_bulk_length = max_bulk;
  server.options.max_outbound = output_limit;
  if (output_limit != 0 && output_limit < server.options.high_water_mark) {
    server.options.high_water_mark = output_limit;
    server.options.low_water_mark = output_limit / 4;
  }

  std::shared_ptr<weft::tls::Context> tls;
  try {
    tls = weft::tools::use_tls(app, server);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-kv: %s\n", e.what());
    return 1;
  }
  // Runs in this process, or in each worker with --workers: every worker builds its own store.
  return weft::tools::run_workers("weft-kv", server, workers, [&](weft::Worker& worker) {
    // A worker that stops (a hot restart's old generation) serves its clients until they
    // leave: RESP has no way to send them elsewhere.
    o.serve_until_clients_close = worker.supervised();
    weft::kv::KvServer handler(o);
    weft::ServerOptions so = server.options;
    // A request stays in the input until it is complete: room for the largest one.
    so.max_inbound = handler.limits().max_request_length + 1024 * 1024;
    weft::Server s(handler, so);
    worker.attach(s);
    s.start();
    worker.ready();
    // With --workers, the first worker's metrics (docs/metrics.md).
    weft::tools::AdminEndpoint admin(worker.index() == 0 ? admin_url : std::string(), s, "kv");
    admin.watch_tls(tls, "kv");
    if (admin.enabled()) {  // Each loop's command counts beside the engine's; the shards exist once started.
      std::vector<const weft::resp::CommandStats*> stats;
      for (size_t i = 0; i < handler.shard_count(); ++i) stats.push_back(&handler.shard(i).command_stats);
      admin.registry().watch_commands("kv", stats);
    }
    if (!server.quiet && worker.index() == 0) {
      std::printf("weft-kv listening on %s%s with %zu loop(s)%s; in memory only, nothing is saved\n",
                  s.address().to_string().c_str(), tls ? " (TLS)" : "", s.loop_count(),
                  worker.supervised() ? " in each worker, each worker with its own keys" : "");
      admin.print_urls();
      std::fflush(stdout);
    }
    s.wait();
    return 0;
  });
}
