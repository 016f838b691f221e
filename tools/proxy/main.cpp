// weft-proxy: a TCP load balancer. Every accepted connection is relayed to one upstream
// chosen among the healthy ones (round robin, least connections, or a hash of the
// client's address); `weft-proxy --help` lists the flags. Stops gracefully on SIGINT or
// SIGTERM, after the relays in flight have drained.
//
// --workers N (tools/common/worker_flags.h) relays in N processes under a master, with
// restarts and hot restart on SIGUSR2; each worker probes the upstreams and keeps its own
// view of which are up. SIGHUP re-reads --log-level-file.

#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "proxy.h"
#include "server_flags.h"
#include "weft/weft.h"
#include "worker_flags.h"

int main(int argc, char** argv) {
  weft::tools::App app("weft-proxy", "A TCP proxy and load balancer: relays each connection to one upstream.");
  weft::tools::ServerFlags flags{.addr = "tcp://127.0.0.1:8000"};
  weft::tools::WorkerFlags workers;
  std::string upstreams;
  weft::proxy::ProxyOptions po;
  weft::ServerOptions& so = flags.options;
  app.add_address("--listen", flags.addr, "where to accept clients");
  app.add_option("--upstream", upstreams, "upstream addresses, separated by commas (tcp://host:port, unix:///path)")
      ->required();
  app.add_number("--loops", so.loops, "I/O loops (0: one per core)", size_t{0}, size_t{1024});
  app.add_choice("--lb", po.balance,
                 {{"rr", weft::proxy::Balance::round_robin},
                  {"least", weft::proxy::Balance::least_connections},
                  {"hash", weft::proxy::Balance::hash}},
                 "how an upstream is chosen: round robin, least connections, hash of the client address");
  app.add_duration("--health-interval", po.health_interval,
                   "seconds between health probes of every upstream (0: none)");
  app.add_duration("--connect-timeout", po.connect_timeout, "seconds a connect to an upstream may take");
  app.add_duration("--idle-timeout", po.idle_timeout, "seconds a quiet connection is kept (0: no limit)");
  app.add_size("--high-water", so.high_water_mark, "bytes queued for one side before the other stops reading");
  app.add_flag("--quiet", po.quiet, "no start-up line");
  weft::tools::add_log_flags(app, flags.log);
  weft::tools::add_worker_flags(app, workers);
  app.get_option("--workers")
      ->description(
          "worker processes under a master (restarts, hot restart on SIGUSR2), each probing the upstreams on its "
          "own; 0 serves in this process");
  app.parse_or_exit(argc, argv);

  std::stringstream list(upstreams);
  for (std::string u; std::getline(list, u, ',');) {
    if (u.empty()) continue;
    try {
      (void)weft::Address::parse(u);
    } catch (const std::exception& e) {
      app.fail("--upstream: " + std::string(e.what()));
    }
    po.upstreams.push_back(u);
  }
  if (po.upstreams.empty()) app.fail("--upstream: at least one address is needed");
  if (po.upstreams.size() > 64) app.fail("--upstream: at most 64 upstreams");
  so.low_water_mark = std::min(so.low_water_mark, so.high_water_mark / 4);

  // Runs in this process, or in each worker with --workers.
  return weft::tools::run_workers("weft-proxy", flags, workers, [&](weft::Worker& worker) {
    weft::proxy::Proxy proxy(so, po);
    worker.attach(proxy.server());
    proxy.server().start();
    worker.ready();
    if (!po.quiet && worker.index() == 0) {
      std::printf("weft-proxy listening on %s with %zu loop(s)%s, %zu upstream(s)\n",
                  proxy.server().address().to_string().c_str(), proxy.server().loop_count(),
                  worker.supervised() ? " in each worker" : "", po.upstreams.size());
      std::fflush(stdout);
    }
    proxy.server().wait();
    return 0;
  });
}
