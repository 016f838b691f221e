#pragma once
// http::CoroServer: the HTTP server for coroutine handlers, one coroutine per connection.
//
//   weft::Task<> report(http::Request& req, http::Response& res) {
//     std::string who(req.param("who"));
//     auto rows = co_await weft::offload([&] { return db.query(who); });   // a worker thread
//     co_await weft::sleep(10ms);
//     res.send(200, render(rows));
//   }
//   http::Router router;
//   router.get("/report/:who", report);
//   http::CoroServer server(router, options);
//
// Each connection is served by a coroutine on its loop (a weft::CoroServer underneath):
// it reads requests with the same parser as http::Server, runs the route's handler, a
// coroutine (co_awaited: it may await anything weft offers, offload, sleep, dial, or the
// request body) or a callback (called inline), sends the response, and goes on with the
// next request. Requests on one connection are handled one after the other, so
// pipelined responses keep their order. Handlers' views (Request) stay valid until the
// handler completes: they live in the connection's own storage here.
//
// Compared with http::Server: the same routes, options, limits, timeouts and responses;
// Response::defer() is not available (await instead); Response::flush() sends what was
// written so far and waits while the output is above the high water mark. A handler
// deadline (Timeouts::handler) answers 503 (if nothing was sent yet) and closes the
// connection, which cancels what the handler awaits (it then sees Errc::closed).
//
// Stopping (stop(), or a stop signal in ServerOptions::stop_signals) is graceful, as
// http::Server's: no coroutine is cancelled while it serves a request. A response in
// progress is finished and says Connection: close; a keep-alive connection between
// requests closes, or with Timeouts::idle_on_stop waits that long for one more request
// (answered with Connection: close); an upgraded connection (WebSocket) is cancelled.
// run()/wait() return once every connection is done, or after
// ServerOptions::shutdown_timeout, when what is left is cancelled. The destructor without
// an earlier stop() cancels at once. A stop through runtime().stop() or
// runtime().server().stop() skips all this, as weft::CoroServer's own stop does.
//
// Threads and life cycle otherwise as weft::CoroServer.

#include <memory>
#include <string_view>

#include "weft/coro/coro_server.h"
#include "weft/http/options.h"
#include "weft/http/router.h"
#include "weft/http/stats.h"

namespace weft::http {

namespace detail {
struct CoroState;
}

class CoroServer {
 public:
  // Throws std::invalid_argument for inconsistent options. The router must outlive the
  // server.
  explicit CoroServer(const Router& router, Options options = {}, CoroOptions coro = {});
  ~CoroServer();
  CoroServer(const CoroServer&) = delete;
  CoroServer& operator=(const CoroServer&) = delete;

  // As weft::CoroServer.
  CoroServer& listen(std::string_view url);
  void start();
  void run();
  void wait();
  void stop();

  const Address& address(size_t i = 0) const;
  size_t loop_count() const;
  const Options& options() const;
  // The coroutine runtime underneath (spawn, workers, coroutine_count).
  weft::CoroServer& runtime();
  // What I/O loop `loop` counted about its requests (stats.h). Any thread; valid while
  // the server lives.
  const RequestStats& stats(size_t loop) const;

 private:
  std::unique_ptr<detail::CoroState> state_;
};

}  // namespace weft::http
