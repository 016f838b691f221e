#pragma once
// Handle: a WebSocket reached from any thread. Like a ConnHandle it names the connection
// by (loop, slot, generation): one that outlives its connection is harmless, and its
// operations report Errc::closed. Small values; copy them freely; they must not outlive
// the server. A done callback runs exactly once, on the connection's loop thread (or on
// the calling thread if the server has already stopped).

#include <functional>
#include <string>

#include "weft/net/conn_handle.h"
#include "weft/ws/frame.h"

namespace weft::ws {

class WebSocket;

class Handle {
 public:
  using Done = ConnHandle::Done;

  Handle() = default;

  // Queues a message; done gets success once it is queued, or Errc::closed.
  void send(std::string data, MessageType type = MessageType::text, Done done = {}) const;
  // Queues a prepared frame: one shared copy of its bytes for any number of receivers.
  void send(Frame frame, Done done = {}) const;
  // Starts the closing handshake (as WebSocket::close, whose argument checks throw here).
  void close(uint16_t code = close_code::normal, std::string reason = {}) const;
  // Runs fn with the WebSocket on its loop thread; done gets Errc::closed (fn not run) if
  // it is gone.
  void post(std::function<void(WebSocket&)> fn, Done done = {}) const;

  bool empty() const { return conn_.empty(); }
  friend bool operator==(const Handle&, const Handle&) = default;

 private:
  friend class WebSocket;
  explicit Handle(ConnHandle conn) : conn_(conn) {}
  ConnHandle conn_;
};

}  // namespace weft::ws
