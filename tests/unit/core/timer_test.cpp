// Timers of EventLoop, run on a real loop thread.

#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

#include "weft/core/event_loop.h"

namespace weft {
namespace {

using namespace std::chrono_literals;

// Runs a loop on its own thread for the duration of a test.
class LoopThread {
 public:
  LoopThread() : thread_([this] { loop.run(); }) {}
  ~LoopThread() {
    loop.quit();
    thread_.join();
  }
  // Runs fn on the loop thread and waits for it.
  template <class F>
  void sync(F&& fn) {
    std::promise<void> done;
    loop.post([&] {
      fn();
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  }
  EventLoop loop;

 private:
  std::thread thread_;
};

TEST(Timer, FiresInDeadlineOrderAndEqualDeadlinesInInsertionOrder) {
  LoopThread t;
  std::vector<int> order;
  std::promise<void> done;
  t.sync([&] {
    t.loop.run_after(30ms, [&] { order.push_back(3); });
    t.loop.run_after(10ms, [&] { order.push_back(1); });
    t.loop.run_after(20ms, [&] { order.push_back(2); });
    for (int i = 10; i < 15; ++i) t.loop.run_after(40ms, [&, i] { order.push_back(i); });
    t.loop.run_after(50ms, [&] { done.set_value(); });
  });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 10, 11, 12, 13, 14}));
}

TEST(Timer, CancelPreventsFiringAndReportsState) {
  LoopThread t;
  bool fired = false;
  std::promise<void> done;
  t.sync([&] {
    TimerId id = t.loop.run_after(10ms, [&] { fired = true; });
    EXPECT_TRUE(t.loop.cancel(id));
    EXPECT_FALSE(t.loop.cancel(id));
    EXPECT_FALSE(t.loop.cancel(TimerId{}));
    t.loop.run_after(30ms, [&] { done.set_value(); });
  });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(fired);
}

TEST(Timer, OneShotCannotBeCancelledAfterFiring) {
  LoopThread t;
  std::promise<TimerId> fired;
  TimerId id;
  t.sync([&] { id = t.loop.run_after(0ms, [&] { fired.set_value(id); }); });
  auto f = fired.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  t.sync([&] { EXPECT_FALSE(t.loop.cancel(f.get())); });
}

TEST(Timer, RepeatingTimerCancelsItselfFromItsCallback) {
  LoopThread t;
  int count = 0;
  TimerId id;
  std::promise<void> done;
  t.sync([&] {
    id = t.loop.run_every(1ms, [&] {
      if (++count == 5) {
        EXPECT_TRUE(t.loop.cancel(id));
        t.loop.run_after(20ms, [&] { done.set_value(); });
      }
    });
  });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(count, 5);
}

TEST(Timer, CallbackCancelsAnotherDueTimerOfTheSameBatch) {
  LoopThread t;
  std::vector<int> order;
  std::promise<void> done;
  TimerId second;
  t.sync([&] {
    t.loop.run_after(5ms, [&] {
      order.push_back(1);
      EXPECT_TRUE(t.loop.cancel(second));
    });
    second = t.loop.run_after(5ms, [&] { order.push_back(2); });
    t.loop.run_after(5ms, [&] { order.push_back(3); });
    t.loop.run_after(20ms, [&] { done.set_value(); });
  });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
}

TEST(Timer, ZeroDelayAddedInsideCallbackRunsOnALaterIteration) {
  LoopThread t;
  uint64_t outer_iteration = 0;
  uint64_t inner_iteration = 0;
  std::promise<void> done;
  t.sync([&] {
    t.loop.run_after(0ms, [&] {
      outer_iteration = t.loop.iterations();
      t.loop.run_after(0ms, [&] {
        inner_iteration = t.loop.iterations();
        done.set_value();
      });
    });
  });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_GT(inner_iteration, outer_iteration);
}

TEST(Timer, ManyCancelledTimersDoNotAccumulate) {
  LoopThread t;
  t.sync([&] {
    for (int i = 0; i < 10000; ++i) {
      TimerId id = t.loop.run_after(1h, [] {});
      ASSERT_TRUE(t.loop.cancel(id));
    }
  });
  std::promise<void> done;
  t.sync([&] { t.loop.run_after(1ms, [&] { done.set_value(); }); });
  EXPECT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
}

TEST(Timer, ThrowingCallbackDoesNotStopTheLoop) {
  LoopThread t;
  std::promise<void> done;
  t.sync([&] {
    t.loop.run_after(1ms, [] { throw std::runtime_error("boom"); });
    t.loop.run_after(5ms, [&] { done.set_value(); });
  });
  EXPECT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace weft
