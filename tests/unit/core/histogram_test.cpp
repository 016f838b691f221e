// Histogram bucket maths: every value lands in the bucket whose bounds hold it, buckets
// are at most 12.5% wide, power-of-two bounds are exact, and snapshots merge and subtract.

#include "weft/core/histogram.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace weft {
namespace {

TEST(Histogram, EveryValueFallsInsideItsBucket) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    size_t b = Histogram::bucket_of(v);
    ASSERT_LT(b, Histogram::kBuckets);
    if (b + 1 < Histogram::kBuckets) {
      ASSERT_LE(Histogram::lower_bound(b), v) << v;
      ASSERT_LT(v, Histogram::upper_bound(b)) << v;
    } else {
      ASSERT_GE(v, Histogram::lower_bound(b));
    }
  }
}

TEST(Histogram, BucketsAreContiguousAndNarrow) {
  EXPECT_EQ(Histogram::lower_bound(0), 0u);
  for (size_t i = 0; i + 1 < Histogram::kBuckets; ++i) {
    ASSERT_EQ(Histogram::upper_bound(i), Histogram::lower_bound(i + 1));
    uint64_t lo = Histogram::lower_bound(i);
    uint64_t width = Histogram::upper_bound(i) - lo;
    if (lo >= Histogram::kSub) {
      ASSERT_LE(width * 8, lo) << i;  // At most 1/8 of the lower bound.
    }
    ASSERT_EQ(Histogram::bucket_of(lo), i);
    ASSERT_EQ(Histogram::bucket_of(Histogram::upper_bound(i) - 1), i);
  }
  EXPECT_EQ(Histogram::bucket_of(UINT64_MAX), Histogram::kBuckets - 1);
}

TEST(Histogram, PowersOfTwoStartBuckets) {
  for (unsigned k = 3; k <= Histogram::kMaxExponent; ++k) {
    size_t b = Histogram::bucket_of(uint64_t{1} << k);
    EXPECT_EQ(b, 8u * (k - 2));
    EXPECT_EQ(Histogram::lower_bound(b), uint64_t{1} << k);
  }
}

TEST(Histogram, CountsSumsAndQuantiles) {
  Histogram h;
  for (uint64_t v = 1; v <= 1000; ++v) h.record(v * 1000);  // 1 µs .. 1 ms in ns.
  HistogramSnapshot s = h.snapshot();
  EXPECT_EQ(s.count(), 1000u);
  EXPECT_EQ(s.sum, 1000u * 1001u / 2u * 1000u);
  EXPECT_EQ(s.count_below(1u << 19), 524u);  // 1000 * v < 524288 for v <= 524.
  for (double q : {0.5, 0.9, 0.99}) {
    double exact = q * 1000 * 1000;
    double got = static_cast<double>(s.quantile(q));
    EXPECT_NEAR(got, exact, exact * 0.07) << q;
  }
  EXPECT_EQ(HistogramSnapshot{}.quantile(0.5), 0u);
}

TEST(Histogram, SnapshotsMergeAndSubtract) {
  Histogram a;
  Histogram b;
  for (int i = 0; i < 10; ++i) a.record(100);
  for (int i = 0; i < 5; ++i) b.record(5000);
  HistogramSnapshot before = a.snapshot();
  a.record(7);
  HistogramSnapshot merged = a.snapshot();
  merged.merge(b.snapshot());
  EXPECT_EQ(merged.count(), 16u);
  EXPECT_EQ(merged.sum, 10u * 100 + 7 + 5u * 5000);
  EXPECT_EQ(merged.count_below(101), 11u);
  HistogramSnapshot delta = a.snapshot().since(before);
  EXPECT_EQ(delta.count(), 1u);
  EXPECT_EQ(delta.sum, 7u);
}

TEST(Histogram, SharedRecordsFromManyThreads) {
  Histogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.record_shared(static_cast<uint64_t>(i));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.snapshot().count(), 40000u);
  EXPECT_EQ(h.snapshot().sum, 4u * (9999u * 10000u / 2u));
}

}  // namespace
}  // namespace weft
