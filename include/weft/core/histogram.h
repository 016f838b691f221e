#pragma once
// Histogram: a log-linear latency histogram with fixed buckets (HDR-style), mergeable.
//
// Values are unsigned integers (weft records nanoseconds). Values below 8 have a bucket
// each; above, every power of two is split into 8 equal buckets, so a bucket is at most
// 12.5% wide relative to its lower bound. The last bucket starts at 15 * 2^37 (about 34
// minutes in nanoseconds) and holds everything above. Every histogram has the same buckets, so two
// snapshots merge by adding counts, across loops or processes.
//
// Bucket i holds the values in [lower_bound(i), upper_bound(i)). In particular bucket
// 8 * (k - 2) starts at 2^k, so "values below 2^k" is an exact prefix sum, which is what
// the Prometheus export reports for its power-of-two `le` bounds.
//
// Threads: record() is for one writer thread (relaxed stores, no locked instruction);
// record_shared() may be called from any number of threads. snapshot() from any thread.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "weft/core/stat_cell.h"

namespace weft {

struct HistogramSnapshot {
  std::vector<uint64_t> counts;  // Per bucket; empty means all zero.
  uint64_t sum = 0;              // Sum of the values recorded.

  uint64_t count() const;
  // Adds other's counts and sum to these.
  void merge(const HistogramSnapshot& other);
  // Values recorded below `bound` (exact when bound is a bucket's lower bound).
  uint64_t count_below(uint64_t bound) const;
  // The value at quantile q (0..1): the midpoint of the bucket that holds it, 0 if empty.
  uint64_t quantile(double q) const;
  // This snapshot minus an earlier one of the same histogram (for rates over a window).
  HistogramSnapshot since(const HistogramSnapshot& earlier) const;
};

class Histogram {
 public:
  static constexpr unsigned kSubBits = 3;
  static constexpr unsigned kSub = 1u << kSubBits;  // Buckets per power of two.
  static constexpr unsigned kMaxExponent = 40;
  static constexpr size_t kBuckets = kSub * (kMaxExponent - kSubBits + 2);

  static constexpr size_t bucket_of(uint64_t v) {
    if (v < kSub) return static_cast<size_t>(v);
    unsigned e = static_cast<unsigned>(std::bit_width(v)) - 1;
    if (e > kMaxExponent) return kBuckets - 1;
    unsigned shift = e - kSubBits;
    return static_cast<size_t>(kSub * shift + (v >> shift));
  }
  static constexpr uint64_t lower_bound(size_t i) {
    if (i < kSub) return i;
    unsigned shift = static_cast<unsigned>(i / kSub) - 1;
    return static_cast<uint64_t>(i % kSub + kSub) << shift;
  }
  // Exclusive; the last bucket has no upper bound and reports UINT64_MAX.
  static constexpr uint64_t upper_bound(size_t i) { return i + 1 >= kBuckets ? UINT64_MAX : lower_bound(i + 1); }

  // Writer thread only.
  void record(uint64_t v) {
    counts_[bucket_of(v)].add();
    sum_.add(v);
  }
  // Any thread.
  void record_shared(uint64_t v) {
    counts_[bucket_of(v)].add_shared();
    sum_.add_shared(v);
  }
  HistogramSnapshot snapshot() const;

 private:
  std::array<StatCell, kBuckets> counts_{};
  StatCell sum_;
};

}  // namespace weft
