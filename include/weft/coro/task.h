#pragma once
// Task<T>: a lazy coroutine that produces a T (or nothing), awaited by exactly one other
// coroutine.
//
//   weft::Task<int> answer() { co_return 42; }
//   weft::Task<> user() { int v = co_await answer(); ... }
//
// - Lazy: the body starts when the Task is awaited, not when it is called.
// - An exception thrown in the body is rethrown by the co_await that awaits it.
// - Destroying a Task frees its frame (and, through the Tasks it holds, the frames of
//   the coroutines it awaits), whether it has not run, has finished, or is suspended.
// - Frames come from the thread's frame pool (frame_pool.h).
//
// Transfer of control. A child that suspends and later completes resumes its parent by
// symmetric transfer (final_suspend returns the parent's handle), so a chain of Tasks
// completing from an event costs no stack. A child that completes without ever
// suspending hands control back through a ready flag instead: the parent's await_suspend
// sees it done and does not suspend at all. That keeps long loops of immediate
// completions flat even where the compiler does not turn symmetric transfer into a tail
// call (GCC at -O0 does not).
//
// Threads: a Task runs on whatever thread resumes it; weft resumes connection coroutines
// on their loop thread only.

#include <coroutine>
#include <utility>

#include "weft/coro/detail/task_promise.h"

namespace weft {

template <class T = void>
class Task;

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool valid() const { return static_cast<bool>(handle_); }
  bool done() const { return handle_ && handle_.done(); }

  class Awaiter {
   public:
    using value_type = T;
    explicit Awaiter(Handle h) : handle_(h) {}
    bool await_ready() const noexcept { return !handle_ || handle_.done(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> parent) {
      return handle_.promise().start(handle_, parent, detail::context_of(parent));
    }
    T await_resume() { return handle_.promise().take(); }

   private:
    Handle handle_;
  };

  // Awaiting runs the body (once) and yields its value or rethrows its exception.
  Awaiter operator co_await() const& noexcept { return Awaiter(handle_); }

 private:
  Handle handle_;
};

namespace detail {

template <class T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

}  // namespace detail
}  // namespace weft
