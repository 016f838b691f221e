#pragma once
// co_await pool.acquire(): a pooled connection for a coroutine, as a PoolLease.
//
//   weft::Pool pool({"tcp://127.0.0.1:6379"}, {.max_per_endpoint = 8, .acquire_timeout = 2s});
//   pool.start();
//   ...                                       // in a coroutine on any CoroServer loop:
//   auto lease = co_await pool.acquire();     // or pool.acquire(500ms): its own deadline
//   if (!lease) co_return;                    // Errc::timeout, a dial error, Errc::shutdown
//   if (auto ec = co_await lease->write("PING\r\n")) co_return;
//   auto reply = co_await with_timeout(1s, lease->read_until("\r\n"));   // "+PONG\r\n"
//   lease->release();                         // or let it go out of scope
//
// The connection lives on the pool's loop; the coroutine on its own. A lease's operations
// cross between them: write() queues bytes on the connection and completes once they are
// queued (Conn::write's result: Errc::closed, Errc::outbound_overflow...); reads take bytes
// the connection received, which the lease collects from the moment it is handed over, so
// a reply cannot be missed. Reads copy: they return std::string.
//   read_some()        everything received so far (at least one byte)
//   read_until(delim)  up to and including the first delim
//   read_exact(n)      exactly n bytes
// Once the connection closes, reads still return what was received before, then fail
// with the close's error (Errc::closed for a plain close). Input beyond ClientOptions::
// max_inbound unread closes the connection with Errc::inbound_overflow.
//
// Giving it back. release() (or the destructor) returns the connection to the pool for the
// next caller, unless it cannot be trusted to be in step: it is closed instead (as with
// discard()) when an operation on it failed or was cancelled (a read that timed out may be
// answered later), when received input is left unread, or when a write has not finished.
//
// Errors of acquire: as for the callback acquire (the pool's acquire_timeout or the given
// one: Errc::timeout; the last dial error when no endpoint can be dialed; Errc::shutdown
// once the pool stops), and Errc::closed when the coroutine's connection closes or its
// server stops while it waits (a connection the pool hands over afterwards goes back).
// Every operation is cancelled like any weft operation, and with_timeout bounds reads and
// writes.
//
// Rules: awaited from weft coroutines (a CoroServer's, or spawned on one). One coroutine
// uses a lease at a time (a lease moves, it is not shared), and gives it back when no
// operation on it is waiting. The pool must outlive its leases and the operations on
// them.

#include <cstddef>
#include <memory>
#include <string>

#include "weft/coro/detail/pool_ops.h"
#include "weft/net/pool.h"

namespace weft {

class PoolLease {
 public:
  PoolLease() = default;
  PoolLease(PoolLease&& other) noexcept = default;
  PoolLease& operator=(PoolLease&& other) noexcept {
    if (this != &other) {
      release();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  ~PoolLease() { release(); }

  // Holds a connection (until release() or discard()).
  bool valid() const { return state_ != nullptr; }

  detail::LeaseWriteOp write(std::string bytes) { return {state_, std::move(bytes)}; }
  detail::LeaseReadOp read_some() { return {state_, detail::LeaseReadOp::Mode::some, {}, 0}; }
  detail::LeaseReadOp read_until(std::string delimiter) {
    return {state_, detail::LeaseReadOp::Mode::until, std::move(delimiter), 0};
  }
  detail::LeaseReadOp read_exact(size_t n) { return {state_, detail::LeaseReadOp::Mode::exact, {}, n}; }

  // Back to the pool, or closed if it is not in step (see above). Idempotent.
  void release() {
    if (state_) detail::LeaseState::give_back(std::exchange(state_, nullptr), false);
  }
  // Closes the connection. Idempotent.
  void discard() {
    if (state_) detail::LeaseState::give_back(std::exchange(state_, nullptr), true);
  }

 private:
  friend class detail::PoolAcquireOp;
  explicit PoolLease(std::shared_ptr<detail::LeaseState> state) : state_(std::move(state)) {}

  std::shared_ptr<detail::LeaseState> state_;
};

// Makes pool.acquire() awaitable.
inline detail::PoolAcquireOp operator co_await(PoolAcquire request) { return detail::PoolAcquireOp(request); }

}  // namespace weft
