#pragma once
// Time types used throughout weft: a monotonic clock and nanosecond durations.

#include <chrono>
#include <cstdint>

namespace weft {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::nanoseconds;

// Identifies a timer for cancel(). A default-constructed id refers to no timer.
struct TimerId {
  uint64_t value = 0;
  explicit operator bool() const { return value != 0; }
  friend bool operator==(TimerId, TimerId) = default;
};

namespace detail {

// A time point as 32-bit milliseconds, for per-connection timestamps that must stay small.
// It wraps every 49 days: compare two of them only by unsigned difference (now - then),
// which is right for spans under 24 days.
inline uint32_t coarse_ms(TimePoint t) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}
// A span in coarse milliseconds, rounded up, at most 24 days.
inline uint32_t coarse_span_ms(Duration d) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return static_cast<uint32_t>(ms < 0 ? 0 : ms > 24LL * 24 * 3600 * 1000 ? 24LL * 24 * 3600 * 1000 : ms);
}

}  // namespace detail
}  // namespace weft
