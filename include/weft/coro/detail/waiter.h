#pragma once
// Waiter: one suspended, cancellable weft operation (a stream read or write, a sleep, a
// dial). Machinery; applications do not use it.
//
// cancel() completes the operation with an error (Errc::closed, Errc::timeout) and
// resumes its coroutine; it may only be called while the operation is suspended. While
// suspended, an operation is registered (watch) as its tree's pending operation, so that
// cancelling the tree reaches it. Loop thread only.

#include <system_error>

#include "weft/coro/detail/coro_context.h"

namespace weft::detail {

class Waiter {
 public:
  using CancelFn = void (*)(Waiter*, std::error_code);
  explicit Waiter(CancelFn cancel_fn) : cancel_(cancel_fn) {}
  void cancel(std::error_code error) { cancel_(this, error); }

 protected:
  ~Waiter() = default;
  void watch(CoroContext* ctx) {
    ctx_ = ctx;
    if (ctx != nullptr) ctx->pending = this;
  }
  void unwatch() {
    if (ctx_ != nullptr && ctx_->pending == this) ctx_->pending = nullptr;
    ctx_ = nullptr;
  }

  CoroContext* ctx_ = nullptr;

 private:
  CancelFn cancel_;
};

}  // namespace weft::detail
