#pragma once
// Handler: the callback way to write a server. Override only what you need; every method
// has an empty default. One Handler serves every loop, so state shared between
// connections must be synchronized by the application; per-connection state belongs in
// the connection's context slot.
//
// Threads: on_open, on_traffic, on_close, on_stopping, on_high_water and on_low_water run
// on the connection's loop thread. on_tick and on_shutdown run on the server's main loop thread;
// on_boot on the thread that calls Server::start().

#include <cstdint>
#include <system_error>

#include "weft/core/time.h"

namespace weft {

class Conn;
class Server;

enum class CloseReason : uint8_t {
  peer_closed,  // The peer closed its side (read returned end of file).
  reset,        // The peer reset the connection, or a write found it gone.
  idle,         // No traffic for longer than the idle timeout.
  local,        // Conn::close() or ConnHandle::close().
  error,        // A socket error, a handler exception, or a protocol error; see the code.
  shutdown,     // The server stopped.
  overflow,     // Output beyond max_outbound (Errc::outbound_overflow).
};

const char* to_string(CloseReason reason);

// Returned by on_tick to stop ticking.
inline constexpr Duration kStopTicking = Duration::max();

class Handler {
 public:
  virtual ~Handler() = default;

  // Once, before any connection is accepted.
  virtual void on_boot(Server&) {}
  // A connection is open; writes made here leave with the first flush.
  virtual void on_open(Conn&) {}
  // New bytes arrived. Consume what you can with read/peek/discard; what is left stays
  // buffered and is offered again, with more, next time.
  virtual void on_traffic(Conn&) {}
  // The connection is gone; its fd is closed right after this returns. `error` says more
  // for reset and error (and is Errc::idle_timeout or Errc::shutdown for those reasons).
  virtual void on_close(Conn&, CloseReason, std::error_code) {}
  // Called first right after boot; returns the delay to the next call, or kStopTicking.
  virtual Duration on_tick() { return kStopTicking; }
  // The server has begun a graceful stop and accepts no more connections. Write a
  // goodbye here if the protocol has one. Return true (the default) to have it closed once
  // its output is flushed (it reads no more); return false to finish work in flight first
  // and close it yourself (by the shutdown deadline, after which it is cut): it keeps
  // reading meanwhile, so a request still arriving can complete. Connection's loop thread.
  virtual bool on_stopping(Conn&) { return true; }
  // Unsent output rose above the high water mark / fell back to the low water mark.
  virtual void on_high_water(Conn&) {}
  virtual void on_low_water(Conn&) {}
  // Once, after every connection is closed, before Server::run() returns.
  virtual void on_shutdown(Server&) {}
};

}  // namespace weft
