#pragma once
// Root: the coroutine at the top of a weft coroutine tree (one per connection, or one
// spawned on a CoroServer). Machinery; applications do not use it.
//
// A root starts suspended, owns its tree's CoroContext (its promise is one), and frees
// itself when it ends; ending, or being destroyed, unlinks it from its runtime. Its body
// must not let exceptions escape: the bodies in weft catch them and log with
// log_root_exception.

#include <coroutine>
#include <exception>

#include "weft/coro/detail/coro_context.h"
#include "weft/coro/detail/pooled_frame.h"

namespace weft::detail {

// Unlinks a finished root from its runtime (see src/coro/runtime.cpp).
void root_finished(CoroContext* ctx) noexcept;
// Logs the exception being handled (call it from a catch block) that escaped the body of
// a root coroutine: "<where> threw: <what>".
void log_root_exception(const char* where) noexcept;

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
