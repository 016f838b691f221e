#include "weft/net/server.h"

#include <unistd.h>

#include "core/socket.h"
#include "net/server_core.h"

namespace weft {

Server::Server(Handler& handler, ServerOptions options)
    : core_(std::make_unique<detail::ServerCore>(*this, handler, std::move(options))) {}

Server::~Server() = default;

Server& Server::listen(std::string_view url) {
  core_->listen(url, core_->options.transport);
  return *this;
}

Server& Server::listen(std::string_view url, std::shared_ptr<TransportFactory> transport) {
  core_->listen(url, std::move(transport));
  return *this;
}

Server& Server::listen_fd(int fd) {
  core_->listen_fd(fd, core_->options.transport);
  return *this;
}

void Server::start() { core_->start(); }

void Server::run() {
  core_->start();
  core_->wait();
}

void Server::wait() { core_->wait(); }
void Server::stop() { core_->stop(); }
void Server::stop_accepting(std::function<void()> then) { core_->stop_accepting(std::move(then)); }

bool Server::adopt(int fd, void* context) {
  for (auto& c : core_->contexts) {
    if (!c->loop.in_loop_thread()) continue;
    c->connections.fetch_add(1, std::memory_order_relaxed);
    return c->adopt(fd, detail::peer_address(fd), context);
  }
  ::close(fd);
  return false;
}

bool Server::adopt(int fd, void* context, TransportFactory& transport, std::string_view peer_name) {
  for (auto& c : core_->contexts) {
    if (!c->loop.in_loop_thread()) continue;
    c->connections.fetch_add(1, std::memory_order_relaxed);
    return c->adopt(fd, detail::peer_address(fd), context, &transport, peer_name);
  }
  ::close(fd);
  return false;
}

const Address& Server::address(size_t i) const { return core_->addresses.at(i); }
size_t Server::loop_count() const { return core_->io.size(); }
EventLoop& Server::loop(size_t i) { return core_->io.loop(i); }
size_t Server::connection_count() const { return core_->connection_count(); }
const ServerOptions& Server::options() const { return core_->options; }

const ConnStats& Server::conn_stats(size_t i) const { return core_->contexts.at(i)->stats; }

uint64_t Server::accept_exhausted() const {
  uint64_t n = 0;
  for (auto& l : core_->listeners) n += l->exhausted_events();
  return n;
}

void Server::for_each_connection(size_t i, const std::function<void(Conn&)>& fn) {
  detail::LoopContext& ctx = *core_->contexts.at(i);
  ctx.loop.assert_in_loop_thread("Server::for_each_connection");
  ctx.table.for_each([&](Conn* c) { fn(*c); });
}

std::vector<size_t> Server::connections_per_loop() const {
  std::vector<size_t> counts;
  for (auto& c : core_->contexts) counts.push_back(c->connections.load(std::memory_order_relaxed));
  return counts;
}

const char* to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::peer_closed: return "peer closed";
    case CloseReason::reset: return "reset";
    case CloseReason::idle: return "idle";
    case CloseReason::local: return "local close";
    case CloseReason::error: return "error";
    case CloseReason::shutdown: return "shutdown";
    case CloseReason::overflow: return "output overflow";
    case CloseReason::heartbeat: return "heartbeat";
    case CloseReason::deadline: return "deadline";
  }
  return "unknown";
}

}  // namespace weft
