#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace weft_load {

Histogram::Histogram() : counts_(index_of((std::uint64_t{1} << kMaxBits) - 1) + 1, 0) {}

std::size_t Histogram::index_of(std::uint64_t v) noexcept {
  if (v < kLinear) return static_cast<std::size_t>(v);
  v = std::min(v, (std::uint64_t{1} << kMaxBits) - 1);
  const unsigned msb = static_cast<unsigned>(std::bit_width(v)) - 1;  // >= kLinearBits
  const unsigned shift = msb - (kLinearBits - 1);                     // >= 1
  const std::uint64_t mantissa = v >> shift;                          // [kHalf, kLinear)
  return static_cast<std::size_t>(kLinear + (shift - 1) * kHalf + (mantissa - kHalf));
}

std::uint64_t Histogram::highest_in(std::size_t index) noexcept {
  if (index < kLinear) return index;
  const std::uint64_t k = index - kLinear;
  const unsigned shift = static_cast<unsigned>(k / kHalf) + 1;
  const std::uint64_t mantissa = kHalf + k % kHalf;
  return ((mantissa + 1) << shift) - 1;
}

void Histogram::record(std::uint64_t ns) noexcept {
  ++counts_[index_of(ns)];
  ++count_;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
  sum_ += static_cast<double>(ns);
}

void Histogram::merge(const Histogram& other) noexcept {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::uint64_t Histogram::percentile(double p) const noexcept {
  if (count_ == 0) return 0;
  if (p >= 100) return max_;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest_in(i), min_, max_);
  }
  return max_;
}

}  // namespace weft_load
