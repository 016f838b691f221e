#pragma once
// Pool: connections to a set of endpoints, reused across requests (a database or cache
// client's pool). acquire() hands out an idle connection, or dials a new one while the
// endpoint is under max_per_endpoint, or queues the caller; waiters are served in order
// and fail with Errc::timeout at their deadline.
//
//   weft::Pool pool(handler, {"tcp://10.0.0.7:6379", "tcp://10.0.0.8:6379"}, {.max_per_endpoint = 8});
//   pool.start();
//   pool.loop().post([&] {
//     pool.acquire([&](weft::Conn* c, std::error_code ec) {
//       if (!c) return;                     // Errc::timeout, a dial error, Errc::shutdown
//       c->write("PING\r\n");               // ... and later pool.release(*c) or discard(*c)
//     });
//   });
//
// Coroutines co_await pool.acquire() (include weft/coro/pool_lease.h): the result is a
// PoolLease whose write/read awaitables run on the pool's loop, from any coroutine loop.
//
// The pool runs one Client loop and `handler` hears every pooled connection (on_open,
// on_traffic, on_close) as a Client's handler does, except the input of a connection a
// coroutine holds, which goes to its PoolLease. An idle connection the peer closes is
// dropped at once (on_close), so acquire never hands out a dead one; input arriving while
// idle closes it too (a protocol out of step). Endpoints whose dials fail are passed over
// for a backoff that doubles with each failure in a row (from 100 ms to 10 s); the others
// are chosen by fewest connections in use. With health_interval, every endpoint is probed
// by a dial that must succeed (the probe connection closes at once and no handler hears
// of it); an endpoint that failed then stays down until a probe succeeds. min_idle idle
// connections per healthy endpoint are kept warm: dialed after start(), after one is
// lost and when an endpoint comes back, and kept past idle_timeout. With a heartbeat in
// ClientOptions, idle connections are probed by it.
//
// Threads: the constructors, start(), stop(), wait() and the destructor are for the
// owning thread; acquire() and acquire(timeout), which only make a PoolAcquire, and
// loop() are for any thread; everything else runs on loop() only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "weft/core/time.h"
#include "weft/net/client_options.h"
#include "weft/net/conn.h"
#include "weft/net/handler.h"

namespace weft {

struct PoolOptions {
  size_t max_per_endpoint = 16;
  // Idle connections per healthy endpoint, dialed ahead of demand and kept past
  // idle_timeout. At most max_per_endpoint.
  size_t min_idle = 0;
  Duration idle_timeout = std::chrono::seconds(60);
  Duration acquire_timeout = std::chrono::seconds(5);  // A waiter's deadline.
  // Active health checks: every endpoint is dialed this often (zero: passive only).
  Duration health_interval = Duration::zero();
  // Called on loop() when an endpoint goes down (its first failure in a row) and when it
  // comes back (its first success after). Optional.
  std::function<void(const std::string& endpoint, bool up)> on_state_change{};
};

struct PoolStats {
  size_t open = 0;  // Connected (idle and in use).
  size_t idle = 0;
  size_t in_use = 0;
  size_t dialing = 0;
  size_t waiting = 0;     // Callers queued (the pool's, the same for every endpoint).
  uint64_t failures = 0;  // Failed dials, all time.
  bool down = false;      // Passed over after failures.
};

class Pool;

namespace detail {
class PoolCore;
class PoolAccess;
class PoolSink;
}  // namespace detail

// What Pool::acquire() gives a coroutine: co_await it, with weft/coro/pool_lease.h
// included, for a Result<PoolLease>. Holds no resource until awaited.
struct [[nodiscard]] PoolAcquire {
  Pool* pool;
  Duration timeout;
};

class Pool {
 public:
  using Acquired = std::function<void(Conn* conn, std::error_code error)>;

  // Throws std::invalid_argument for a malformed endpoint or options (the field named).
  Pool(Handler& handler, std::vector<std::string> endpoints, PoolOptions options = {}, ClientOptions client = {});
  // A pool without a handler of its own, for coroutines' leases.
  explicit Pool(std::vector<std::string> endpoints, PoolOptions options = {}, ClientOptions client = {});
  ~Pool();  // Stops and waits.
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  void start();
  // Closes every connection; waiters fail with Errc::shutdown.
  void stop();
  void wait();
  EventLoop& loop();

  // Calls done once, never inside acquire(): with a connection now in use, or with why
  // none came before the deadline (acquire_timeout, or `timeout`).
  void acquire(Acquired done);
  void acquire(Acquired done, Duration timeout);
  // For a coroutine: co_await pool.acquire() (weft/coro/pool_lease.h). Any thread.
  PoolAcquire acquire();
  PoolAcquire acquire(Duration timeout);
  // Gives an in-use connection back (idle again) or closes it (discard).
  void release(Conn& conn);
  void discard(Conn& conn);
  // Replaces the endpoints: connections to endpoints no longer listed close when idle.
  void set_endpoints(std::vector<std::string> endpoints);

  size_t endpoint_count() const;
  PoolStats stats(size_t endpoint) const;

 private:
  friend class detail::PoolAccess;
  // Routes an in-use connection's input and close to sink until it is released,
  // discarded or closed (coroutine leases). Loop thread.
  void set_sink(Conn& conn, std::shared_ptr<detail::PoolSink> sink);
  size_t max_inbound() const;

  std::unique_ptr<detail::PoolCore> core_;
};

}  // namespace weft
