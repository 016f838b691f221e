#pragma once
// co_await dial(url, timeout): opens an outgoing connection from a coroutine and returns
// it as a Stream on the coroutine's own loop.
//
//   auto upstream = co_await weft::dial("tcp://127.0.0.1:6379", 2s);
//   if (!upstream) co_return;   // refused, timed out, closed, bad address...
//   co_await upstream->write("PING\r\n");
//
// The connect is non-blocking (EPOLLOUT on the loop). Errors: the connect's own errno
// (std::errc::connection_refused, ...), Errc::timeout after `timeout`, Errc::closed if
// the coroutine is cancelled meanwhile, Errc::shutdown once the server is stopping,
// std::errc::invalid_argument for a malformed URL. A host name in the URL is resolved
// with getaddrinfo on the loop thread, which blocks it; use numeric addresses, or resolve
// once up front and pass an Address.
//
// Dialed connections belong to the CoroServer that runs the coroutine: they follow its
// ServerOptions (nodelay, buffers, water marks, idle timeout), count in its connection
// count, and are closed when it stops. dial works in coroutines a CoroServer runs (a
// CoroServer that listens nowhere is a client runtime); elsewhere it reports
// std::errc::operation_not_supported.

#include <chrono>
#include <coroutine>
#include <string_view>
#include <system_error>

#include "weft/core/address.h"
#include "weft/core/detail/io_object.h"
#include "weft/core/time.h"
#include "weft/coro/context.h"
#include "weft/coro/result.h"
#include "weft/coro/stream.h"

namespace weft {
namespace detail {

class StreamState;

class DialOp final : public Waiter, private IoObject {
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
  void on_io(uint32_t events) override;
  void connected(int fd);
  int release_fd();
  static void cancel_op(Waiter* self, std::error_code error);

  Address address_;
  Duration timeout_;
  CoroRuntime* runtime_ = nullptr;
  EventLoop* loop_ = nullptr;
  int fd_ = -1;
  TimerId timer_;
  std::coroutine_handle<> handle_;
  std::error_code ec_;
  StreamState* state_ = nullptr;
};

}  // namespace detail

inline detail::DialOp dial(std::string_view url, Duration timeout = std::chrono::seconds(10)) {
  return detail::DialOp(url, timeout);
}
inline detail::DialOp dial(const Address& address, Duration timeout = std::chrono::seconds(10)) {
  return detail::DialOp(address, timeout);
}

}  // namespace weft
