#pragma once
// SleepOp: the awaitable behind weft::sleep (weft/coro/sleep.h), a cancellable wait on the
// loop's timer. Machinery; applications call sleep().

#include <coroutine>
#include <system_error>

#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/coro/detail/waiter.h"

namespace weft::detail {

class SleepOp final : public Waiter {
 public:
  explicit SleepOp(Duration d) : Waiter(&cancel_op), duration_(d) {}
  SleepOp(SleepOp&& other) noexcept : Waiter(other), duration_(other.duration_) {}
  SleepOp& operator=(SleepOp&&) = delete;
  ~SleepOp() {
    if (timer_) loop_->cancel(timer_);
    unwatch();
  }

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    CoroContext* ctx = context_of(h);
    if (ctx == nullptr || ctx->loop == nullptr) {
      ec_ = std::make_error_code(std::errc::operation_not_supported);
      return false;
    }
    if (ctx->cancelled) {
      ec_ = make_error_code(Errc::closed);
      return false;
    }
    handle_ = h;
    loop_ = ctx->loop;
    // The loop's timers count from the time cached at the start of this iteration, which
    // may be well past by now: a sleep counts from the call, so it never ends early.
    Duration d = duration_ > Duration::zero() ? duration_ + (Clock::now() - loop_->now()) : duration_;
    timer_ = loop_->run_after(d, [this] {
      timer_ = {};
      unwatch();
      handle_.resume();
    });
    watch(ctx);
    return true;
  }
  std::error_code await_resume() const noexcept { return ec_; }
  void fail_now(std::error_code error) { ec_ = error; }

 private:
  static void cancel_op(Waiter* self, std::error_code error) {
    auto* op = static_cast<SleepOp*>(self);
    op->loop_->cancel(op->timer_);
    op->timer_ = {};
    op->unwatch();
    op->ec_ = error;
    op->handle_.resume();
  }

  Duration duration_;
  EventLoop* loop_ = nullptr;
  TimerId timer_;
  std::coroutine_handle<> handle_;
  std::error_code ec_;
};

}  // namespace weft::detail
