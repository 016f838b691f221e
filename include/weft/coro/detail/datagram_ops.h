#pragma once
// The awaitables of DatagramSocket (weft/coro/datagram_socket.h): opening a socket,
// receiving and sending one datagram. Machinery; applications use DatagramSocket.

#include <coroutine>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "weft/core/address.h"
#include "weft/core/error.h"
#include "weft/coro/detail/waiter.h"
#include "weft/coro/result.h"

namespace weft {
class DatagramSocket;

// What recv_from completes with.
struct Datagram {
  size_t size = 0;         // Bytes copied into the buffer.
  Address from;            // The sender.
  bool truncated = false;  // It was longer than the buffer and was cut.
};
}  // namespace weft

namespace weft::detail {

class DatagramState;

// Opens a datagram socket. A connect to a host name first asks the loop's resolver
// (suspending, cancellable like a dial); everything else completes at once.
class [[nodiscard]] OpenDatagramOp final : public Waiter {
 public:
  OpenDatagramOp(std::string_view url, bool connect) : Waiter(&cancel_op), url_(url), connect_(connect) {}
  OpenDatagramOp(OpenDatagramOp&& other) noexcept;  // Only before it is awaited.
  OpenDatagramOp& operator=(OpenDatagramOp&&) = delete;
  ~OpenDatagramOp();

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return begin(h, context_of(h));
  }
  Result<DatagramSocket> await_resume();
  void fail_now(std::error_code error) { ec_ = error; }

 private:
  // True while the resolver is asked (the coroutine stays suspended).
  bool begin(std::coroutine_handle<> h, CoroContext* ctx);
  void open(EventLoop* loop, const Address& address);
  void resolved(std::error_code error, const Address& first);
  static void cancel_op(Waiter* self, std::error_code error);

  std::string url_;
  bool connect_;
  EventLoop* loop_ = nullptr;
  std::coroutine_handle<> handle_;
  // Set while the resolver may still answer; the answer checks it (this op may be gone).
  std::shared_ptr<OpenDatagramOp*> resolving_;
  DatagramState* state_ = nullptr;
  std::error_code ec_;
};

// One pending datagram operation, completed from the socket's readiness.
class [[nodiscard]] DatagramOp : public Waiter {
 public:
  DatagramOp(DatagramOp&& other) noexcept;  // Only before it is awaited.
  DatagramOp& operator=(DatagramOp&&) = delete;
  ~DatagramOp();

  bool await_ready();
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return suspend(h, context_of(h));
  }
  void fail_now(std::error_code error) { ec_ = error; }

 protected:
  DatagramOp(DatagramState* state, bool write) : Waiter(&cancel_op), state_(state), write_(write) {}

  DatagramState* state_;
  std::error_code ec_ = kNoError;
  // Receive side.
  std::span<char> buffer_;
  Datagram got_;
  // Send side.
  std::string_view bytes_;
  const Address* to_ = nullptr;

 private:
  friend class DatagramState;
  bool suspend(std::coroutine_handle<> h, CoroContext* ctx);
  // One syscall; false if it would block.
  bool attempt();
  void complete();
  void leave();
  static void cancel_op(Waiter* self, std::error_code error);

  std::coroutine_handle<> handle_;
  bool write_;
  bool registered_ = false;
};

class [[nodiscard]] RecvFromOp final : public DatagramOp {
 public:
  Result<Datagram> await_resume() const {
    if (ec_) return ec_;
    return got_;
  }

 private:
  friend class weft::DatagramSocket;
  RecvFromOp(DatagramState* s, std::span<char> buffer) : DatagramOp(s, false) { buffer_ = buffer; }
};

class [[nodiscard]] SendToOp final : public DatagramOp {
 public:
  std::error_code await_resume() const { return ec_; }

 private:
  friend class weft::DatagramSocket;
  SendToOp(DatagramState* s, std::string_view bytes, const Address* to) : DatagramOp(s, true) {
    bytes_ = bytes;
    to_ = to;
  }
};

}  // namespace weft::detail
