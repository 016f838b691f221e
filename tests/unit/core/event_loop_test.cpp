// Cross-thread tasks and the loop's life cycle.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "weft/core/event_loop.h"
#include "weft/core/loop_group.h"

namespace weft {
namespace {

using namespace std::chrono_literals;

TEST(EventLoop, PostedTasksRunOnTheLoopThreadInOrderPerPoster) {
  EventLoop loop;
  std::thread runner([&] { loop.run(); });
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<int>> seen(kThreads);
  std::atomic<int> off_thread{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        loop.post([&, t, i] {
          if (!loop.in_loop_thread()) off_thread++;
          seen[static_cast<size_t>(t)].push_back(i);
        });
      }
    });
  }
  for (auto& p : posters) p.join();
  std::promise<void> drained;
  loop.post([&] { drained.set_value(); });
  ASSERT_EQ(drained.get_future().wait_for(10s), std::future_status::ready);
  loop.quit();
  runner.join();
  EXPECT_EQ(off_thread.load(), 0);
  for (auto& s : seen) {
    ASSERT_EQ(s.size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(s[static_cast<size_t>(i)], i);
  }
}

TEST(EventLoop, BurstOfPostsTakesFewIterations) {
  EventLoop loop;
  std::promise<void> started;
  loop.post([&] { started.set_value(); });
  std::thread runner([&] { loop.run(); });
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);
  // Block the loop so the burst queues up behind one wake-up.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> blocked;
  loop.post([&, gate] {
    blocked.set_value();
    gate.wait();
  });
  ASSERT_EQ(blocked.get_future().wait_for(10s), std::future_status::ready);
  std::atomic<int> ran{0};
  for (int i = 0; i < 1000; ++i) loop.post([&] { ran++; });
  std::promise<uint64_t> after;
  loop.post([&] { after.set_value(loop.iterations()); });
  release.set_value();
  auto f = after.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  uint64_t iterations = f.get();
  loop.quit();
  runner.join();
  EXPECT_EQ(ran.load(), 1000);
  // All 1001 tasks were queued behind one pending wake-up: they take at most two passes.
  EXPECT_LE(iterations, 4u);
}

TEST(EventLoop, PostAfterFinishFailsAndLeavesTaskIntact) {
  EventLoop loop;
  std::thread runner([&] { loop.run(); });
  loop.quit();
  runner.join();
  bool ran = false;
  EventLoop::Task task = [&] { ran = true; };
  EXPECT_FALSE(loop.post(std::move(task)));
  ASSERT_TRUE(static_cast<bool>(task));
  task();
  EXPECT_TRUE(ran);
}

TEST(EventLoop, TasksQueuedBeforeQuitStillRun) {
  EventLoop loop;
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) loop.post([&] { ran++; });
  loop.post([&] { loop.quit(); });
  for (int i = 0; i < 10; ++i) loop.post([&] { ran++; });
  loop.run();
  EXPECT_EQ(ran.load(), 20);
}

TEST(LoopGroup, RunsEachLoopOnItsOwnThread) {
  LoopGroup group(3, LoopOptions{});
  group.start();
  std::vector<std::thread::id> ids(3);
  for (size_t i = 0; i < 3; ++i) {
    std::promise<void> done;
    group.loop(i).post([&, i] {
      ids[i] = std::this_thread::get_id();
      EXPECT_TRUE(group.loop(i).in_loop_thread());
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  }
  group.stop();
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);
  EXPECT_NE(ids[0], std::this_thread::get_id());
}

// Loop-only calls abort in debug builds when made on another thread, naming the call.
TEST(EventLoopDeathTest, ATimerCallOffTheLoopThreadAbortsNamingTheCall) {
#ifdef NDEBUG
  GTEST_SKIP() << "thread asserts are compiled out of release builds (NDEBUG); the Debug sanitizer build runs this";
#endif
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        EventLoop loop;
        std::thread runner([&] { loop.run(); });
        std::promise<void> running;
        loop.post([&] { running.set_value(); });
        running.get_future().wait();
        loop.run_after(1ms, [] {});  // On the test's thread, not the loop's.
        loop.quit();
        runner.join();
      },
      "weft: EventLoop::run_after called off its loop thread");
}

}  // namespace
}  // namespace weft
