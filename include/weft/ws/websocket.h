#pragma once
// WebSocket (RFC 6455, with RFC 7692 permessage-deflate) on an HTTP route, callback API.
//
//   class Echo : public ws::Handler {
//     void on_message(ws::WebSocket& ws, ws::MessageType type, std::string_view data) override {
//       ws.send(data, type);
//     }
//   };
//   Echo echo;
//   http::Router router;
//   ws::route(router, "/ws", echo);               // served by http::Server
//
// The route answers an Upgrade request that passes the handshake checks with 101 and
// hands the connection to the handler: 400 for a malformed handshake (no
// Sec-WebSocket-Key of 16 bytes, no "Connection: upgrade", not HTTP/1.1), 426 with
// "Sec-WebSocket-Version: 13" for another version, 426 with "Upgrade: websocket" for a
// plain GET, 403 when Options::check_origin refuses. Subprotocol and permessage-deflate are
// negotiated from Options.
//
// Frames: clients must mask; fragments are joined (control frames may come between them)
// and the handler gets whole messages; a ping is answered with a pong at once; text is
// checked to be UTF-8. A frame or message that breaks the protocol closes the connection
// with its code (1002, 1007, 1009: see Options::max_message), reported to on_close.
//
// Closing: close(code, reason) sends a close frame, waits (Options::close_timeout) for the
// client's, then closes the connection. A close from the client is answered with the same
// code and the connection closes. on_close runs exactly once, with the code the client
// sent (1005 if none), the protocol error's code, or 1006 when the connection ended
// without a close frame.
//
// Threads: a WebSocket and its handler's callbacks belong to the connection's loop
// thread. From elsewhere, and for any connection on another loop (a broadcast from one
// connection's callback reaches the others through their Handles), use a Handle
// (ws/handle.h); send a Frame to many without copying its bytes. One Handler serves every
// connection of the route: keep per-connection state with set_context().

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "weft/core/address.h"
#include "weft/ws/frame.h"
#include "weft/ws/handle.h"
#include "weft/ws/options.h"

namespace weft::http {
class Router;
}

namespace weft::ws {

namespace detail {
class Connection;
}

class WebSocket {
 public:
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  // Queues a message (compressed when permessage-deflate was agreed and it is at least
  // Compression::threshold long). Errc::closed once a close frame was sent or received.
  std::error_code send(std::string_view data, MessageType type = MessageType::text);
  // Queues a prepared frame: a reference to its bytes, no copy (a broadcast).
  std::error_code send(const Frame& frame);
  std::error_code ping(std::string_view payload = {});
  // Starts the closing handshake. code must be sendable (1000-1003, 1007-1011,
  // 3000-4999), reason at most 123 bytes; std::invalid_argument otherwise. Idempotent.
  void close(uint16_t code = close_code::normal, std::string_view reason = {});

  // Reaches this connection from any thread.
  Handle handle() const;
  bool is_open() const;
  // Bytes queued and not yet sent, and whether the output was above the high water mark
  // when the loop last flushed it (then Handler::on_drain comes once it has drained to
  // the low one).
  size_t unsent() const;
  bool congested() const;

  // From the upgrade request: its path, and the subprotocol chosen ("" if none).
  const std::string& path() const { return path_; }
  const std::string& subprotocol() const { return subprotocol_; }
  bool compressed() const { return compressed_; }
  Address remote_address() const;

  // The application's per-connection state: set it in on_open, release it in on_close.
  void set_context(void* context) { context_ = context; }
  void* context() const { return context_; }
  template <class T>
  T* context_as() const {
    return static_cast<T*>(context_);
  }

 private:
  friend class detail::Connection;
  WebSocket() = default;
  ~WebSocket() = default;
  detail::Connection& self();
  const detail::Connection& self() const;

  std::string path_;
  std::string subprotocol_;
  void* context_ = nullptr;
  bool compressed_ = false;
};

// What a route does with its connections. Every method has an empty default; all run on
// the connection's loop thread.
class Handler {
 public:
  virtual ~Handler() = default;
  // The handshake is done; writes made here follow the 101 response.
  virtual void on_open(WebSocket&) {}
  // A whole message; data is valid until this returns.
  virtual void on_message(WebSocket&, MessageType, std::string_view) {}
  // The connection is gone (see the closing rules above); called exactly once.
  virtual void on_close(WebSocket&, uint16_t /*code*/, std::string_view /*reason*/) {}
  // A pong arrived (the server answers pings by itself).
  virtual void on_pong(WebSocket&, std::string_view) {}
  // Output that was above the high water mark has drained to the low one.
  virtual void on_drain(WebSocket&) {}
};

// Adds a WebSocket endpoint at pattern (a GET route, see http/router.h) for http::Server.
// handler must outlive the server. Throws std::invalid_argument for bad options.
void route(http::Router& router, std::string_view pattern, Handler& handler, Options options = {});

}  // namespace weft::ws
