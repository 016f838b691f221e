#pragma once
// timed(): an HTTP handler that records how long it takes to answer.
//
//   auto& latency = registry.histogram("app_request_seconds", "Time to answer.", {{"route", "/users"}});
//   router.get("/users/:id", weft::metrics::timed(latency, show_user));
//
// The time runs from the handler's call until it returns; a handler that defers its
// response (Response::defer) is timed until it returns, not until the deferred answer.

#include <utility>

#include "weft/http/router.h"
#include "weft/metrics/metric.h"

namespace weft::metrics {

// histogram must outlive the router.
inline http::Handler timed(LatencyHistogram& histogram, http::Handler handler) {
  return [&histogram, h = std::move(handler)](http::Request& req, http::Response& res) {
    const TimePoint start = Clock::now();
    h(req, res);
    histogram.record(Clock::now() - start);
  };
}

}  // namespace weft::metrics
