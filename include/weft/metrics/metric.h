#pragma once
// An application's own metrics: Counter, Gauge and LatencyHistogram, created by a
// Registry (registry.h), which owns them and exports them beside weft's own.
//
//   auto& orders = registry.counter("shop_orders_total", "Orders taken.");
//   auto& basket = registry.gauge("shop_baskets_open", "Baskets being filled.");
//   auto& lookup = registry.histogram("shop_lookup_seconds", "Catalogue lookup time.");
//   orders.add();
//   basket.set(42);
//   lookup.record(std::chrono::microseconds(180));
//
// Threads: every member may be called from any thread. Updates are relaxed atomic adds,
// cheap but locked; for per-message counts on a loop's hot path prefer one metric per
// loop (a label "loop") updated from that loop alone. References stay valid as long as
// the registry.

#include <atomic>
#include <cstdint>

#include "weft/core/histogram.h"
#include "weft/core/time.h"

namespace weft::metrics {

class Counter {
 public:
  void add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { v_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Durations, kept in nanoseconds in weft's log-linear buckets and exported in seconds.
class LatencyHistogram {
 public:
  void record(Duration d) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    h_.record_shared(ns > 0 ? static_cast<uint64_t>(ns) : 0);
  }
  void record_ns(uint64_t ns) { h_.record_shared(ns); }
  HistogramSnapshot snapshot() const { return h_.snapshot(); }

 private:
  Histogram h_;
};

}  // namespace weft::metrics
