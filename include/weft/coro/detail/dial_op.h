#pragma once
// DialOp: the awaitable behind weft::dial (weft/coro/dial.h): a non-blocking connect
// watched on the coroutine's loop, whose socket the runtime's Server then adopts.
// Machinery; applications call dial().

#include <coroutine>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "weft/core/address.h"
#include "weft/core/detail/io_object.h"
#include "weft/core/time.h"
#include "weft/coro/detail/waiter.h"
#include "weft/coro/result.h"
#include "weft/coro/stream.h"

namespace weft::detail {

class StreamState;

class [[nodiscard]] DialOp final : public Waiter, private IoObject {
 public:
  DialOp(std::string_view url, Duration timeout);
  DialOp(const Address& address, Duration timeout);
  DialOp(DialOp&& other) noexcept;  // Only before it is awaited.
  DialOp& operator=(DialOp&&) = delete;
  ~DialOp();

  bool await_ready() const noexcept { return static_cast<bool>(ec_); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return begin(h, context_of(h));
  }
  Result<Stream> await_resume();
  void fail_now(std::error_code error) { ec_ = error; }

 private:
  bool begin(std::coroutine_handle<> h, CoroContext* ctx);
  // Starts the connect; false if it ended at once (ec_ or state_ set).
  bool connect();
  void resolved(std::error_code error, const Address& first);
  void on_io(uint32_t events) override;
  void connected(int fd);
  int release_fd();
  static void cancel_op(Waiter* self, std::error_code error);

  Address address_;
  std::string host_;  // A name to resolve first (address_ is then invalid).
  uint16_t port_ = 0;
  // Set while the resolver may still answer; the answer checks it (this op may be gone).
  std::shared_ptr<DialOp*> resolving_;
  Duration timeout_;
  CoroRuntime* runtime_ = nullptr;
  EventLoop* loop_ = nullptr;
  int fd_ = -1;
  TimerId timer_;
  std::coroutine_handle<> handle_;
  std::error_code ec_;
  StreamState* state_ = nullptr;
};

}  // namespace weft::detail
