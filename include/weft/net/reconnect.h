#pragma once
// Reconnector: keeps one connection to a URL open, dialing again with exponential backoff
// and full jitter whenever a dial fails or the connection closes, until stop().
//
//   weft::Reconnector link(handler, "tcp://10.0.0.7:6379",
//                          {.initial = 100ms, .max = 10s, .max_attempts = 0});
//   link.start();
//   ...
//   link.stop();   // No more dials; the connection closes.
//
// The handler hears each connection as a Client's handler does (on_open once connected,
// on_close when it ends); failed dials are seen only through the hooks. The delay before
// dial n (n = 1 after the first failure in a row) is uniform in [0, min(max, initial *
// multiplier^(n-1))] ("full jitter"): clients that lose a server together do not come back
// together. A successful dial resets the count; max_attempts failed dials in a row
// (0: never) give up.
//
// Threads: dials, hooks and the handler run on the client's loop 0. The constructors,
// start(), wait() and the destructor are for the owning thread; stop() and connection()
// for any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "weft/core/time.h"
#include "weft/net/client.h"
#include "weft/net/client_options.h"
#include "weft/net/conn_handle.h"
#include "weft/net/handler.h"

namespace weft {

class Server;

struct Backoff {
  Duration initial = std::chrono::milliseconds(100);
  Duration max = std::chrono::seconds(30);  // The cap on any one delay.
  double multiplier = 2.0;
  size_t max_attempts = 0;  // Failed dials in a row before giving up; 0: never.
};

// The delay before the retry after `failures` (>= 1) failures in a row, given a uniform
// random 64-bit value. Checked: a Backoff with initial > max or multiplier < 1 throws
// std::invalid_argument from Reconnector's constructor.
Duration backoff_delay(const Backoff& backoff, size_t failures, uint64_t random);

struct ReconnectHooks {
  std::function<void(size_t attempt)> on_attempt{};  // A dial begins (1, 2, ... in a row).
  std::function<void(Conn& conn)> on_connected{};    // After the handler's on_open.
  // A dial failed; the next one begins after `delay`.
  std::function<void(std::error_code error, size_t failures, Duration delay)> on_failure{};
  // max_attempts reached: no more dials.
  std::function<void(std::error_code error)> on_give_up{};
};

namespace detail {
class ReconnectCore;
}

class Reconnector {
 public:
  // On a client with a loop of its own.
  Reconnector(Handler& handler, std::string url, Backoff backoff = {}, ReconnectHooks hooks = {},
              ClientOptions options = {});
  // On `server`'s loop 0; stops with the server.
  Reconnector(Server& server, Handler& handler, std::string url, Backoff backoff = {}, ReconnectHooks hooks = {},
              ClientOptions options = {});
  ~Reconnector();  // Stops and waits.
  Reconnector(const Reconnector&) = delete;
  Reconnector& operator=(const Reconnector&) = delete;

  void start();
  // No more dials; the connection (if open) hears on_stopping and closes. Any thread.
  void stop();
  void wait();
  // The open connection, or an empty handle. Any thread.
  ConnHandle connection() const;

 private:
  std::unique_ptr<detail::ReconnectCore> core_;
};

}  // namespace weft
