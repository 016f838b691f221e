#include "weft/metrics/prometheus.h"

#include <cinttypes>
#include <cstdio>
#include <functional>

namespace weft::metrics {
namespace {

constexpr unsigned kFirstBucketExp = 8;  // 256 ns.
constexpr unsigned kLastBucketExp = 35;  // About 34 s.

// Escapes a label value: backslash, double quote and newline (format 0.0.4).
void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// HELP text escapes backslash and newline only.
void append_help(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_number(std::string& out, double v) {
  char buf[64];
  if (v == static_cast<double>(static_cast<int64_t>(v)) && v < 1e15 && v > -1e15) {
    std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(v));
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", v);
  }
  out += buf;
}

void append_uint(std::string& out, uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIu64, v);
  out += buf;
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_help(out, help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void append_labels(std::string& out, const Labels& labels) {
  if (labels.empty()) return;
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    append_label_value(out, labels[i].second);
    out += '"';
  }
  out += '}';
}

void sample(std::string& out, std::string_view name, const Labels& labels, double value) {
  out += name;
  append_labels(out, labels);
  out += ' ';
  append_number(out, value);
  out += '\n';
}

void histogram(std::string& out, const std::string& name, Labels labels, const HistogramSnapshot& h) {
  const std::string bucket = name + "_bucket";
  labels.emplace_back("le", "");
  char le[32];
  for (unsigned k = kFirstBucketExp; k <= kLastBucketExp; ++k) {
    std::snprintf(le, sizeof le, "%.9g", static_cast<double>(uint64_t{1} << k) / 1e9);
    labels.back().second = le;
    sample(out, bucket, labels, static_cast<double>(h.count_below(uint64_t{1} << k)));
  }
  labels.back().second = "+Inf";
  const uint64_t count = h.count();
  sample(out, bucket, labels, static_cast<double>(count));
  labels.pop_back();
  sample(out, name + "_sum", labels, static_cast<double>(h.sum) / 1e9);
  out += name + "_count";
  append_labels(out, labels);
  out += ' ';
  append_uint(out, count);
  out += '\n';
}

Labels loop_labels(const LoopSample& l) {
  return {{"server", l.server}, {"loop", std::to_string(l.loop)}};
}

// A per-loop family with one sample per loop.
void per_loop(std::string& out, const Snapshot& s, std::string_view name, std::string_view type, std::string_view help,
              const std::function<double(const LoopSample&)>& value) {
  if (s.loops.empty()) return;
  family(out, name, type, help);
  for (const LoopSample& l : s.loops) sample(out, name, loop_labels(l), value(l));
}

}  // namespace

std::string prometheus_text(const Snapshot& s) {
  std::string out;
  out.reserve(8192 + s.loops.size() * 6000);
  auto u = [](uint64_t v) { return static_cast<double>(v); };

  per_loop(out, s, "weft_connections_open", "gauge", "Open connections.", [&](auto& l) { return u(l.open); });
  per_loop(out, s, "weft_connections_accepted_total", "counter", "Connections accepted and registered.",
           [&](auto& l) { return u(l.accepted); });
  if (!s.loops.empty()) {
    family(out, "weft_connections_closed_total", "counter", "Connections closed, by reason.");
    for (const LoopSample& l : s.loops) {
      for (size_t r = 0; r < kCloseReasonCount; ++r) {
        Labels labels = loop_labels(l);
        labels.emplace_back("reason", reason_label(r));
        sample(out, "weft_connections_closed_total", labels, u(l.closed[r]));
      }
    }
  }
  per_loop(out, s, "weft_registration_failures_total", "counter", "Accepted sockets the poller refused.",
           [&](auto& l) { return u(l.registration_failures); });
  per_loop(out, s, "weft_received_bytes_total", "counter", "Bytes read from connections.",
           [&](auto& l) { return u(l.bytes_in); });
  per_loop(out, s, "weft_sent_bytes_total", "counter", "Bytes written to connections.",
           [&](auto& l) { return u(l.bytes_out); });
  per_loop(out, s, "weft_reads_total", "counter", "Read calls that returned data or end of file.",
           [&](auto& l) { return u(l.reads); });
  per_loop(out, s, "weft_writes_total", "counter", "Output flushes.", [&](auto& l) { return u(l.writes); });
  per_loop(out, s, "weft_outbound_queued_bytes", "gauge", "Output bytes queued and not yet sent (sampled).",
           [&](auto& l) { return u(l.outbound_queued); });
  per_loop(out, s, "weft_connections_over_high_water", "gauge",
           "Connections whose queued output is above the high water mark (sampled).",
           [&](auto& l) { return u(l.over_high_water); });
  per_loop(out, s, "weft_high_water_events_total", "counter", "Times a connection's output rose above the high mark.",
           [&](auto& l) { return u(l.high_water); });
  per_loop(out, s, "weft_shed_connections_total", "counter", "Connections closed by the server-wide buffer cap.",
           [&](auto& l) { return u(l.shed); });
  per_loop(out, s, "weft_loop_iterations_total", "counter", "Event loop iterations.",
           [&](auto& l) { return u(l.iterations); });
  per_loop(out, s, "weft_loop_events_total", "counter", "Readiness events dispatched.",
           [&](auto& l) { return u(l.events); });
  per_loop(out, s, "weft_loop_busy_seconds_total", "counter", "Time the loop spent working, not waiting.",
           [&](auto& l) { return static_cast<double>(l.busy_ns) / 1e9; });
  per_loop(out, s, "weft_loop_tasks_total", "counter", "Tasks posted to the loop and run.",
           [&](auto& l) { return u(l.tasks); });
  per_loop(out, s, "weft_loop_timers_pending", "gauge", "Timers armed.", [&](auto& l) { return u(l.timers_pending); });
  per_loop(out, s, "weft_buffer_blocks_in_use", "gauge", "Buffer blocks holding data.",
           [&](auto& l) { return u(l.blocks_in_use); });
  per_loop(out, s, "weft_buffer_blocks_pooled", "gauge", "Free buffer blocks kept for reuse.",
           [&](auto& l) { return u(l.blocks_pooled); });
  per_loop(out, s, "weft_buffer_bytes", "gauge", "Bytes of buffer blocks, in use and pooled.",
           [&](auto& l) { return u((l.blocks_in_use + l.blocks_pooled) * l.block_size); });
  if (!s.loops.empty()) {
    family(out, "weft_loop_iteration_seconds", "histogram", "Duration of event loop iterations.");
    for (const LoopSample& l : s.loops) histogram(out, "weft_loop_iteration_seconds", loop_labels(l), l.iteration_ns);
  }
  if (!s.servers.empty()) {
    family(out, "weft_accept_exhausted_total", "counter",
           "Times accepting ran out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM).");
    for (const ServerSample& v : s.servers) {
      sample(out, "weft_accept_exhausted_total", {{"server", v.name}}, u(v.accept_exhausted));
    }
  }

  // Application metrics: one family per name, in the order first registered.
  for (size_t i = 0; i < s.app.size(); ++i) {
    bool first = true;
    for (size_t j = 0; j < i; ++j) first = first && s.app[j].name != s.app[i].name;
    if (!first) continue;
    const AppSample& head = s.app[i];
    const char* type = head.type == MetricType::counter ? "counter"
                       : head.type == MetricType::gauge ? "gauge"
                                                        : "histogram";
    family(out, head.name, type, head.help);
    for (size_t j = i; j < s.app.size(); ++j) {
      const AppSample& a = s.app[j];
      if (a.name != head.name) continue;
      if (a.type == MetricType::histogram) {
        histogram(out, a.name, a.labels, a.histogram);
      } else {
        sample(out, a.name, a.labels, a.value);
      }
    }
  }
  return out;
}

}  // namespace weft::metrics
