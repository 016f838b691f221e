#pragma once
// StreamOp: what every Stream operation (weft/coro/stream.h) shares: completion at once
// when possible, otherwise registration in the stream's read or write slot and with the
// coroutine's context (for cancellation), and completion from the connection's events.
// Machinery; applications call the Stream's methods.

#include <coroutine>
#include <cstdint>
#include <system_error>

#include "weft/core/error.h"
#include "weft/coro/detail/waiter.h"

namespace weft {
class Conn;
}

namespace weft::detail {

class StreamState;

class StreamOp : public Waiter {
 public:
  StreamOp(StreamOp&& other) noexcept;  // Only before it is awaited.
  StreamOp& operator=(StreamOp&&) = delete;
  ~StreamOp() {
    if (registered_ || ctx_ != nullptr) leave();
  }

  bool await_ready() { return start(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return suspend(h, context_of(h));
  }
  // For with_timeout when the operation cannot be bounded: completes it with error
  // without suspending (called instead of await_suspend).
  void fail_now(std::error_code error) { ec_ = error; }

 protected:
  enum class Side : uint8_t { read, write };
  using TryFn = bool (*)(StreamOp*, Conn&);

  StreamOp(StreamState* state, Side side, TryFn try_fn)
      : Waiter(&cancel_op), state_(state), try_(try_fn), side_(side) {}

  // Asserts the loop thread (debug builds), then completes at once if it can.
  bool start();
  bool suspend(std::coroutine_handle<> h, CoroContext* ctx);
  const char* call_name() const;

  StreamState* state_;
  std::error_code ec_ = detail::kNoError;

 private:
  friend class StreamState;
  static void cancel_op(Waiter* self, std::error_code error);
  // Leaves the stream's slot and the coroutine's context.
  void leave();
  // Completes: leaves the stream's slot and the context, then resumes the coroutine.
  void complete();

  std::coroutine_handle<> handle_;
  TryFn try_;
  Side side_;
  bool registered_ = false;
};

}  // namespace weft::detail
