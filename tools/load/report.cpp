#include "report.h"

#include <cstdio>
#include <string>

namespace weft_load {

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e3;
}

double per_second(double count, double seconds) {
  return seconds > 0 ? count / seconds : 0;
}

struct Latency {
  double p50, p90, p99, p999, max, mean;
  explicit Latency(const Histogram& h)
      : p50(us(h.percentile(50))),
        p90(us(h.percentile(90))),
        p99(us(h.percentile(99))),
        p999(us(h.percentile(99.9))),
        max(us(h.max())),
        mean(h.mean() / 1e3) {}
};

void print_errors_json(const Counters& c) {
  std::printf(
      "\"errors\":%llu,\"errors_by_kind\":{\"corrupt\":%llu,\"lost\":%llu,\"duplicate\":%llu,"
      "\"closed\":%llu,\"connect\":%llu,\"timeout\":%llu}",
      static_cast<unsigned long long>(c.errors()), static_cast<unsigned long long>(c.err_corrupt),
      static_cast<unsigned long long>(c.err_lost), static_cast<unsigned long long>(c.err_duplicate),
      static_cast<unsigned long long>(c.err_closed), static_cast<unsigned long long>(c.err_connect),
      static_cast<unsigned long long>(c.err_timeout));
}

void print_errors_text(const Counters& c) {
  std::printf("  errors      %llu (corrupt %llu, lost %llu, duplicate %llu, closed %llu, connect %llu, timeout %llu)\n",
              static_cast<unsigned long long>(c.errors()), static_cast<unsigned long long>(c.err_corrupt),
              static_cast<unsigned long long>(c.err_lost), static_cast<unsigned long long>(c.err_duplicate),
              static_cast<unsigned long long>(c.err_closed), static_cast<unsigned long long>(c.err_connect),
              static_cast<unsigned long long>(c.err_timeout));
}

}  // namespace

void print_report(const LoadReport& r) {
  const Options& o = r.opt;
  const Counters& c = r.counters;
  const Latency lat(r.hist);
  const double msgs = static_cast<double>(c.msgs);
  const double msgs_per_s = per_second(msgs, r.window_s);
  const double mb_per_s = per_second(static_cast<double>(c.bytes), r.window_s) / 1e6;
  const double client_us_per_msg = msgs > 0 ? r.client_cpu_s * 1e6 / msgs : 0;

  if (o.json) {
    std::printf(
        "{\"mode\":\"%s\",\"addr\":%s,\"proto\":\"%s\",\"conns\":%u,\"size\":%zu,"
        "\"pipeline\":%u,\"threads\":%u,\"rate\":%.3f,\"duration_s\":%.3f,\"warmup_s\":%.3f,"
        "\"window_s\":%.6f,\"interrupted\":%s,\"msgs\":%llu,\"msgs_total\":%llu,"
        "\"connects\":%llu,\"msgs_per_s\":%.3f,\"mb_per_s\":%.6f,",
        o.rate_mode() ? "rate" : "closed", json_string(o.addr).c_str(), proto_name(o.proto), o.conns, o.size,
        o.pipeline, o.threads, o.rate, o.duration_s, o.warmup_s, r.window_s, r.interrupted ? "true" : "false",
        static_cast<unsigned long long>(c.msgs), static_cast<unsigned long long>(c.msgs_total),
        static_cast<unsigned long long>(c.connects), msgs_per_s, mb_per_s);
    std::printf(
        "\"latency_us\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,"
        "\"mean\":%.3f},",
        lat.p50, lat.p90, lat.p99, lat.p999, lat.max, lat.mean);
    print_errors_json(c);
    std::printf(",\"client_cpu_s\":%.6f,\"client_cpu_us_per_msg\":%.6f", r.client_cpu_s, client_us_per_msg);
    if (r.server_cpu_s) {
      std::printf(",\"server_cpu_s\":%.6f,\"server_cpu_us_per_msg\":%.6f", *r.server_cpu_s,
                  msgs > 0 ? *r.server_cpu_s * 1e6 / msgs : 0.0);
    }
    if (r.server_rss_kib) std::printf(",\"server_rss_kib\":%ld", *r.server_rss_kib);
    std::printf("}\n");
    return;
  }

  std::printf("weft-load: %s %s, %u conns x pipeline %u, %zu B, %u thread(s), %.1f s window%s\n", o.addr.c_str(),
              proto_name(o.proto), o.conns, o.pipeline, o.size, o.threads, r.window_s,
              r.interrupted ? " (interrupted)" : "");
  if (o.rate_mode()) std::printf("  fixed rate  %.0f req/s requested\n", o.rate);
  std::printf("  throughput  %.0f msgs/s  %.2f MB/s  (%llu msgs)\n", msgs_per_s, mb_per_s,
              static_cast<unsigned long long>(c.msgs));
  std::printf("  latency us  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n", lat.p50, lat.p90, lat.p99, lat.p999,
              lat.max);
  print_errors_text(c);
  std::printf("  client cpu  %.2f s (%.0f%% of one core, %.3f us/msg)\n", r.client_cpu_s,
              per_second(r.client_cpu_s * 100, r.window_s), client_us_per_msg);
  if (r.server_cpu_s) {
    std::printf("  server cpu  %.2f s (%.3f us/msg)\n", *r.server_cpu_s, msgs > 0 ? *r.server_cpu_s * 1e6 / msgs : 0.0);
  }
  std::printf(
      "RESULT msgs=%llu msgs_per_s=%.0f mb_per_s=%.3f p50_us=%.3f p90_us=%.3f p99_us=%.3f "
      "p999_us=%.3f max_us=%.3f errors=%llu client_cpu_s=%.3f",
      static_cast<unsigned long long>(c.msgs), msgs_per_s, mb_per_s, lat.p50, lat.p90, lat.p99, lat.p999, lat.max,
      static_cast<unsigned long long>(c.errors()), r.client_cpu_s);
  if (r.server_cpu_s) std::printf(" server_cpu_s=%.3f", *r.server_cpu_s);
  std::printf("\n");
}

