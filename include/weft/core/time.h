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

}  // namespace weft
