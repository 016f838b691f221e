#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace weft_load {

// Log-linear latency histogram in nanoseconds, in the spirit of HdrHistogram:
// values below 256 ns are exact; above that every power-of-two range is split
// into 128 linear buckets, so a reported value is at most 1/128 (< 0.8 %) above
// the true one. Values above ~4.8 hours are clamped into the last bucket.
class Histogram {
 public:
  Histogram();

  void record(std::uint64_t ns) noexcept;
  void merge(const Histogram& other) noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

  // Smallest recorded value v such that at least p percent of the samples are
  // <= v (reported as the highest value of its bucket, capped at max()).
  // p in [0, 100]; returns 0 when empty.
  std::uint64_t percentile(double p) const noexcept;

 private:
  static constexpr unsigned kLinearBits = 8;
  static constexpr std::uint64_t kLinear = 1u << kLinearBits;  // exact below this
  static constexpr std::uint64_t kHalf = kLinear / 2;          // buckets per octave
  static constexpr unsigned kMaxBits = 44;

  static std::size_t index_of(std::uint64_t v) noexcept;
  static std::uint64_t highest_in(std::size_t index) noexcept;

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace weft_load
