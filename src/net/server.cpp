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
  }
  return "unknown";
}

}  // namespace weft
