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
// The pool runs one Client loop and `handler` hears every pooled connection (on_open,
// on_traffic, on_close) as a Client's handler does. An idle connection the peer closes is
// dropped at once (on_close), so acquire never hands out a dead one; input arriving while
// idle closes it too (a protocol out of step). Endpoints whose dials fail are passed over
// for a backoff that doubles with each failure in a row (from 100 ms to 10 s); the others
// are chosen by fewest connections in use. Idle connections beyond min_idle close after
// idle_timeout. With a heartbeat in ClientOptions, idle connections are probed by it.
//
// Threads: the constructor, start(), stop(), wait() and the destructor are for the owning
// thread; everything else runs on loop() only.

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
  size_t min_idle = 0;  // Idle connections per endpoint kept open past idle_timeout.
  Duration idle_timeout = std::chrono::seconds(60);
  Duration acquire_timeout = std::chrono::seconds(5);  // A waiter's deadline.
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

namespace detail {
class PoolCore;
}

class Pool {
 public:
  using Acquired = std::function<void(Conn* conn, std::error_code error)>;

  Pool(Handler& handler, std::vector<std::string> endpoints, PoolOptions options = {}, ClientOptions client = {});
  ~Pool();  // Stops and waits.
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  void start();
  // Closes every connection; waiters fail with Errc::shutdown.
  void stop();
  void wait();
  EventLoop& loop();

  // Calls done once, never inside acquire(): with a connection now in use, or with why
  // none came before the deadline.
  void acquire(Acquired done);
  // Gives an in-use connection back (idle again) or closes it (discard).
  void release(Conn& conn);
  void discard(Conn& conn);
  // Replaces the endpoints: connections to endpoints no longer listed close when idle.
  void set_endpoints(std::vector<std::string> endpoints);

  size_t endpoint_count() const;
  PoolStats stats(size_t endpoint) const;

 private:
  std::unique_ptr<detail::PoolCore> core_;
};

}  // namespace weft
