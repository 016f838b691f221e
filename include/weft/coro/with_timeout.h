#pragma once
// with_timeout(d, op): bounds one weft operation in time.
//
//   auto line = co_await weft::with_timeout(5s, s.read_until("\n"));
//   if (line.error() == weft::Errc::timeout) ...   // the stream is still usable
//
// op is any cancellable weft awaitable: the Stream reads and writes, sleep(), dial(). If
// it has not completed after d, it completes with Errc::timeout and the coroutine resumes
// with op's usual result type carrying that error. A read that times out has consumed
// nothing (read_exact into a buffer reports what it had copied), so the stream can be
// read again; a write that times out has still queued its bytes. An operation that
// completes at once never arms a timer. offload() cannot be bounded: the function it runs
// cannot be interrupted.

#include <concepts>
#include <coroutine>
#include <utility>

#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/coro/context.h"

namespace weft {
namespace detail {

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

}  // namespace detail

template <detail::Cancellable Op>
detail::TimeoutOp<Op> with_timeout(Duration d, Op&& op) {
  return detail::TimeoutOp<Op>(d, std::move(op));
}

}  // namespace weft
