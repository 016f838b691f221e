#pragma once
// Admin: weft's own HTTP server on an admin address, serving a Registry:
//
//   GET /metrics         Prometheus text format 0.0.4 (prometheus.h)
//   GET /stats           the same snapshot as JSON (json.h)
//   GET /dashboard       a self-contained live page (no external resources)
//   GET /dashboard/ws    WebSocket: the page's feed, one JSON snapshot per interval
//
//   weft::metrics::Registry registry;
//   registry.watch(server, "echo");
//   weft::metrics::Admin admin(registry);
//   admin.listen("tcp://127.0.0.1:9090").start();
//
// The admin server runs one loop of its own, so scrapes and the dashboard never run on
// the application's loops; it only posts a short sampling task to each of them per
// interval (Registry::sample_connections). It does not watch stop signals, and its
// thread blocks them all, so that they reach the application's threads: stop it (or
// destroy it) when the application stops.
//
// Threads: construct, listen() and start() from one thread; stop() from any thread.
// The registry must outlive the Admin.

#include <chrono>
#include <memory>
#include <string_view>

#include "weft/core/address.h"
#include "weft/core/time.h"
#include "weft/metrics/registry.h"

namespace weft::http {
class Router;
}

namespace weft::metrics {

struct AdminOptions {
  // How often the dashboard gets a snapshot and connections are sampled.
  Duration interval = std::chrono::seconds(1);
  // Connections listed per loop in the busiest-connections table.
  size_t busiest_per_loop = 5;
};

class Admin {
 public:
  explicit Admin(Registry& registry, AdminOptions options = {});
  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // Binds now: errors as weft::Server::listen.
  Admin& listen(std::string_view url);
  void start();
  // Stops serving and waits for the admin loop to end. Idempotent.
  void stop();
  const Address& address() const;

  // Adds GET /metrics and GET /stats for registry to an application's own router, to
  // serve them on its own port instead of (or as well as) an admin address.
  static void add_routes(http::Router& router, Registry& registry);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::metrics
