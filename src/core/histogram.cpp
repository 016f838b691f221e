#include "weft/core/histogram.h"

#include <algorithm>
#include <cmath>

namespace weft {

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  s.counts.resize(kBuckets);
  for (size_t i = 0; i < kBuckets; ++i) s.counts[i] = counts_[i].get();
  s.sum = sum_.get();
  return s;
}

uint64_t HistogramSnapshot::count() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

void HistogramSnapshot::merge(const HistogramSnapshot& other) {
  if (counts.size() < other.counts.size()) counts.resize(other.counts.size());
  for (size_t i = 0; i < other.counts.size(); ++i) counts[i] += other.counts[i];
  sum += other.sum;
}

uint64_t HistogramSnapshot::count_below(uint64_t bound) const {
  uint64_t n = 0;
  for (size_t i = 0; i < counts.size() && Histogram::lower_bound(i) < bound; ++i) n += counts[i];
  return n;
}

uint64_t HistogramSnapshot::quantile(double q) const {
  uint64_t total = count();
  if (total == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the value asked for, 1-based: the smallest value for q = 0.
  auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(total))));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) {
      uint64_t lo = Histogram::lower_bound(i);
      uint64_t hi = Histogram::upper_bound(i);
      return hi == UINT64_MAX ? lo : lo + (hi - lo) / 2;
    }
  }
  return 0;
}

HistogramSnapshot HistogramSnapshot::since(const HistogramSnapshot& earlier) const {
  HistogramSnapshot d = *this;
  for (size_t i = 0; i < d.counts.size() && i < earlier.counts.size(); ++i) {
    d.counts[i] = d.counts[i] >= earlier.counts[i] ? d.counts[i] - earlier.counts[i] : 0;
  }
  d.sum = d.sum >= earlier.sum ? d.sum - earlier.sum : 0;
  return d;
}

}  // namespace weft
