#pragma once

#include <cstdint>
#include <ctime>

namespace weft_load {

inline constexpr std::uint64_t kNsPerSec = 1'000'000'000;

// CLOCK_MONOTONIC in nanoseconds; all timestamps in weft-load use this clock.
inline std::uint64_t now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * kNsPerSec + static_cast<std::uint64_t>(ts.tv_nsec);
}

inline std::uint64_t seconds_to_ns(double s) noexcept {
  return static_cast<std::uint64_t>(s * 1e9);
}

}  // namespace weft_load
