#pragma once
// http::Server: an HTTP/1.1 server with callback handlers, on weft's engine.
//
//   http::Router router;
//   router.get("/", [](http::Request&, http::Response& res) { res.send(200, "hello\n"); });
//   http::Options options;
//   options.net.loops = 2;
//   options.net.stop_signals = {SIGINT, SIGTERM};
//   http::Server server(router, options);
//   server.listen("tcp://127.0.0.1:8080");
//   server.run();
//
// Each connection is served by the loop it lives on; handlers run on that loop's thread
// and must not block it (answer later from elsewhere with Response::defer()). For
// coroutine handlers use http::CoroServer (coro_server.h), which serves the same router.
//
// Life cycle and threads as weft::Server: construct, listen(), start() or run(), stop()
// from any thread (or a stop signal), wait(). Stopping reads no more requests; responses
// in progress, deferred ones included, are finished (with "Connection: close") and sent,
// up to ServerOptions::shutdown_timeout; idle connections close at once; WebSocket
// connections get a close frame with 1001.

#include <memory>
#include <string_view>

#include "weft/core/address.h"
#include "weft/http/options.h"
#include "weft/http/router.h"
#include "weft/http/stats.h"
#include "weft/net/server.h"

namespace weft::http {

namespace detail {
class HttpHandler;
}

class Server {
 public:
  // Throws std::invalid_argument for inconsistent options, or a router with coroutine
  // routes (they need http::CoroServer). The router must outlive the server.
  explicit Server(const Router& router, Options options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // As weft::Server.
  Server& listen(std::string_view url);
  void start();
  void run();
  void wait();
  void stop();

  const Address& address(size_t i = 0) const;
  size_t loop_count() const;
  const Options& options() const;
  // The engine underneath (connection counts, loops).
  weft::Server& net();
  // What I/O loop `loop` counted about its requests (stats.h). Any thread; valid while
  // the server lives.
  const RequestStats& stats(size_t loop) const;

 private:
  std::unique_ptr<detail::HttpHandler> handler_;
  std::unique_ptr<weft::Server> server_;
};

}  // namespace weft::http
