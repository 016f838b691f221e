// WorkerPool from callbacks: work runs on a worker thread, done runs on the loop thread
// with work's exception, and a stopped pool refuses work.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "sync.h"
#include "weft/core/event_loop.h"
#include "weft/coro/worker_pool.h"

namespace weft::test {
namespace {

TEST(WorkerPool, RunsWorkOnAWorkerThread) {
  WorkerPool pool(2);
  OnceValue<std::thread::id> ran_on;
  ASSERT_TRUE(pool.submit([&] { ran_on.set(std::this_thread::get_id()); }));
  auto id = ran_on.wait();
  ASSERT_TRUE(id.has_value());
  EXPECT_NE(*id, std::this_thread::get_id());
  EXPECT_EQ(pool.size(), 2u);
}

TEST(WorkerPool, DoneRunsOnTheLoopThreadWithTheException) {
  EventLoop loop;
  std::thread loop_thread([&] { loop.run(); });
  auto loop_id = call_on_loop(loop, [] { return std::this_thread::get_id(); });
  ASSERT_TRUE(loop_id.has_value());

  WorkerPool pool(1);
  OnceValue<bool> ok_on_loop;
  OnceValue<std::string> failure;
  std::atomic<bool> worked{false};
  ASSERT_TRUE(pool.submit(
      [&] { worked = true; }, loop,
      [&](std::exception_ptr e) { ok_on_loop.set(e == nullptr && std::this_thread::get_id() == *loop_id); }));
  ASSERT_TRUE(pool.submit([] { throw std::runtime_error("disk on fire"); }, loop,
                          [&](std::exception_ptr e) {
                            try {
                              if (e) std::rethrow_exception(e);
                              failure.set("no exception");
                            } catch (const std::exception& ex) {
                              failure.set(ex.what());
                            }
                          }));
  EXPECT_EQ(ok_on_loop.wait(), true);
  EXPECT_TRUE(worked);
  EXPECT_EQ(failure.wait(), "disk on fire");
  loop.quit();
  loop_thread.join();
}

TEST(WorkerPool, DoneRunsOnTheWorkerWhenTheLoopHasFinished) {
  EventLoop loop;  // Never runs; once quit() and run() returned, post() refuses.
  std::thread t([&] {
    loop.quit();
    loop.run();
  });
  t.join();
  WorkerPool pool(1);
  OnceValue<bool> done;
  ASSERT_TRUE(pool.submit([] {}, loop, [&](std::exception_ptr) { done.set(true); }));
  EXPECT_EQ(done.wait(), true);
}

TEST(WorkerPool, StopRunsQueuedWorkThenRefuses) {
  Counter ran;
  {
    WorkerPool pool(1);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.submit([&] { ran.add(); }));
    pool.stop();
    EXPECT_EQ(ran.value(), 100u);
    EXPECT_FALSE(pool.submit([&] { ran.add(); }));
  }
  EXPECT_EQ(ran.value(), 100u);
}

// A worker that stops its own pool only signals: the owner joins it. The pool must not
// finish its destructor while that worker still runs (it used to detach the worker and
// free the memory the worker went on to use). The 300 ms wait is a bound, not a
// synchronisation: a correct destructor is still joining this worker when it ends.
TEST(WorkerPool, StopFromAWorkerLeavesTheJoiningToTheOwner) {
  auto pool = std::make_unique<WorkerPool>(1);
  Counter ran;
  OnceValue<bool> stopped;
  OnceValue<bool> destroyed;
  OnceValue<bool> destroyed_while_running;
  ASSERT_TRUE(pool->submit([&, p = pool.get()] {
    p->stop();
    stopped.set(true);
    destroyed_while_running.set(destroyed.wait(std::chrono::milliseconds(300)).has_value());
  }));
  ASSERT_TRUE(pool->submit([&] { ran.add(); }));  // Queued before the stop: still runs.
  ASSERT_EQ(stopped.wait(), true);
  EXPECT_FALSE(pool->submit([&] { ran.add(); }));
  pool.reset();
  destroyed.set(true);
  EXPECT_EQ(destroyed_while_running.wait(), false);
  EXPECT_EQ(ran.value(), 1u);
}

// Marks, from a thread_local destructor, that a thread has exited.
Counter g_exited;
struct ExitMark {
  bool armed = false;
  ~ExitMark() {
    if (armed) g_exited.add();
  }
};
thread_local ExitMark t_exit_mark;

// The last owner may drop the pool inside one of its own tasks: the destructor joins the
// other workers and lets this one finish on the state it shares (checked under ASan).
TEST(WorkerPool, DestroyedFromItsOwnWorker) {
  auto* pool = new WorkerPool(2);
  Counter ran;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pool->submit([&] { ran.add(); }));
  OnceValue<bool> deleted;
  ASSERT_TRUE(pool->submit([&, pool] {
    t_exit_mark.armed = true;
    delete pool;
    deleted.set(true);
  }));
  ASSERT_EQ(deleted.wait(), true);
  EXPECT_EQ(ran.value(), 10u);
  // The worker that ran the delete exits by itself, having touched no freed memory.
  EXPECT_TRUE(g_exited.wait_for(1));
}

TEST(WorkerPool, RejectsZeroThreads) {
  EXPECT_THROW(WorkerPool(0), std::invalid_argument);
}

}  // namespace
}  // namespace weft::test
