#pragma once
// Waiting helpers for tests: counters and one-shot values set from handler callbacks and
// awaited by the test thread with a bound. Every wait returns false on timeout, so the
// test fails instead of hanging.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"

namespace weft::test {

inline constexpr Duration kWait = std::chrono::seconds(20);

// Both helpers notify while holding their mutex: a waiter that sees the value may return
// and destroy the helper at once, which must not happen while the setter is still inside
// notify_all (ThreadSanitizer reports it, rightly).

// A counter any thread may add to; the test waits for it to reach a value.
class Counter {
 public:
  void add(size_t n = 1) {
    std::lock_guard lock(mutex_);
    value_ += n;
    cv_.notify_all();
  }
  size_t value() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  // Waits until value() >= n.
  bool wait_for(size_t n, Duration timeout = kWait) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return value_ >= n; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  size_t value_ = 0;
};

// A value set once (later sets are ignored) and awaited.
template <class T>
class OnceValue {
 public:
  void set(T value) {
    std::lock_guard lock(mutex_);
    if (value_) return;
    value_ = std::move(value);
    cv_.notify_all();
  }
  std::optional<T> wait(Duration timeout = kWait) const {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return value_.has_value(); });
    return value_;
  }
  std::optional<T> peek() const {
    std::lock_guard lock(mutex_);
    return value_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::optional<T> value_;
};

// Runs fn on the loop thread and returns its result, or nullopt if the loop did not run it
// within the timeout. A task posted from a handler callback runs after the iteration that
// made the callback has finished (including its flush and finalize phases), so this also
// serves as a barrier.
template <class F>
auto call_on_loop(EventLoop& loop, F fn, Duration timeout = kWait) -> std::optional<decltype(fn())> {
  using R = decltype(fn());
  auto result = std::make_shared<OnceValue<R>>();
  bool posted = loop.post([result, fn = std::move(fn)]() mutable { result->set(fn()); });
  if (!posted) return std::nullopt;
  return result->wait(timeout);
}

// Waits until the loop has run a task posted now (see call_on_loop).
inline bool sync_with_loop(EventLoop& loop, Duration timeout = kWait) {
  return call_on_loop(
             loop, [] { return true; }, timeout)
      .has_value();
}

}  // namespace weft::test
