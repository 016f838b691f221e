#include "weft/metrics/admin.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <vector>

#include "metrics/dashboard_page.h"
#include "weft/http/server.h"
#include "weft/metrics/json.h"
#include "weft/metrics/prometheus.h"
#include "weft/ws/websocket.h"

namespace weft::metrics {

// Everything below runs on the admin server's single loop, except construction, listen,
// start and stop.
struct Admin::Impl final : ws::Handler {
  Impl(Registry& r, AdminOptions o) : registry(r), options(o), server(make_router(), make_options()) {}

  http::Router& make_router() {
    add_routes(router, registry);
    router.get("/", [](http::Request&, http::Response& res) {
      res.content_type("text/html; charset=utf-8")
          .send(200,
                "<!doctype html><title>weft admin</title><p><a href=\"/dashboard\">dashboard</a> "
                "<a href=\"/metrics\">metrics</a> <a href=\"/stats\">stats</a>\n");
    });
    router.get("/dashboard", [](http::Request&, http::Response& res) {
      res.content_type("text/html; charset=utf-8")
          .header("Cache-Control", "no-store")
          .send(200, detail::dashboard_page());
    });
    ws::route(router, "/dashboard/ws", *this);
    return router;
  }

  static http::Options make_options() {
    http::Options o;
    o.net.loops = 1;
    o.net.stop_signals = {};
    o.server_name = "weft-admin";
    return o;
  }

  void on_open(ws::WebSocket& socket) override {
    clients.push_back(socket.handle());
    if (!last.empty()) socket.send(last);  // The page draws at once, not a period later.
  }
  void on_close(ws::WebSocket& socket, uint16_t, std::string_view) override {
    auto h = socket.handle();
    clients.erase(std::remove(clients.begin(), clients.end(), h), clients.end());
  }

  void tick() {
    registry.sample_connections(options.busiest_per_loop);
    Snapshot snap = registry.snapshot();
    last = to_json(snap, has_previous ? &previous : nullptr);
    previous = std::move(snap);
    has_previous = true;
    if (clients.empty()) return;
    ws::Frame frame = ws::Frame::text(last);
    for (const ws::Handle& h : clients) h.send(frame);
  }

  Registry& registry;
  AdminOptions options;
  http::Router router;
  http::Server server;
  std::vector<ws::Handle> clients;
  Snapshot previous;
  bool has_previous = false;
  std::string last;
  bool started = false;
};

Admin::Admin(Registry& registry, AdminOptions options) : impl_(std::make_unique<Impl>(registry, options)) {}

Admin::~Admin() {
  stop();
}

Admin& Admin::listen(std::string_view url) {
  impl_->server.listen(url);
  return *this;
}

void Admin::start() {
  if (impl_->started) return;
  impl_->started = true;
  // The admin loop's thread blocks every signal it may: a process-directed signal (the
  // application's SIGTERM, which it may wait for with a signalfd once its own threads
  // block it) must never be delivered to this thread, where nothing handles it.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  impl_->server.start();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  Impl* impl = impl_.get();
  EventLoop& loop = impl->server.net().loop(0);
  loop.post([impl, &loop] {
    impl->tick();
    loop.run_every(impl->options.interval, [impl] { impl->tick(); });
  });
}

void Admin::stop() {
  if (!impl_->started) return;
  impl_->server.stop();
  impl_->server.wait();
  impl_->started = false;
}

const Address& Admin::address() const {
  return impl_->server.address();
}

void Admin::add_routes(http::Router& router, Registry& registry) {
  router.get("/metrics", [&registry](http::Request&, http::Response& res) {
    res.content_type(kPrometheusContentType).header("Cache-Control", "no-store");
    res.send(200, prometheus_text(registry.snapshot()));
  });
  router.get("/stats", [&registry](http::Request&, http::Response& res) {
    res.content_type("application/json").header("Cache-Control", "no-store");
    res.send(200, to_json(registry.snapshot()));
  });
}

}  // namespace weft::metrics
