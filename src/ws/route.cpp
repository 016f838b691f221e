// ws::route: the upgrade routes of both APIs, and Options' checks.
#include <stdexcept>
#include <string>

#include "http/route.h"
#include "weft/core/log.h"
#include "weft/http/response.h"
#include "weft/http/router.h"
#include "weft/ws/socket.h"
#include "weft/ws/websocket.h"
#include "ws/connection.h"
#include "ws/handshake.h"
#include "ws/socket_state.h"

namespace weft::ws {

void validate(const Options& o) {
  auto bad = [](const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("ws::Options::") + field + " " + why);
  };
  if (o.max_message == 0) bad("max_message", "must be at least 1");
  if (o.ping_interval < Duration::zero()) bad("ping_interval", "must not be negative");
  if (o.ping_interval > Duration::zero() && o.ping_timeout <= Duration::zero()) {
    bad("ping_timeout", "must be positive when ping_interval is set");
  }
  if (o.close_timeout <= Duration::zero()) bad("close_timeout", "must be positive");
  if (o.compression.server_max_window_bits < 9 || o.compression.server_max_window_bits > 15) {
    bad("compression.server_max_window_bits", "must be from 9 to 15");
  }
  for (const std::string& p : o.subprotocols) {
    if (p.empty() || p.find_first_of(" ,;\t\r\n\"") != std::string::npos) {
      bad("subprotocols", "must be tokens, got \"" + p + "\"");
    }
  }
}

namespace detail {
namespace {

// Answers a refused handshake through the HTTP response (the connection stays usable).
void refuse(const Handshake& h, http::Response& res) {
  if (!h.error_header.empty()) res.header(h.error_header, h.error_value);
  res.send(h.status, std::string(h.problem) + "\n");
}

class CallbackRoute final : public http::detail::UpgradeHandler {
 public:
  CallbackRoute(Handler& handler, Options options) : handler_(handler), options_(std::move(options)) {}

  std::unique_ptr<http::detail::Upgraded> upgrade(http::Request& req, http::Response& res, Conn& conn) override {
    const Handshake h = check_handshake(req, options_);
    if (h.status != 0) {
      refuse(h, res);
      return nullptr;
    }
    write_switching_protocols(conn.output(), h);
    conn.commit_output();
    auto ws = std::make_unique<Connection>(conn, handler_, options_, h, std::string(req.path()));
    ws->start();
    return ws;
  }
  Task<> upgrade(http::Request&, http::Response& res, Stream&) override {
    res.send(500, "a callback WebSocket route under http::CoroServer\n");  // Refused at construction.
    co_return;
  }
  bool coroutine() const override { return false; }

 private:
  Handler& handler_;
  const Options options_;
};

class CoroRoute final : public http::detail::UpgradeHandler {
 public:
  CoroRoute(CoroHandler handler, Options options) : handler_(std::move(handler)), options_(std::move(options)) {}

  std::unique_ptr<http::detail::Upgraded> upgrade(http::Request&, http::Response& res, Conn&) override {
    res.send(500, "a coroutine WebSocket route under http::Server\n");  // Refused at construction.
    return nullptr;
  }
  Task<> upgrade(http::Request& req, http::Response& res, Stream& stream) override {
    const Handshake h = check_handshake(req, options_);
    if (h.status != 0) {
      refuse(h, res);
      co_return;
    }
    Buffer out(stream.loop()->pool());
    write_switching_protocols(out, h);
    if (co_await stream.write(out.to_string())) co_return;
    SocketState state(stream, options_, h, std::string(req.path()));
    Socket socket(state);
    try {
      co_await handler_(socket);
    } catch (const std::exception& e) {
      WEFT_LOG(LogLevel::error, "WebSocket coroutine threw: %s", e.what());
    }
    co_await state.finish();
  }
  bool coroutine() const override { return true; }

 private:
  CoroHandler handler_;
  const Options options_;
};

}  // namespace
}  // namespace detail

void route(http::Router& router, std::string_view pattern, Handler& handler, Options options) {
  validate(options);
  router.add_upgrade(pattern, std::make_shared<detail::CallbackRoute>(handler, std::move(options)));
}

void route(http::Router& router, std::string_view pattern, CoroHandler handler, Options options) {
  if (!handler) throw std::invalid_argument("ws::route: the handler is empty");
  validate(options);
  router.add_upgrade(pattern, std::make_shared<detail::CoroRoute>(std::move(handler), std::move(options)));
}

}  // namespace weft::ws