void print_report(const IdleReport& r) {
  const Options& o = r.opt;
  std::optional<double> per_conn;
  if (r.server_rss_before_kib && r.server_rss_held_kib && r.established > 0) {
    per_conn =
        static_cast<double>(*r.server_rss_held_kib - *r.server_rss_before_kib) / static_cast<double>(r.established);
  }
  if (o.json) {
    std::printf(
        "{\"mode\":\"idle\",\"addr\":%s,\"requested\":%u,\"established\":%llu,"
        "\"still_open\":%llu,\"connect_s\":%.6f,\"hold_s\":%.6f,\"interrupted\":%s,",
        json_string(o.addr).c_str(), o.idle, static_cast<unsigned long long>(r.established),
        static_cast<unsigned long long>(r.still_open), r.connect_s, r.hold_s, r.interrupted ? "true" : "false");
    print_errors_json(r.counters);
    std::printf(",\"client_cpu_s\":%.6f", r.client_cpu_s);
    if (r.server_rss_before_kib) std::printf(",\"server_rss_before_kib\":%ld", *r.server_rss_before_kib);
    if (r.server_rss_held_kib) std::printf(",\"server_rss_held_kib\":%ld", *r.server_rss_held_kib);
    if (per_conn) std::printf(",\"server_rss_kib_per_conn\":%.4f", *per_conn);
    std::printf("}\n");
    return;
  }
  std::printf("weft-load: %s idle, %llu of %u connections established in %.2f s, %llu still open after %.1f s%s\n",
              o.addr.c_str(), static_cast<unsigned long long>(r.established), o.idle, r.connect_s,
              static_cast<unsigned long long>(r.still_open), r.hold_s, r.interrupted ? " (interrupted)" : "");
  print_errors_text(r.counters);
  if (per_conn) {
    std::printf("  server rss  %ld KiB before, %ld KiB held: %.2f KiB per connection\n", *r.server_rss_before_kib,
                *r.server_rss_held_kib, *per_conn);
  }
  std::printf("RESULT requested=%u established=%llu still_open=%llu errors=%llu", o.idle,
              static_cast<unsigned long long>(r.established), static_cast<unsigned long long>(r.still_open),
              static_cast<unsigned long long>(r.counters.errors()));
  if (per_conn) std::printf(" server_rss_kib_per_conn=%.4f", *per_conn);
  std::printf("\n");
}

}  // namespace weft_load
