#pragma once
// TimeoutOp: the awaitable behind weft::with_timeout (weft/coro/with_timeout.h). It wraps
// a cancellable operation and cancels it with Errc::timeout when its timer fires.
// Machinery; applications call with_timeout().

#include <concepts>
#include <coroutine>
#include <utility>

#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/coro/detail/waiter.h"

namespace weft::detail {

template <class Op>
concept Cancellable = std::derived_from<Op, Waiter> && requires(Op& op, std::error_code ec) {
  op.fail_now(ec);
};

template <Cancellable Op>
class TimeoutOp {
 public:
  TimeoutOp(Duration d, Op&& op) : duration_(d), op_(std::move(op)) {}
  TimeoutOp(TimeoutOp&& other) noexcept : duration_(other.duration_), op_(std::move(other.op_)) {}
  TimeoutOp& operator=(TimeoutOp&&) = delete;
  ~TimeoutOp() {
    if (timer_) loop_->cancel(timer_);
  }

  bool await_ready() { return op_.await_ready(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    CoroContext* ctx = context_of(h);
    if (ctx == nullptr || ctx->loop == nullptr) {
      op_.fail_now(std::make_error_code(std::errc::operation_not_supported));
      return false;
    }
    if (!op_.await_suspend(h)) return false;
    loop_ = ctx->loop;
    timer_ = loop_->run_after(duration_, [this] {
      timer_ = {};
      // Resumes the coroutine, which may destroy this object: nothing may follow.
      op_.cancel(make_error_code(Errc::timeout));
    });
    return true;
  }
  decltype(auto) await_resume() {
    if (timer_) {
      loop_->cancel(timer_);
      timer_ = {};
    }
    return op_.await_resume();
  }

 private:
  Duration duration_;
  Op op_;
  EventLoop* loop_ = nullptr;
  TimerId timer_;
};

}  // namespace weft::detail
