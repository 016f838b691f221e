#pragma once
// OffloadOp: the awaitable behind weft::offload (weft/coro/offload.h). It runs the function
// on the runtime's WorkerPool and resumes the coroutine on its loop through a post.
// Machinery; applications call offload().

#include <coroutine>
#include <exception>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "weft/core/error.h"
#include "weft/coro/detail/coro_context.h"
#include "weft/coro/worker_pool.h"

namespace weft::detail {

WorkerPool* runtime_workers(CoroRuntime* runtime);
// From a worker: resumes h on ctx's loop, or, if that loop has finished running, logs and
// abandons it.
void resume_after_offload(CoroContext* ctx, std::coroutine_handle<> h);

template <class R>
struct OffloadResult {
  std::optional<R> value;
  template <class F>
  void run(F& fn) {
    value.emplace(fn());
  }
  R take() { return std::move(*value); }
};

template <>
struct OffloadResult<void> {
  template <class F>
  void run(F& fn) {
    fn();
  }
  void take() {}
};

template <class F>
class OffloadOp {
 public:
  using R = std::invoke_result_t<F&>;

  explicit OffloadOp(F fn) : fn_(std::move(fn)) {}
  OffloadOp(OffloadOp&& other) noexcept(std::is_nothrow_move_constructible_v<F>) : fn_(std::move(other.fn_)) {}
  OffloadOp& operator=(OffloadOp&&) = delete;

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    CoroContext* ctx = context_of(h);
    WorkerPool* pool = ctx != nullptr && ctx->runtime != nullptr ? runtime_workers(ctx->runtime) : nullptr;
    if (pool == nullptr || ctx->loop == nullptr) {
      error_ = std::make_exception_ptr(std::system_error(std::make_error_code(std::errc::operation_not_supported),
                                                         "offload outside a CoroServer coroutine"));
      return false;
    }
    handle_ = h;
    ctx_ = ctx;
    ++ctx->offloads;
    if (!pool->submit([this] { work(); })) {
      --ctx->offloads;
      error_ = std::make_exception_ptr(std::system_error(make_error_code(Errc::shutdown), "offload"));
      return false;
    }
    return true;
  }
  R await_resume() {
    if (error_) std::rethrow_exception(error_);
    return result_.take();
  }

 private:
  // On a worker thread.
  void work() {
    try {
      result_.run(fn_);
    } catch (...) {
      error_ = std::current_exception();
    }
    // The loop thread reads everything above only after this post hands it over.
    resume_after_offload(ctx_, handle_);
  }

  F fn_;
  OffloadResult<R> result_;
  std::exception_ptr error_;
  std::coroutine_handle<> handle_;
  CoroContext* ctx_ = nullptr;
};

}  // namespace weft::detail
