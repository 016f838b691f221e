#include "weft/http/server.h"

#include <stdexcept>

#include "http/conn_session.h"
#include "http/server_state.h"

namespace weft::http {
namespace detail {

namespace {

// The engine must hold a whole head and body unconsumed while a request is parsed.
Options prepared(Options o) {
  validate(o);
  const uint64_t need = o.limits.max_request_line + 2 + o.limits.max_header_section + o.limits.max_body + 64 * 1024;
  if (o.net.max_inbound < need) o.net.max_inbound = static_cast<size_t>(need);
  // A client that shuts its side after its last request still gets the answers.
  o.net.allow_half_open = true;
  return o;
}

}  // namespace

// The engine's Handler for an HTTP server: one ConnSession per connection, in its
// attachment slot.
class HttpHandler final : public weft::Handler {
 public:
  HttpHandler(const Router& router, Options options) : state_(router, prepared(std::move(options))) {}

  ServerState& state() { return state_; }

  void on_boot(weft::Server& server) override {
    for (size_t i = 0; i < server.loop_count(); ++i) {
      state_.loops.push_back(std::make_unique<LoopState>(
          server.loop(i), *state_.stats.at(i), state_.options,
          [](Deadlines::Hook& hook, Deadlines::Kind kind) { static_cast<ConnSession&>(hook).expire(kind); }));
    }
  }
  void on_open(Conn& conn) override {
    conn.attach(std::make_unique<ConnSession>(state_, state_.loop_state(conn.loop()), conn));
  }
  void on_traffic(Conn& conn) override { session(conn).on_traffic(); }
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override {
    session(conn).on_close(reason, error);
  }
  void on_high_water(Conn& conn) override { session(conn).on_high_water(); }
  bool on_stopping(Conn& conn) override {
    state_.stopping.store(true, std::memory_order_relaxed);
    return session(conn).on_stopping();
  }
  void on_low_water(Conn& conn) override { session(conn).on_low_water(); }

 private:
  static ConnSession& session(Conn& conn) { return *static_cast<ConnSession*>(conn.attachment()); }

  ServerState state_;
};

}  // namespace detail

Server::Server(const Router& router, Options options) {
  if (router.has_coroutines()) {
    throw std::invalid_argument("http::Server: the router has coroutine routes; serve it with http::CoroServer");
  }
  handler_ = std::make_unique<detail::HttpHandler>(router, std::move(options));
  server_ = std::make_unique<weft::Server>(*handler_, handler_->state().options.net);
  for (size_t i = 0; i < server_->loop_count(); ++i) {
    handler_->state().stats.push_back(std::make_unique<RequestStats>());
  }
}

Server::~Server() {
  if (server_) {
    server_->stop();
    server_->wait();
  }
}

Server& Server::listen(std::string_view url) {
  server_->listen(url);
  return *this;
}
void Server::start() {
  server_->start();
}
void Server::run() {
  server_->run();
}
void Server::wait() {
  server_->wait();
}
void Server::stop() {
  handler_->state().stopping.store(true, std::memory_order_relaxed);
  server_->stop();
}
const Address& Server::address(size_t i) const {
  return server_->address(i);
}
size_t Server::loop_count() const {
  return server_->loop_count();
}
const Options& Server::options() const {
  return handler_->state().options;
}
weft::Server& Server::net() {
  return *server_;
}
const RequestStats& Server::stats(size_t loop) const {
  return *handler_->state().stats.at(loop);
}

}  // namespace weft::http
