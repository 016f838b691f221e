#pragma once
// The promise types behind Task<T> (weft/coro/task.h): lazy start, the ready flag that
// hands control back to a parent when a child finishes without suspending, the parent's
// CoroContext passed down, and the exception kept for the co_await that awaits the task.
// Machinery; applications use Task.

#include <atomic>
#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/coro/detail/coro_context.h"
#include "weft/coro/detail/pooled_frame.h"

namespace weft {

template <class T>
class Task;

namespace detail {

class TaskPromiseBase : public PooledFrame {
 public:
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      TaskPromiseBase& p = h.promise();
      // Whoever flips the flag second continues: if the parent is still inside its
      // await_suspend, it sees the flag and carries on by itself.
      if (p.ready_.exchange(true, std::memory_order_acq_rel)) return p.continuation_;
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }
  CoroContext* context() const { return context_; }

  // Starts the child whose promise this is, from parent's await_suspend. Returns true if
  // the parent must stay suspended (the child suspended and will resume it later).
  bool start(std::coroutine_handle<> self, std::coroutine_handle<> parent, CoroContext* ctx) {
    continuation_ = parent;
    context_ = ctx;
    self.resume();
    return !ready_.exchange(true, std::memory_order_acq_rel);
  }

 protected:
  void rethrow_if_failed() {
    if (exception_) std::rethrow_exception(exception_);
  }

 private:
  std::coroutine_handle<> continuation_;
  CoroContext* context_ = nullptr;
  std::exception_ptr exception_;
  std::atomic<bool> ready_{false};
};

template <class T>
class TaskPromise final : public TaskPromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U>
  requires std::is_convertible_v<U&&, T>
  void return_value(U&& value) { value_.emplace(std::forward<U>(value)); }
  T take() {
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class TaskPromise<void> final : public TaskPromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() { rethrow_if_failed(); }
};

}  // namespace detail
}  // namespace weft
