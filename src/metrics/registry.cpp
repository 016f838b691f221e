#include "weft/metrics/registry.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

#include "weft/net/server.h"
#include "weft/net/udp.h"

namespace weft::metrics {
namespace {

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

struct Sampled {
  uint64_t queued = 0;
  uint64_t over_high_water = 0;
  std::vector<ConnSample> busiest;
};

void read_loop(const LoopStats& l, LoopSample& s) {
  s.iterations = l.iterations.get();
  s.events = l.events.get();
  s.busy_ns = l.busy_ns.get();
  s.tasks = l.tasks_run.get();
  s.timers_pending = l.timers_pending.get();
  s.blocks_in_use = l.blocks_in_use.get();
  s.blocks_pooled = l.blocks_pooled.get();
  s.block_size = l.block_size.get();
  s.iteration_ns = l.iteration_ns.snapshot();
}

}  // namespace

const char* reason_label(size_t reason) {
  static constexpr const char* kNames[kCloseReasonCount] = {"peer_closed", "reset",    "idle",      "local",   "error",
                                                            "shutdown",    "overflow", "heartbeat", "deadline"};
  return reason < kCloseReasonCount ? kNames[reason] : "unknown";
}

struct Registry::State {
  struct App {
    std::string name;
    std::string help;
    MetricType type;
    Labels labels;
    // Stable addresses: the application holds references.
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<LatencyHistogram> histogram;
    // Read at snapshot time instead (the *_fn registrations).
    std::function<double()> read_value;
    std::function<HistogramSnapshot()> read_histogram;
  };
  struct Watched {
    Server* server;
    std::string name;
  };
  struct WatchedUdp {
    UdpServer* server;
    std::string name;
  };

  mutable std::mutex mutex;
  TimePoint born = Clock::now();
  std::deque<App> app;
  std::vector<Watched> servers;
  std::vector<WatchedUdp> udp;
  std::map<std::pair<Server*, size_t>, Sampled> sampled;

