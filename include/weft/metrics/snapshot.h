#pragma once
// Snapshot: every metric a Registry knows, read at one moment, as plain values. Exporters
// (Prometheus text, JSON) and the dashboard work from snapshots only.
//
// Engine counters are read with relaxed loads while the loops run, so a snapshot is
// consistent per cell, not across cells (a connection may be counted as accepted an
// iteration before its bytes). Sampled values (queued output, connections over the high
// water mark, the busiest connections) come from the last Registry::sample_connections()
// and may be up to one sampling period old.

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "weft/core/histogram.h"
#include "weft/net/conn_stats.h"

namespace weft::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// One I/O loop of one watched server.
struct LoopSample {
  std::string server;
  size_t loop = 0;
  uint64_t accepted = 0;
  uint64_t open = 0;
  std::array<uint64_t, kCloseReasonCount> closed{};
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t reads = 0;
  uint64_t writes = 0;
  uint64_t high_water = 0;
  uint64_t registration_failures = 0;
  uint64_t shed = 0;
  uint64_t iterations = 0;
  uint64_t events = 0;
  uint64_t busy_ns = 0;
  uint64_t tasks = 0;
  uint64_t timers_pending = 0;
  uint64_t blocks_in_use = 0;
  uint64_t blocks_pooled = 0;
  uint64_t block_size = 0;
  // Sampled on the loop.
  uint64_t outbound_queued = 0;
  uint64_t over_high_water = 0;
  HistogramSnapshot iteration_ns;
};

struct ServerSample {
  std::string name;
  uint64_t accept_exhausted = 0;
};

// A connection among the busiest (most queued output) of its loop, as last sampled.
struct ConnSample {
  std::string server;
  size_t loop = 0;
  std::string remote;
  uint64_t queued = 0;  // Output bytes not yet sent.
};

enum class MetricType { counter, gauge, histogram };

// An application metric (metric.h).
struct AppSample {
  std::string name;
  std::string help;
  MetricType type = MetricType::counter;
  Labels labels;
  double value = 0;             // Counter and gauge.
  HistogramSnapshot histogram;  // Histogram, in nanoseconds.
};

struct Snapshot {
  double uptime_s = 0;  // Since the registry was made.
  std::vector<ServerSample> servers;
  std::vector<LoopSample> loops;
  std::vector<AppSample> app;
  std::vector<ConnSample> busiest;
};

// The label value for a close reason ("peer_closed", "reset", ...).
const char* reason_label(size_t reason);

}  // namespace weft::metrics
