#include "weft/http/coro_server.h"

#include <stdexcept>

#include "http/coro_session.h"

namespace weft::http {
namespace {

Options prepared(Options o) {
  validate(o);
  return o;
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
  state_->runtime = std::make_unique<weft::CoroServer>(
      [state](Stream s) { return detail::serve_connection(state, std::move(s)); }, state_->options.net, coro);
  weft::Server& net = state_->runtime->server();
  for (size_t i = 0; i < net.loop_count(); ++i) {
    state_->stats.emplace_back(&net.loop(i), std::make_unique<RequestStats>());
  }
}

CoroServer::~CoroServer() {
  if (state_->runtime) {
    state_->runtime->stop();
    state_->runtime->wait();
    state_->runtime.reset();
  }
}

CoroServer& CoroServer::listen(std::string_view url) {
  state_->runtime->listen(url);
  return *this;
}
void CoroServer::start() {
  state_->runtime->start();
}
void CoroServer::run() {
  state_->runtime->run();
}
void CoroServer::wait() {
  state_->runtime->wait();
}
void CoroServer::stop() {
  state_->stopping.store(true, std::memory_order_relaxed);
  state_->runtime->stop();
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
  return *state_->stats.at(loop).second;
}

}  // namespace weft::http
