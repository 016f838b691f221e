// Task<T>: laziness, values, exceptions, transfer of control without stack growth, and
// frames from the pool. Tasks here run without an event loop, driven by a bare root.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "weft/coro/detail/root.h"
#include "weft/coro/frame_pool.h"
#include "weft/coro/task.h"

namespace weft {
namespace {

// Runs a Task<T> from a root coroutine on this thread; returns once the root is suspended
// or done. The root frees itself when it ends.
template <class T>
void start(Task<T> task, std::optional<T>& out, std::exception_ptr& error) {
  auto root = [](Task<T> t, std::optional<T>& o, std::exception_ptr& e) -> detail::Root {
    try {
      o.emplace(co_await t);
    } catch (...) {
      e = std::current_exception();
    }
  }(std::move(task), out, error);
  root.release().resume();
}

template <class T>
T run(Task<T> task) {
  std::optional<T> out;
  std::exception_ptr error;
  start(std::move(task), out, error);
  if (error) std::rethrow_exception(error);
  if (!out) throw std::logic_error("the task did not complete synchronously");
  return std::move(*out);
}

// A manual event: awaiting it suspends until set() resumes the waiter (from outside).
// It hands out a small awaiter that points back at it: GCC 12 copies an lvalue awaiter
// reached through a lambda's reference capture, so the event must not be its own awaiter.
struct Event {
  struct Awaiter {
    Event* event;
    bool await_ready() const { return false; }
    void await_suspend(std::coroutine_handle<> h) { event->waiter = h; }
    void await_resume() const {}
  };
  Awaiter operator co_await() { return {this}; }
  void set() { std::exchange(waiter, {}).resume(); }
  std::coroutine_handle<> waiter;
};

Task<int> answer() {
  co_return 42;
}
Task<> nothing() {
  co_return;
}

TEST(Task, IsLazy) {
  bool ran = false;
  auto make = [&ran]() -> Task<int> {
    ran = true;
    co_return 1;
  };
  {
    Task<int> t = make();
    EXPECT_FALSE(ran);
    EXPECT_TRUE(t.valid());
    EXPECT_FALSE(t.done());
  }
  EXPECT_FALSE(ran);  // Destroyed without running: the body never started.
  EXPECT_EQ(run(make()), 1);
  EXPECT_TRUE(ran);
}

TEST(Task, ReturnsValues) {
  EXPECT_EQ(run(answer()), 42);
  auto outer = []() -> Task<std::string> {
    int a = co_await answer();
    co_await nothing();
    co_return std::to_string(a) + "!";
  };
  EXPECT_EQ(run(outer()), "42!");
  auto move_only = []() -> Task<std::unique_ptr<int>> { co_return std::make_unique<int>(7); };
  EXPECT_EQ(*run(move_only()), 7);
}

TEST(Task, ExceptionsPropagateToTheAwaiter) {
  auto thrower = []() -> Task<int> {
    throw std::runtime_error("boom");
    co_return 0;
  };
  auto middle = [thrower]() -> Task<int> { co_return co_await thrower() + 1; };
  auto catcher = [middle]() -> Task<std::string> {
    try {
      co_await middle();
    } catch (const std::runtime_error& e) {
      co_return std::string("caught ") + e.what();
    }
    co_return "not caught";
  };
  EXPECT_EQ(run(catcher()), "caught boom");
  EXPECT_THROW(run(middle()), std::runtime_error);
}

TEST(Task, ExceptionAfterSuspensionPropagates) {
  Event event;
  auto child = [&event]() -> Task<int> {
    co_await event;
    throw std::logic_error("late");
  };
  auto parent = [&child]() -> Task<int> {
    try {
      co_return co_await child();
    } catch (const std::logic_error&) {
      co_return -1;
    }
  };
  std::optional<int> out;
  std::exception_ptr error;
  start(parent(), out, error);
  EXPECT_FALSE(out.has_value());
  event.set();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, -1);
}

// The address of a local in the awaiting coroutine, for watching the stack.
[[gnu::noinline]] uintptr_t stack_mark() {
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
}

TEST(Task, TenThousandImmediateCompletionsKeepTheStackFlat) {
  auto loop = []() -> Task<uintptr_t> {
    uintptr_t first = stack_mark();
    uintptr_t spread = 0;
    for (int i = 0; i < 10000; ++i) {
      co_await nothing();
      int v = co_await answer();
      if (v != 42) throw std::logic_error("wrong value");
      uintptr_t m = stack_mark();
      spread = std::max(spread, first > m ? first - m : m - first);
    }
    co_return spread;
  };
  // Were each completion to nest a resume, 20,000 of them would move the stack by
  // megabytes (or overflow it); flat, it does not move at all.
  EXPECT_LT(run(loop()), 1024u);
}

TEST(Task, TenThousandAsynchronousCompletionsKeepTheStackFlat) {
  Event event;
  uintptr_t first = 0;
  uintptr_t spread = 0;
  int rounds = 0;
  auto child = [&event]() -> Task<int> {
    co_await event;
    co_return 1;
  };
  auto loop = [&]() -> Task<int> {
    for (int i = 0; i < 10000; ++i) {
      rounds += co_await child();
      uintptr_t m = stack_mark();
      if (first == 0) first = m;
      spread = std::max(spread, first > m ? first - m : m - first);
    }
    co_return rounds;
  };
  std::optional<int> out;
  std::exception_ptr error;
  start(loop(), out, error);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(event.waiter) << "round " << i;
    event.set();  // The child completes and transfers to its parent symmetrically.
  }
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, 10000);
  EXPECT_LT(spread, 1024u);
}

TEST(Task, FramesComeFromThePoolInSteadyState) {
  auto loop = [](int n) -> Task<int> {
    int sum = 0;
    for (int i = 0; i < n; ++i) sum += co_await answer();
    co_return sum;
  };
  run(loop(10));  // Warm the free lists.
  FramePoolStats before = frame_pool_stats();
  EXPECT_EQ(run(loop(1000)), 42000);
  FramePoolStats after = frame_pool_stats();
  EXPECT_GE(after.allocations - before.allocations, 1001u);
  EXPECT_EQ(after.heap_allocations, before.heap_allocations) << "a frame came from the heap in steady state";
  EXPECT_EQ(after.bytes_in_use, before.bytes_in_use) << "frames leaked";
}

TEST(Task, DestroyingASuspendedTaskFreesEveryFrame) {
  Event event;
  FramePoolStats before = frame_pool_stats();
  {
    auto leaf = [&event]() -> Task<int> {
      co_await event;
      co_return 1;
    };
    auto mid = [&leaf]() -> Task<int> { co_return co_await leaf(); };
    Task<int> top = mid();
    // Start it by hand through an awaiter, as a parent would, and leave it suspended.
    auto awaiter = top.operator co_await();
    EXPECT_FALSE(awaiter.await_ready());
    EXPECT_TRUE(awaiter.await_suspend(std::noop_coroutine()));
    EXPECT_TRUE(event.waiter);
  }
  EXPECT_EQ(frame_pool_stats().bytes_in_use, before.bytes_in_use);
}

}  // namespace
}  // namespace weft
