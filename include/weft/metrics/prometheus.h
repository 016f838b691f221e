#pragma once
// The Prometheus text exposition format, version 0.0.4, of a snapshot: what /metrics
// serves (Content-Type kPrometheusContentType).
//
// Every family has # HELP and # TYPE. Engine metrics carry server="..." and loop="i"
// labels, closes a reason="..." label; durations are in seconds. Histograms have buckets
// at powers of two nanoseconds (from 256 ns to about 34 s) and +Inf: weft's log-linear
// buckets make those bounds exact, each counting the values below it. The metric
// names are listed in docs/metrics.md.

#include <string>

#include "weft/metrics/snapshot.h"

namespace weft::metrics {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Any thread.
std::string prometheus_text(const Snapshot& snapshot);

}  // namespace weft::metrics
