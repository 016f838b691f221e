#pragma once
// RequestMeter: how a session counts its responses into its loop's RequestStats
// (weft/http/stats.h). One per connection, on its loop's thread.

#include <algorithm>
#include <chrono>

#include "weft/core/time.h"
#include "weft/http/stats.h"

namespace weft::http::detail {

class RequestMeter {
 public:
  explicit RequestMeter(RequestStats& stats) : stats_(&stats) {}

  // A request's head was read in the iteration that began at `now` (the loop's time).
  void head(TimePoint now) { head_at_ = now; }
  // The request is not to be timed (its answer comes long after its head).
  void untimed() { head_at_ = TimePoint{}; }
  // Its response (or an error response the server wrote) is complete.
  void response(int status) {
    const int cls = std::clamp(status / 100, 1, 5) - 1;
    stats_->responses[static_cast<size_t>(cls)].add();
    if (head_at_ == TimePoint{}) return;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - head_at_).count();
    stats_->latency_ns.record(ns > 0 ? static_cast<uint64_t>(ns) : 0);
    head_at_ = TimePoint{};
  }

 private:
  RequestStats* stats_;
  TimePoint head_at_{};
};

}  // namespace weft::http::detail
