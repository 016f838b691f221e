#pragma once
// The awaitables behind co_await pool.acquire() and a PoolLease's reads and writes
// (weft/coro/pool_lease.h). Machinery; applications use PoolLease.
//
// A LeaseState is one pooled connection held by a coroutine, shared by its PoolLease, the
// lease's operations and the pool (which routes the connection's input and close to it).
// The coroutine runs on its own loop and the connection on the pool's, so every operation
// is a ChannelWaiter: it waits in the state's queues, under the state's lock, and whoever
// completes it (the pool's loop, or the coroutine's own loop) wakes it on its own loop.
// Reads take bytes from the state's inbox and never visit the pool's loop; writes, the
// acquire and giving the connection back are posted to it.

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "weft/core/time.h"
#include "weft/coro/detail/channel_waiter.h"
#include "weft/coro/result.h"
#include "weft/net/detail/pool_sink.h"
#include "weft/net/pool.h"

namespace weft {
class PoolLease;
}

namespace weft::detail {

// Pool's private side, for the lease machinery.
class PoolAccess {
 public:
  static void set_sink(Pool& pool, Conn& conn, std::shared_ptr<PoolSink> sink) {
    pool.set_sink(conn, std::move(sink));
  }
  static size_t max_inbound(const Pool& pool) { return pool.max_inbound(); }
};

class LeaseState final : public PoolSink {
 public:
  explicit LeaseState(Pool& p) : pool(p), max_inbound(PoolAccess::max_inbound(p)) {}

  // The pool's answer to the acquire (pool loop), or a failure to ask (any thread).
  static void acquired(const std::shared_ptr<LeaseState>& self, Conn* conn, std::error_code error);
  // The coroutine lets go: the connection goes back to the pool, or is closed if `close`,
  // if an operation on it failed, or if its input or a write is unfinished. Any thread;
  // later operations fail with Errc::closed.
  static void give_back(const std::shared_ptr<LeaseState>& self, bool close);

  // PoolSink (pool loop).
  void on_traffic(Conn& conn) override;
  void on_close(Conn& conn, std::error_code error) override;

  Pool& pool;
  const size_t max_inbound;
  // receivers: the acquire while it waits, then a read; senders: writes, oldest first.
  ChannelCore core;
  // Under core.mutex:
  std::string inbox;       // Received, not yet read.
  std::error_code failed;  // Set once the connection closed or was given back.
  bool let_go = false;     // The coroutine side gave the connection back (or never took it).
  bool dirty = false;      // An operation failed or was cancelled: the protocol may be out of step.
  uint64_t writes = 0;     // Writes begun; each carries its number.
  // The connection; pool loop only.
  Conn* conn = nullptr;
};

class [[nodiscard]] PoolAcquireOp final : public ChannelWaiter {
 public:
  explicit PoolAcquireOp(PoolAcquire request);
  PoolAcquireOp(PoolAcquireOp&& other) noexcept;  // Only before it is awaited.
  PoolAcquireOp& operator=(PoolAcquireOp&&) = delete;
  // A connection handed over but never taken (the coroutine was destroyed) goes back.
  ~PoolAcquireOp();

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    if (!can_suspend(h, context_of(h))) return false;
    begin();
    return true;
  }
  Result<PoolLease> await_resume();

 private:
  PoolAcquireOp(std::shared_ptr<LeaseState> state, Duration timeout);
  void begin();

  std::shared_ptr<LeaseState> state_;
  Duration timeout_;
  bool begun_ = false;
};

class [[nodiscard]] LeaseReadOp final : public ChannelWaiter {
 public:
  enum class Mode : uint8_t { some, until, exact };
  LeaseReadOp(std::shared_ptr<LeaseState> state, Mode mode, std::string delimiter, size_t n);
  LeaseReadOp(LeaseReadOp&& other) noexcept;  // Only before it is awaited.
  LeaseReadOp& operator=(LeaseReadOp&&) = delete;
  ~LeaseReadOp() = default;

  bool await_ready();
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    if (!can_suspend(h, context_of(h))) return false;
    return wait();
  }
  Result<std::string> await_resume();

  // Under the lock: takes what this read asks for from the inbox, or the lease's failure
  // once the inbox cannot satisfy it. False if it must wait.
  bool take();

 private:
  bool wait();

  std::shared_ptr<LeaseState> state_;
  Mode mode_;
  std::string delimiter_;
  size_t n_;
  std::string value_;
};

class [[nodiscard]] LeaseWriteOp final : public ChannelWaiter {
 public:
  LeaseWriteOp(std::shared_ptr<LeaseState> state, std::string bytes);
  LeaseWriteOp(LeaseWriteOp&& other) noexcept;  // Only before it is awaited.
  LeaseWriteOp& operator=(LeaseWriteOp&&) = delete;
  ~LeaseWriteOp() = default;

  bool await_ready();
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    if (!can_suspend(h, context_of(h))) return false;
    return begin();
  }
  std::error_code await_resume();

  uint64_t number = 0;  // Its place among the lease's writes.

 private:
  bool begin();

  std::shared_ptr<LeaseState> state_;
  std::string bytes_;
};

}  // namespace weft::detail
