// TimerQueue on its own, with a hand-driven clock: the live and stale counts stay exact
// whatever callbacks do to their own and other timers, and compaction keeps them so.

#include "core/timer_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace weft::detail {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart{};

TimePoint at(Duration d) {
  return kStart + d;
}

// The counts a queue must report when `live` timers are armed and `stale` heap entries
// belong to cancelled ones.
void expect_counts(const TimerQueue& q, size_t live, size_t stale) {
  EXPECT_EQ(q.size(), live);
  EXPECT_EQ(q.stale_entries(), stale);
  EXPECT_EQ(q.heap_size(), live + stale);
}

TEST(TimerQueue, OneShotCancellingItselfHasAlreadyFired) {
  TimerQueue q;
  TimerId self;
  bool cancelled = true;
  int runs = 0;
  self = q.add(at(1ms), Duration::zero(), [&] {
    ++runs;
    cancelled = q.cancel(self);
  });
  q.run_due(at(1ms));
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(cancelled);
  expect_counts(q, 0, 0);
  EXPECT_FALSE(q.cancel(self));
}

TEST(TimerQueue, PeriodicCancellingItselfIsNotRearmed) {
  TimerQueue q;
  TimerId self;
  int runs = 0;
  self = q.add(at(1ms), 1ms, [&] {
    if (++runs == 3) {
      EXPECT_TRUE(q.cancel(self));
    }
  });
  for (int i = 1; i <= 6; ++i) q.run_due(at(i * 1ms));
  EXPECT_EQ(runs, 3);
  expect_counts(q, 0, 0);
  EXPECT_FALSE(q.cancel(self));
}

TEST(TimerQueue, CallbackCancelsAnotherTimer) {
  TimerQueue q;
  bool other_ran = false;
  TimerId other = q.add(at(5ms), Duration::zero(), [&] { other_ran = true; });
  bool result = false;
  q.add(at(1ms), Duration::zero(), [&] { result = q.cancel(other); });
  q.run_due(at(1ms));
  EXPECT_TRUE(result);
  expect_counts(q, 0, 1);  // The cancelled entry waits in the heap.
  EXPECT_EQ(q.next_deadline(), TimePoint::max());
  expect_counts(q, 0, 0);
  q.run_due(at(10ms));
  EXPECT_FALSE(other_ran);
}

TEST(TimerQueue, CallbackReAddsATimer) {
  TimerQueue q;
  std::vector<int> order;
  TimerId self;
  self = q.add(at(1ms), Duration::zero(), [&] {
    order.push_back(1);
    EXPECT_FALSE(q.cancel(self));
    q.add(at(1ms), Duration::zero(), [&] { order.push_back(2); });  // Waits for the next call.
  });
  q.run_due(at(1ms));
  EXPECT_EQ(order, std::vector<int>{1});
  expect_counts(q, 1, 0);
  q.run_due(at(1ms));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  expect_counts(q, 0, 0);
}

// The case that underflowed: a callback cancels itself and then enough other timers that
// the heap is compacted while its own (already popped) entry is counted nowhere.
TEST(TimerQueue, SelfCancelFollowedByCompactionKeepsCountsExact) {
  for (Duration period : {Duration::zero(), Duration(1ms)}) {
    TimerQueue q;
    std::vector<TimerId> others;
    for (int i = 0; i < 100; ++i) others.push_back(q.add(at(1h), Duration::zero(), [] {}));
    TimerId self;
    self = q.add(at(1ms), period, [&] {
      q.cancel(self);
      for (TimerId id : others) EXPECT_TRUE(q.cancel(id));
    });
    q.run_due(at(1ms));
    expect_counts(q, 0, q.stale_entries());
    EXPECT_LE(q.stale_entries(), 100u);
    // Compaction or draining brings the heap back to nothing.
    EXPECT_EQ(q.next_deadline(), TimePoint::max());
    expect_counts(q, 0, 0);
    // Still usable: the counts stay exact for the timers that follow.
    int ran = 0;
    for (int i = 0; i < 10; ++i) q.add(at(2ms), Duration::zero(), [&] { ++ran; });
    q.run_due(at(2ms));
    EXPECT_EQ(ran, 10);
    expect_counts(q, 0, 0);
  }
}

TEST(TimerQueue, CompactionDropsExactlyTheCancelledEntries) {
  TimerQueue q;
  std::vector<TimerId> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(q.add(at(1ms * (i + 1)), Duration::zero(), [] {}));
  for (int i = 0; i < 300; i += 3) EXPECT_TRUE(q.cancel(ids[i]));
  for (int i = 1; i < 300; i += 3) EXPECT_TRUE(q.cancel(ids[i]));
  // 200 cancelled out of 300: at least one compaction ran, and the counts agree.
  expect_counts(q, 100, q.stale_entries());
  EXPECT_LT(q.stale_entries(), 200u);
  int ran = 0;
  for (int i = 2; i < 300; i += 3) {
    q.cancel(ids[i]);
    ids[i] = q.add(at(1ms), Duration::zero(), [&] { ++ran; });
  }
  q.run_due(at(1s));
  EXPECT_EQ(ran, 100);
  expect_counts(q, 0, 0);
}

}  // namespace
}  // namespace weft::detail
