#pragma once
// Proxy: the relay behind weft-proxy. A Server accepts clients; a Client on the same
// loops dials an upstream for each, so both sides of a relay share one thread and talk
// through plain pointers. Bytes go both ways as they arrive; a side whose peer's output
// is above the high water mark stops reading until it drains (memory stays bounded by
// about two high water marks per relay); an end of file is passed on as a half-close.
// Upstreams that refuse or time out are marked down and the next one is tried before the
// client sees anything; health probes mark them up again.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "weft/net/client.h"
#include "weft/net/server.h"

namespace weft::proxy {

enum class Balance { round_robin, least_connections, hash };

struct ProxyOptions {
  std::vector<std::string> upstreams;
  Balance balance = Balance::round_robin;
  Duration health_interval = std::chrono::seconds(2);  // Zero: no active probes.
  Duration connect_timeout = std::chrono::seconds(3);
  Duration idle_timeout = Duration::zero();
  bool quiet = false;  // No start-up line (state changes are always logged).
  // What the upstream connections speak (tls::Context::client for TLS); null: plain.
  std::shared_ptr<TransportFactory> upstream_transport{};
};

class Proxy {
 public:
  // Builds the server (not yet listening) and its client. Throws std::invalid_argument
  // for bad options.
  Proxy(ServerOptions server, ProxyOptions options);
  ~Proxy();

  Server& server() { return *server_; }
  // Upstream i: up (true) or down.
  bool up(size_t i) const { return upstreams_[i]->up.load(); }
  size_t active(size_t i) const { return upstreams_[i]->active.load(); }

 private:
  struct Upstream {
    std::string url;
    std::atomic<bool> up{true};
    std::atomic<size_t> active{0};  // Relays dialing or connected to it.
  };
  struct Relay;
  class Front;
  class Back;

  void connect(Relay& r);
  size_t pick(const Relay& r) const;
  void dialed(Relay* r, size_t upstream, Conn* back, std::error_code error);
  void mark(size_t upstream, bool up, std::error_code why);
  void probe();
  static void relay_bytes(Conn& from, Conn& to);
  static void maybe_free(Relay* r);

  ProxyOptions options_;
  std::vector<std::unique_ptr<Upstream>> upstreams_;
  mutable std::atomic<size_t> next_{0};  // Round robin.
  std::unique_ptr<Front> front_;
  std::unique_ptr<Back> back_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
};

}  // namespace weft::proxy