  void add(App&& made) {
    const std::string& name = made.name;
    const MetricType type = made.type;
    const Labels& labels = made.labels;
    if (!valid_name(name, true)) throw std::invalid_argument("metric name \"" + std::string(name) + "\" is not valid");
    for (auto& [k, v] : labels) {
      if (!valid_name(k, false) || k.starts_with("__")) {
        throw std::invalid_argument("label name \"" + k + "\" of metric " + std::string(name) + " is not valid");
      }
    }
    std::lock_guard lock(mutex);
    for (const App& a : app) {
      if (a.name != name) continue;
      if (a.type != type) throw std::invalid_argument("metric " + std::string(name) + " exists with another type");
      if (a.labels == labels) throw std::invalid_argument("metric " + std::string(name) + " is registered twice");
    }
    app.push_back(std::move(made));
  }
};

Registry::Registry() : state_(std::make_shared<State>()) {}
Registry::~Registry() = default;

Counter& Registry::counter(std::string_view name, std::string_view help, Labels labels) {
  auto c = std::make_unique<Counter>();
  Counter& ref = *c;
  state_->add(
      {std::string(name), std::string(help), MetricType::counter, std::move(labels), std::move(c), {}, {}, {}, {}});
  return ref;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, Labels labels) {
  auto g = std::make_unique<Gauge>();
  Gauge& ref = *g;
  state_->add(
      {std::string(name), std::string(help), MetricType::gauge, std::move(labels), {}, std::move(g), {}, {}, {}});
  return ref;
}

LatencyHistogram& Registry::histogram(std::string_view name, std::string_view help, Labels labels) {
  auto h = std::make_unique<LatencyHistogram>();
  LatencyHistogram& ref = *h;
  state_->add(
      {std::string(name), std::string(help), MetricType::histogram, std::move(labels), {}, {}, std::move(h), {}, {}});
  return ref;
}

void Registry::counter_fn(std::string_view name, std::string_view help, std::function<uint64_t()> read, Labels labels) {
  State::App a{std::string(name), std::string(help), MetricType::counter, std::move(labels), {}, {}, {}, {}, {}};
  a.read_value = [read = std::move(read)] { return static_cast<double>(read()); };
  state_->add(std::move(a));
}

void Registry::gauge_fn(std::string_view name, std::string_view help, std::function<int64_t()> read, Labels labels) {
  State::App a{std::string(name), std::string(help), MetricType::gauge, std::move(labels), {}, {}, {}, {}, {}};
  a.read_value = [read = std::move(read)] { return static_cast<double>(read()); };
  state_->add(std::move(a));
}

void Registry::histogram_fn(std::string_view name, std::string_view help, std::function<HistogramSnapshot()> read,
                            Labels labels) {
  State::App a{std::string(name), std::string(help), MetricType::histogram, std::move(labels), {}, {}, {}, {}, {}};
  a.read_histogram = std::move(read);
  state_->add(std::move(a));
}

void Registry::watch(Server& server, std::string_view name) {
  std::lock_guard lock(state_->mutex);
  state_->servers.push_back({&server, std::string(name)});
}

void Registry::watch(UdpServer& server, std::string_view name) {
  std::lock_guard lock(state_->mutex);
  state_->udp.push_back({&server, std::string(name)});
}

void Registry::sample_connections(size_t busiest_per_loop) {
  std::vector<State::Watched> servers;
  {
    std::lock_guard lock(state_->mutex);
    servers = state_->servers;
  }
  for (const State::Watched& w : servers) {
    for (size_t i = 0; i < w.server->loop_count(); ++i) {
      // The task keeps the state alive, not the registry: it may run after the registry is gone.
      std::weak_ptr<State> weak = state_;
      Server* server = w.server;
      std::string name = w.name;
      w.server->loop(i).post([weak, server, name, i, busiest_per_loop] {
        Sampled s;
        const size_t high = server->options().high_water_mark;
        std::vector<std::pair<uint64_t, Conn*>> conns;
        server->for_each_connection(i, [&](Conn& c) {
          uint64_t q = c.outbound_size();
          s.queued += q;
          if (high != 0 && q > high) ++s.over_high_water;
          if (busiest_per_loop != 0) conns.emplace_back(q, &c);
        });
        size_t n = std::min(busiest_per_loop, conns.size());
        std::partial_sort(conns.begin(), conns.begin() + static_cast<std::ptrdiff_t>(n), conns.end(),
                          [](const auto& a, const auto& b) { return a.first > b.first; });
        for (size_t k = 0; k < n; ++k) {
          s.busiest.push_back({name, i, conns[k].second->remote_address().to_string(), conns[k].first});
        }
        if (auto state = weak.lock()) {
          std::lock_guard lock(state->mutex);
          state->sampled[{server, i}] = std::move(s);
        }
      });
    }
  }
}

Snapshot Registry::snapshot() const {
  Snapshot snap;
  std::lock_guard lock(state_->mutex);
  snap.uptime_s = std::chrono::duration<double>(Clock::now() - state_->born).count();
  for (const State::Watched& w : state_->servers) {
    snap.servers.push_back({w.name, w.server->accept_exhausted()});
    for (size_t i = 0; i < w.server->loop_count(); ++i) {
      const ConnStats& c = w.server->conn_stats(i);
      const LoopStats& l = w.server->loop(i).stats();
      LoopSample s;
      s.server = w.name;
      s.loop = i;
      s.accepted = c.accepted.get();
      for (size_t r = 0; r < kCloseReasonCount; ++r) s.closed[r] = c.closed[r].get();
      uint64_t closed = c.closed_total();
      s.open = s.accepted > closed ? s.accepted - closed : 0;
      s.bytes_in = c.bytes_in.get();
      s.bytes_out = c.bytes_out.get();
      s.reads = c.reads.get();
      s.writes = c.writes.get();
      s.high_water = c.high_water.get();
      s.registration_failures = c.registration_failures.get();
      s.shed = c.shed.get();
      read_loop(l, s);
      if (auto it = state_->sampled.find({w.server, i}); it != state_->sampled.end()) {
        s.outbound_queued = it->second.queued;
        s.over_high_water = it->second.over_high_water;
        snap.busiest.insert(snap.busiest.end(), it->second.busiest.begin(), it->second.busiest.end());
      }
      snap.loops.push_back(std::move(s));
    }
  }
  for (const State::WatchedUdp& w : state_->udp) {
    for (size_t i = 0; i < w.server->loop_count(); ++i) {
      LoopSample s;
      s.server = w.name;
      s.loop = i;
      read_loop(w.server->loop(i).stats(), s);
      snap.loops.push_back(std::move(s));
    }
  }
  std::sort(snap.busiest.begin(), snap.busiest.end(), [](const auto& a, const auto& b) { return a.queued > b.queued; });
  for (const State::App& a : state_->app) {
    AppSample s{a.name, a.help, a.type, a.labels, 0, {}};
    if (a.counter) s.value = static_cast<double>(a.counter->value());
    if (a.gauge) s.value = static_cast<double>(a.gauge->value());
    if (a.histogram) s.histogram = a.histogram->snapshot();
    if (a.read_value) s.value = a.read_value();
    if (a.read_histogram) s.histogram = a.read_histogram();
    snap.app.push_back(std::move(s));
  }
  return snap;
}

}  // namespace weft::metrics
