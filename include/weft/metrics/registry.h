#pragma once
// Registry: the metrics of a process: weft's own, for every server it watches, and the
// application's (metric.h). Exporters read it through snapshot().
//
//   weft::metrics::Registry registry;
//   registry.watch(server, "echo");          // per-loop engine metrics of a weft::Server
//   auto& jobs = registry.counter("app_jobs_total", "Jobs done.", {{"queue", "fast"}});
//   weft::metrics::Admin admin(registry);    // /metrics, /stats, /dashboard (admin.h)
//
// Names follow Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*, label names without the colon;
// a bad name throws std::invalid_argument, as does a name registered twice with the same
// labels (the same name with other labels adds a series to that metric).
//
// Threads: every member may be called from any thread (a mutex guards the lists; engine
// counters are read without stopping the loops). A watched server must outlive the
// registry's last snapshot() and sample_connections(); the registry must outlive the
// references it hands out.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/metrics/metric.h"
#include "weft/metrics/snapshot.h"

namespace weft {
class Server;
class UdpServer;
}  // namespace weft
namespace weft::http {
class Server;
class CoroServer;
}  // namespace weft::http
namespace weft::resp {
struct CommandStats;
}

namespace weft::metrics {

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& counter(std::string_view name, std::string_view help, Labels labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, Labels labels = {});
  LatencyHistogram& histogram(std::string_view name, std::string_view help, Labels labels = {});

  // Metrics read when a snapshot is taken, for counts kept elsewhere (a protocol layer's
  // per-loop cells, another library's totals). `read` runs on the thread taking the
  // snapshot, under the registry's lock: it must be quick, safe from that thread, and must
  // not call the registry; what it reads must stay valid while snapshots are taken.
  // A histogram_fn reads nanoseconds. Names and labels as above.
  void counter_fn(std::string_view name, std::string_view help, std::function<uint64_t()> read, Labels labels = {});
  void gauge_fn(std::string_view name, std::string_view help, std::function<int64_t()> read, Labels labels = {});
  void histogram_fn(std::string_view name, std::string_view help, std::function<HistogramSnapshot()> read,
                    Labels labels = {});

  // Exports server's engine metrics with the label server="name" (and loop="i").
  void watch(Server& server, std::string_view name);
  // Exports the loop metrics of a UdpServer's loops (it has no connections: their
  // connection counters stay zero).
  void watch(UdpServer& server, std::string_view name);
  // Exports an HTTP server's engine metrics (as above) and what its HTTP layer counts per
  // loop (weft/http/stats.h): responses by status class and the request latency.
  void watch(http::Server& server, std::string_view name);
  void watch(http::CoroServer& server, std::string_view name);
  // Exports what a RESP server counts per loop (weft/resp/stats.h: commands, errors,
  // latency), with the labels server="name" and loop="i" for per_loop[i].
  void watch_commands(std::string_view name, const std::vector<const resp::CommandStats*>& per_loop);

  // Asks every loop of every watched server to sample its connections (queued output,
  // over the high water mark, the busiest few). Returns at once; the results appear in
  // later snapshots. The Admin calls it once per update; a program without one may call
  // it itself. Stopped servers are skipped.
  void sample_connections(size_t busiest_per_loop = 5);

  Snapshot snapshot() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace weft::metrics
