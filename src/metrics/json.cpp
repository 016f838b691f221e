#include "weft/metrics/json.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace weft::metrics {
namespace {

void str(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    auto uc = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (uc < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", uc);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

void num(std::string& out, double v) {
  char buf[40];
  if (!std::isfinite(v)) v = 0;
  std::snprintf(buf, sizeof buf, "%.6g", v);
  out += buf;
}

void unum(std::string& out, uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIu64, v);
  out += buf;
}

void key(std::string& out, std::string_view k) {
  if (out.back() != '{' && out.back() != '[') out += ',';
  str(out, k);
  out += ':';
}

// Count, mean and percentiles in microseconds.
void latency(std::string& out, std::string_view k, const HistogramSnapshot& h) {
  key(out, k);
  out += '{';
  const uint64_t n = h.count();
  key(out, "count");
  unum(out, n);
  key(out, "mean");
  num(out, n == 0 ? 0 : static_cast<double>(h.sum) / static_cast<double>(n) / 1e3);
  for (auto [name, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}}) {
    key(out, name);
    num(out, static_cast<double>(h.quantile(q)) / 1e3);
  }
  out += '}';
}

const LoopSample* find_loop(const Snapshot* s, const LoopSample& l) {
  if (s == nullptr) return nullptr;
  for (const LoopSample& p : s->loops) {
    if (p.server == l.server && p.loop == l.loop) return &p;
  }
  return nullptr;
}

const AppSample* find_app(const Snapshot* s, const AppSample& a) {
  if (s == nullptr) return nullptr;
  for (const AppSample& p : s->app) {
    if (p.name == a.name && p.labels == a.labels) return &p;
  }
  return nullptr;
}

}  // namespace

std::string to_json(const Snapshot& s, const Snapshot* previous) {
  std::string out;
  out.reserve(1024 + s.loops.size() * 700 + s.app.size() * 200 + s.busiest.size() * 100);
  const double window = previous != nullptr ? s.uptime_s - previous->uptime_s : s.uptime_s;
  out += '{';
  key(out, "uptime_s");
  num(out, s.uptime_s);
  key(out, "window_s");
  num(out, window);
  key(out, "servers");
  out += '[';
  for (const ServerSample& v : s.servers) {
    if (out.back() != '[') out += ',';
    out += '{';
    key(out, "name");
    str(out, v.name);
    key(out, "accept_exhausted");
    unum(out, v.accept_exhausted);
    out += '}';
  }
  out += ']';
  key(out, "loops");
  out += '[';
  for (const LoopSample& l : s.loops) {
    if (out.back() != '[') out += ',';
    const LoopSample* p = find_loop(previous, l);
    out += '{';
    key(out, "server");
    str(out, l.server);
    key(out, "loop");
    unum(out, l.loop);
    for (auto [name, v] : {std::pair{"open", l.open},
                           {"accepted", l.accepted},
                           {"bytes_in", l.bytes_in},
                           {"bytes_out", l.bytes_out},
                           {"reads", l.reads},
                           {"writes", l.writes},
                           {"iterations", l.iterations},
                           {"events", l.events},
                           {"tasks", l.tasks},
                           {"timers_pending", l.timers_pending},
                           {"blocks_in_use", l.blocks_in_use},
                           {"blocks_pooled", l.blocks_pooled},
                           {"block_size", l.block_size},
                           {"outbound_queued", l.outbound_queued},
                           {"over_high_water", l.over_high_water},
                           {"high_water", l.high_water},
                           {"registration_failures", l.registration_failures},
                           {"shed", l.shed}}) {
      key(out, name);
      unum(out, v);
    }
    key(out, "closed");
    out += '{';
    for (size_t r = 0; r < kCloseReasonCount; ++r) {
      key(out, reason_label(r));
      unum(out, l.closed[r]);
    }
    out += '}';
    key(out, "busy_s");
    num(out, static_cast<double>(l.busy_ns) / 1e9);
    const uint64_t busy = p != nullptr ? l.busy_ns - std::min(l.busy_ns, p->busy_ns) : l.busy_ns;
    key(out, "busy");
    num(out, window > 0 ? std::min(1.0, static_cast<double>(busy) / 1e9 / window) : 0);
    latency(out, "iteration_us", p != nullptr ? l.iteration_ns.since(p->iteration_ns) : l.iteration_ns);
    out += '}';
  }
  out += ']';
  key(out, "app");
  out += '[';
  for (const AppSample& a : s.app) {
    if (out.back() != '[') out += ',';
    out += '{';
    key(out, "name");
    str(out, a.name);
    key(out, "type");
    str(out, a.type == MetricType::counter ? "counter" : a.type == MetricType::gauge ? "gauge" : "histogram");
    key(out, "labels");
    out += '{';
    for (auto& [k, v] : a.labels) {
      key(out, k);
      str(out, v);
    }
    out += '}';
    if (a.type == MetricType::histogram) {
      const AppSample* p = find_app(previous, a);
      latency(out, "all_us", a.histogram);
      latency(out, "window_us", p != nullptr ? a.histogram.since(p->histogram) : a.histogram);
    } else {
      key(out, "value");
      num(out, a.value);
    }
    out += '}';
  }
  out += ']';
  key(out, "busiest");
  out += '[';
  for (const ConnSample& c : s.busiest) {
    if (out.back() != '[') out += ',';
    out += '{';
    key(out, "server");
    str(out, c.server);
    key(out, "loop");
    unum(out, c.loop);
    key(out, "remote");
    str(out, c.remote);
    key(out, "queued");
    unum(out, c.queued);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace weft::metrics
