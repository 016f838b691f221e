#pragma once
// PoolSink: where a pooled connection's input and close go while a coroutine holds it
// through a PoolLease (weft/coro/pool_lease.h), instead of to the pool's handler.
// Machinery; applications use PoolLease.
//
// The pool sets a sink on a connection it has handed out (Pool's private set_sink), and
// drops it when the connection is released, discarded or closed. Pool loop thread only.

#include <system_error>

namespace weft {
class Conn;
}

namespace weft::detail {

class PoolSink {
 public:
  virtual ~PoolSink() = default;
  // Input arrived; the sink consumes it.
  virtual void on_traffic(Conn& conn) = 0;
  // The connection closed (error: why; Errc::closed for a plain close). conn is gone after.
  virtual void on_close(Conn& conn, std::error_code error) = 0;
};

}  // namespace weft::detail
