#pragma once
// Machinery behind weft's awaitables; applications do not use this header directly.
//
// A root coroutine (one per connection, or one spawned on a CoroServer) owns a
// CoroContext, and every Task it awaits, directly or not, sees the same context: it tells
// an awaitable which loop to use and lets the tree be cancelled. While the tree is
// suspended on a weft operation, `pending` points at that operation's Waiter, so closing
// the connection or stopping the server completes it with Errc::closed. A tree awaits one
// thing at a time, so one pointer is enough.
//
// Everything here is for the root's loop thread.

#include <concepts>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <system_error>

#include "weft/coro/frame_pool.h"

namespace weft {
class EventLoop;
}

namespace weft::detail {

class CoroRuntime;
class CoroContext;

// One suspended, cancellable operation. cancel() completes it with an error (Errc::closed,
// Errc::timeout) and resumes its coroutine; it may only be called while it is suspended.
class Waiter {
 public:
  using CancelFn = void (*)(Waiter*, std::error_code);
  explicit Waiter(CancelFn cancel_fn) : cancel_(cancel_fn) {}
  void cancel(std::error_code error) { cancel_(this, error); }

 protected:
  ~Waiter() = default;
  inline void watch(CoroContext* ctx);
  inline void unwatch();

  CoroContext* ctx_ = nullptr;

 private:
  CancelFn cancel_;
};

class CoroContext {
 public:
  // Marks the tree cancelled (later awaits fail at once with Errc::closed) and completes
  // the operation it is suspended on, if any. Resumes the tree: touch nothing afterwards.
  void cancel();

  EventLoop* loop = nullptr;
  CoroRuntime* runtime = nullptr;
  Waiter* pending = nullptr;
  bool cancelled = false;
  uint32_t offloads = 0;  // Offloads in flight: such a tree is never destroyed by force.
  // The hook of the runtime's list of live roots on this loop (once it started there).
  struct RootsHook {
    CoroContext* prev = nullptr;
    CoroContext* next = nullptr;
  } roots_hook;
  std::coroutine_handle<> root;
};

inline void Waiter::watch(CoroContext* ctx) {
  ctx_ = ctx;
  if (ctx != nullptr) ctx->pending = this;
}

inline void Waiter::unwatch() {
  if (ctx_ != nullptr && ctx_->pending == this) ctx_->pending = nullptr;
  ctx_ = nullptr;
}

// The context of the coroutine behind h, or null if it is not a weft coroutine.
template <class P>
CoroContext* context_of(std::coroutine_handle<P> h) {
  if constexpr (requires(P & p) {
                  { p.context() } -> std::convertible_to<CoroContext*>;
                }) {
    return h.promise().context();
  } else {
    return nullptr;
  }
}

// Unlinks a finished root from its runtime (see src/coro/runtime.cpp).
void root_finished(CoroContext* ctx) noexcept;
// Logs the exception being handled (call it from a catch block) that escaped the body of
// a root coroutine: "<where> threw: <what>".
void log_root_exception(const char* where) noexcept;

// A root coroutine: it starts suspended, frees itself when it ends and owns its context.
// Its body must not let exceptions escape (the bodies in weft catch and log them).
class Root {
 public:
  class promise_type : public PooledFrame, public CoroContext {
   public:
    promise_type() { root = std::coroutine_handle<promise_type>::from_promise(*this); }
    ~promise_type() { root_finished(this); }
    Root get_return_object() { return Root(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
    CoroContext* context() { return this; }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Root(Root&& other) noexcept : handle_(other.handle_) { other.handle_ = {}; }
  Root& operator=(Root&&) = delete;
  // A root that was never started is destroyed with its frame.
  ~Root() {
    if (handle_) handle_.destroy();
  }

  CoroContext& context() { return handle_.promise(); }
  // Gives up ownership: the caller resumes the handle once, and the frame frees itself.
  Handle release() {
    Handle h = handle_;
    handle_ = {};
    return h;
  }

 private:
  explicit Root(Handle h) : handle_(h) {}
  Handle handle_;
};

}  // namespace weft::detail
