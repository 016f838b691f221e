#include "weft/http/coro_server.h"

#include <stdexcept>

#include "http/coro_session.h"
#include "http/coro_state.h"

namespace weft::http {
namespace {

Options prepared(Options o) {
  validate(o);
  return o;
}

// The runtime gets no stop signals: the HTTP state watches them, so that a signal begins
// its graceful stop instead of the runtime's, which cancels every coroutine at once.
ServerOptions without_signals(ServerOptions net) {
  net.stop_signals.clear();
  return net;
}

}  // namespace

CoroServer::CoroServer(const Router& router, Options options, CoroOptions coro)
    : state_(std::make_unique<detail::CoroState>(router, prepared(std::move(options)))) {
  if (router.has_callback_upgrades()) {
    throw std::invalid_argument(
        "http::CoroServer: the router has a callback WebSocket route; serve it with http::Server, or make it a "
        "coroutine route");
  }
  detail::CoroState* state = state_.get();
  state_->runtime =
      std::make_unique<weft::CoroServer>([state](Stream s) { return detail::serve_connection(state, std::move(s)); },
                                         without_signals(state_->options.net), coro);
  weft::Server& net = state_->runtime->server();
  for (size_t i = 0; i < net.loop_count(); ++i) {
    state_->stats.push_back(std::make_unique<RequestStats>());
    state_->loops.push_back(
        std::make_unique<detail::CoroLoop>(net.loop(i), *state_->stats.back(), state_->options,
                                           [](detail::Deadlines::Hook& hook, detail::Deadlines::Kind kind) {
                                             static_cast<detail::CoroSession&>(hook).expire(kind);
                                           }));
  }
}

CoroServer::~CoroServer() {
  // Without an earlier stop(), the destructor does not wait for handlers: the runtime
  // cancels them at once.
  if (!state_->stopping.exchange(true)) state_->runtime->stop();
  state_->runtime->wait();
}

CoroServer& CoroServer::listen(std::string_view url) {
  state_->runtime->listen(url);
  return *this;
}
void CoroServer::start() {
  state_->start();
}
void CoroServer::run() {
  start();
  wait();
}
void CoroServer::wait() {
  state_->runtime->wait();
}
void CoroServer::stop() {
  state_->stop();
}
const Address& CoroServer::address(size_t i) const {
  return state_->runtime->address(i);
}
size_t CoroServer::loop_count() const {
  return state_->runtime->loop_count();
}
const Options& CoroServer::options() const {
  return state_->options;
}
weft::CoroServer& CoroServer::runtime() {
  return *state_->runtime;
}
const RequestStats& CoroServer::stats(size_t loop) const {
  return *state_->stats.at(loop);
}

}  // namespace weft::http
