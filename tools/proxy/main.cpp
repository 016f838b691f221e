// weft-proxy: a TCP load balancer. Every accepted connection is relayed to one upstream
// chosen among the healthy ones (round robin, least connections, or a hash of the
// client's address); `weft-proxy --help` lists the flags. With --tls-cert it terminates
// TLS from clients; with --upstream-tls it speaks TLS to the upstreams, verifying each
// one's certificate against the host in its address. Stops gracefully on SIGINT or
// SIGTERM, after the relays in flight have drained; SIGHUP reloads --tls-cert's files and
// --log-level-file. --admin URL serves its metrics there (/metrics, /stats, /dashboard;
// docs/metrics.md).
//
// --workers N (tools/common/worker_flags.h) relays in N processes under a master, with
// restarts and hot restart on SIGUSR2; each worker probes the upstreams and keeps its own
// view of which are up.

#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "admin_flag.h"
#include "cli.h"
#include "proxy.h"
#include "server_flags.h"
#include "tls_flags.h"
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
  app.add_number("--splice-pipes", po.splice_pipes,
                 "pipes (two descriptors each) for relaying bulk streams with splice, without copying; 0: never",
                 size_t{0}, size_t{100000});
  app.add_flag("--quiet", po.quiet, "no start-up line");
  weft::tools::add_tls_flags(app, flags.tls);
  bool upstream_tls = false;
  std::string upstream_ca;
  app.add_flag("--upstream-tls", upstream_tls,
               "speak TLS to the upstreams, verifying each certificate against the host in its address");
  app.add_file("--upstream-ca", upstream_ca,
               "the CA that signs the upstreams' certificates (PEM); the system's roots without it");
  std::string admin_url;
  weft::tools::add_admin_flag(app, admin_url);
  weft::tools::add_log_flags(app, flags.log);
  weft::tools::add_worker_flags(app, workers);
  app.get_option("--workers")
      ->description(
          "worker processes under a master (restarts, hot restart on SIGUSR2), each probing the upstreams on its "
          "own; 0 serves in this process");
  app.parse_or_exit(argc, argv);
  if (!upstream_ca.empty() && !upstream_tls) app.fail("--upstream-ca needs --upstream-tls");

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

  std::shared_ptr<weft::tls::Context> front_tls;
  try {
    front_tls = weft::tools::use_tls(app, flags);  // Also what SIGHUP reloads.
    if (upstream_tls) po.upstream_transport = weft::tls::Context::client({.ca_file = upstream_ca});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-proxy: %s\n", e.what());
    return 1;
  }
  // Runs in this process, or in each worker with --workers.
  return weft::tools::run_workers("weft-proxy", flags, workers, [&](weft::Worker& worker) {
    weft::proxy::Proxy proxy(so, po);
    worker.attach(proxy.server());
    proxy.server().start();
    worker.ready();
    // With --workers, the first worker's metrics (docs/metrics.md).
    weft::tools::AdminEndpoint admin(worker.index() == 0 ? admin_url : std::string(), proxy.server(), "proxy");
    admin.watch_tls(front_tls, "proxy");
    for (size_t i = 0; admin.enabled() && i < po.upstreams.size(); ++i) {
      const weft::metrics::Labels labels = {{"upstream", po.upstreams[i]}};
      admin.registry().gauge_fn(
          "weft_proxy_upstream_up", "1 while the upstream is taken as healthy, else 0.",
          [&proxy, i] { return proxy.up(i) ? int64_t{1} : int64_t{0}; }, labels);
      admin.registry().gauge_fn(
          "weft_proxy_upstream_relays", "Relays dialing or connected to the upstream.",
          [&proxy, i] { return static_cast<int64_t>(proxy.active(i)); }, labels);
    }
    if (admin.enabled()) {
      admin.registry().counter_fn("weft_proxy_spliced_bytes_total",
                                  "Bytes relayed with splice(2), without passing through user space.",
                                  [&proxy] { return proxy.spliced_bytes(); });
      admin.registry().gauge_fn("weft_proxy_pipes", "Pipes open for splicing, in use or kept for reuse.",
                                [&proxy] { return static_cast<int64_t>(proxy.pipes_open()); });
      // The engine metrics above are the client side's; the upstream side's connections
      // are the proxy's Client's, summed over its loops.
      auto upstream = [&proxy](auto field) {
        return [&proxy, field] {
          const weft::Client& c = proxy.upstream_client();
          uint64_t n = 0;
          for (size_t i = 0; i < c.loop_count(); ++i) n += field(c.conn_stats(i));
          return n;
        };
      };
      auto& reg = admin.registry();
      reg.counter_fn("weft_proxy_upstream_connections_total",
                     "Connections to upstreams, dials that failed and health probes included.",
                     upstream([](const weft::ConnStats& s) { return s.accepted.get(); }));
      reg.gauge_fn("weft_proxy_upstream_connections_open", "Connections to upstreams open now (probes included).",
                   [f = upstream([](const weft::ConnStats& s) { return s.accepted.get() - s.closed_total(); })] {
                     return static_cast<int64_t>(f());
                   });
      reg.counter_fn("weft_proxy_upstream_received_bytes_total", "Bytes read from upstreams.",
                     upstream([](const weft::ConnStats& s) { return s.bytes_in.get(); }));
      reg.counter_fn("weft_proxy_upstream_sent_bytes_total", "Bytes written to upstreams.",
                     upstream([](const weft::ConnStats& s) { return s.bytes_out.get(); }));
    }
    if (!po.quiet && worker.index() == 0) {
      std::printf("weft-proxy listening on %s%s with %zu loop(s)%s, %zu upstream(s)%s\n",
                  proxy.server().address().to_string().c_str(), front_tls ? " (TLS)" : "",
                  proxy.server().loop_count(), worker.supervised() ? " in each worker" : "", po.upstreams.size(),
                  upstream_tls ? " over TLS" : "");
      admin.print_urls();
      std::fflush(stdout);
    }
    proxy.server().wait();
    return 0;
  });
}
