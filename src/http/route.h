#pragma once
// What a route holds, and the interface of protocols that take a connection over from
// HTTP (WebSocket). Machinery shared by the router and the two sessions.

#include <memory>
#include <system_error>

#include "weft/coro/stream.h"
#include "weft/coro/task.h"
#include "weft/http/router.h"
#include "weft/net/conn.h"
#include "weft/net/handler.h"

namespace weft::http::detail {

// A protocol that runs on a connection after an upgrade (callback API). It gets the
// connection's events from the HTTP session, which stays its attachment.
class Upgraded {
 public:
  virtual ~Upgraded() = default;
  virtual void on_traffic(Conn& conn) = 0;
  virtual void on_close(Conn& conn, CloseReason reason, std::error_code error) = 0;
  virtual void on_high_water(Conn&) {}
  virtual void on_low_water(Conn&) {}
  // The server is stopping (see Handler::on_stopping): say goodbye; true to be closed once
  // flushed.
  virtual bool on_stopping(Conn&) { return true; }
};

class UpgradeHandler {
 public:
  virtual ~UpgradeHandler() = default;
  // Callback API. Checks the request; either answers it with res (an error, keep-alive as
  // usual) and returns null, or writes the 101 response itself and returns the protocol
  // that takes the connection over.
  virtual std::unique_ptr<Upgraded> upgrade(Request& req, Response& res, Conn& conn) = 0;
  // Coroutine API: the same, then serves the protocol on the stream until it ends. Runs
  // the whole upgraded connection; the HTTP session ends with it (unless it answered
  // with res).
  virtual Task<> upgrade(Request& req, Response& res, Stream& stream) = 0;
  // Which API the route serves: http::CoroServer takes coroutine ones, http::Server the
  // others.
  virtual bool coroutine() const = 0;
};

struct Route {
  Handler handler;
  CoroHandler coro;
  RouteOptions options;
  std::shared_ptr<UpgradeHandler> upgrade;
};

}  // namespace weft::http::detail
