// The application API and the exports: names are checked, series of one name share a
// family, Prometheus text is exact for known values, JSON escapes what it must.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "weft/metrics/json.h"
#include "weft/metrics/prometheus.h"
#include "weft/metrics/registry.h"

namespace weft::metrics {
namespace {

TEST(Registry, RejectsBadNamesAndDuplicates) {
  Registry r;
  EXPECT_THROW(r.counter("", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("9lives", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("a-b", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "x", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "x", {{"__reserved", "v"}}), std::invalid_argument);
  r.counter("app_jobs_total", "Jobs.", {{"queue", "a"}});
  EXPECT_THROW(r.counter("app_jobs_total", "Jobs.", {{"queue", "a"}}), std::invalid_argument);
  EXPECT_THROW(r.gauge("app_jobs_total", "Jobs.", {{"queue", "b"}}), std::invalid_argument);
  EXPECT_NO_THROW(r.counter("app_jobs_total", "Jobs.", {{"queue", "b"}}));
  EXPECT_NO_THROW(r.gauge("ns:level", "Colons are allowed in metric names."));
}

TEST(Prometheus, AppMetricsInTextFormat) {
  Registry r;
  Counter& a = r.counter("app_jobs_total", "Jobs done.", {{"queue", "a"}});
  Counter& b = r.counter("app_jobs_total", "Jobs done.", {{"queue", "b\"q\\\n"}});
  Gauge& g = r.gauge("app_level", "A level.\nSecond line.");
  LatencyHistogram& h = r.histogram("app_wait_seconds", "Waits.");
  a.add(3);
  b.add();
  g.set(-7);
  h.record(std::chrono::microseconds(1));  // 1000 ns: below 1024 ns.
  h.record(std::chrono::milliseconds(1));  // 1e6 ns: below 2^20 ns.
  std::string text = prometheus_text(r.snapshot());
  EXPECT_NE(text.find("# HELP app_jobs_total Jobs done.\n# TYPE app_jobs_total counter\n"
                      "app_jobs_total{queue=\"a\"} 3\napp_jobs_total{queue=\"b\\\"q\\\\\\n\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# HELP app_level A level.\\nSecond line.\n# TYPE app_level gauge\napp_level -7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE app_wait_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("app_wait_seconds_bucket{le=\"5.12e-07\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_wait_seconds_bucket{le=\"1.024e-06\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_wait_seconds_bucket{le=\"0.000524288\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_wait_seconds_bucket{le=\"0.001048576\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_wait_seconds_bucket{le=\"+Inf\"} 2\napp_wait_seconds_sum 0.001001\n"
                      "app_wait_seconds_count 2\n"),
            std::string::npos)
      << text;
  // Only one HELP/TYPE pair per family.
  EXPECT_EQ(text.find("# TYPE app_jobs_total"), text.rfind("# TYPE app_jobs_total"));
}

// Metrics read at snapshot time: each snapshot calls the function again, and the series
// share a family with the same rules as the others.
TEST(Prometheus, MetricsReadWhenTheSnapshotIsTaken) {
  Registry r;
  uint64_t done = 5;
  int64_t level = -2;
  Histogram waits;
  r.counter_fn("app_done_total", "Done.", [&done] { return done; }, {{"loop", "0"}});
  r.gauge_fn("app_level", "Level.", [&level] { return level; });
  r.histogram_fn("app_wait_seconds", "Waits.", [&waits] { return waits.snapshot(); });
  EXPECT_THROW(r.counter_fn("app_done_total", "Done.", [] { return uint64_t{0}; }, {{"loop", "0"}}),
               std::invalid_argument);
  EXPECT_THROW(r.gauge_fn("app_done_total", "Done.", [] { return int64_t{0}; }, {{"loop", "1"}}),
               std::invalid_argument);
  std::string text = prometheus_text(r.snapshot());
  EXPECT_NE(text.find("# TYPE app_done_total counter\napp_done_total{loop=\"0\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE app_level gauge\napp_level -2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_wait_seconds_count 0\n"), std::string::npos) << text;
  done = 7;
  level = 9;
  waits.record(3000);
  text = prometheus_text(r.snapshot());
  EXPECT_NE(text.find("app_done_total{loop=\"0\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_level 9\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_wait_seconds_bucket{le=\"4.096e-06\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_wait_seconds_sum 3e-06\napp_wait_seconds_count 1\n"), std::string::npos) << text;
}

TEST(Json, EscapesAndWindows) {
  Registry r;
  r.gauge("app_level", "x", {{"who", "a\"b\x01"}}).set(5);
  LatencyHistogram& h = r.histogram("app_wait_seconds", "Waits.");
  h.record(std::chrono::microseconds(100));
  Snapshot first = r.snapshot();
  h.record(std::chrono::microseconds(900));
  Snapshot second = r.snapshot();
  std::string all = to_json(second);
  EXPECT_NE(all.find("\"labels\":{\"who\":\"a\\\"b\\u0001\"},\"value\":5"), std::string::npos) << all;
  EXPECT_NE(all.find("\"window_us\":{\"count\":2,"), std::string::npos) << all;
  std::string window = to_json(second, &first);
  EXPECT_NE(window.find("\"all_us\":{\"count\":2,"), std::string::npos) << window;
  EXPECT_NE(window.find("\"window_us\":{\"count\":1,\"mean\":900,"), std::string::npos) << window;
}

}  // namespace
}  // namespace weft::metrics
