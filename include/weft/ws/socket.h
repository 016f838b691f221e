#pragma once
// ws::Socket: a WebSocket as a coroutine sees it, on http::CoroServer.
//
//   weft::Task<> echo(ws::Socket& ws) {
//     for (;;) {
//       auto msg = co_await ws.read();
//       if (!msg) co_return;                       // closed: ws.close_code() says how
//       if (co_await ws.write(msg->data, msg->type)) co_return;
//     }
//   }
//   ws::route(router, "/ws", echo);
//
// The handshake, framing, limits and close codes are those of websocket.h. read() answers
// pings by itself, skips pongs, and sends the automatic ping of Options::ping_interval
// while it waits. When the coroutine returns, the connection is closed (with 1000 if no
// close was exchanged yet).
//
// Errors are status values: a read fails with Errc::closed once the connection is closing
// (close_code() and close_reason() then tell why: the client's code, a protocol error's
// 1002/1007/1009, or 1006), a write with Errc::closed once a close frame was sent or
// received. Views: a message's data is valid until the next read().
//
// Threads: the connection's coroutine only, one read and one write at a time.

#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "weft/core/address.h"
#include "weft/coro/result.h"
#include "weft/coro/task.h"
#include "weft/ws/frame.h"
#include "weft/ws/options.h"

namespace weft::http {
class Router;
}

namespace weft::ws {

namespace detail {
class SocketState;
}

struct Message {
  MessageType type = MessageType::text;
  std::string_view data;
};

class Socket {
 public:
  explicit Socket(detail::SocketState& state) : state_(&state) {}

  // The next message.
  Task<Result<Message>> read();
  // Queues a message (compressed as WebSocket::send); waits only above the high water mark.
  Task<std::error_code> write(std::string_view data, MessageType type = MessageType::text);
  Task<std::error_code> write(const Frame& frame);
  Task<std::error_code> ping(std::string_view payload = {});
  // Sends a close frame and waits (reading and dropping messages) for the client's, up to
  // Options::close_timeout. Throws std::invalid_argument as WebSocket::close does.
  Task<> close(uint16_t code = close_code::normal, std::string_view reason = {});

  uint16_t close_code() const;
  const std::string& close_reason() const;
  const std::string& path() const;
  const std::string& subprotocol() const;
  bool compressed() const;
  Address remote_address() const;

 private:
  detail::SocketState* state_;
};

using CoroHandler = std::function<Task<>(Socket&)>;

// Adds a WebSocket endpoint at pattern whose connections each run handler, for
// http::CoroServer. Throws std::invalid_argument for bad options.
void route(http::Router& router, std::string_view pattern, CoroHandler handler, Options options = {});

}  // namespace weft::ws
