// weft-http: an HTTP/1.1 and WebSocket server for trying weft out and for benchmarks.
// `weft-http --help` lists the flags: the common server flags (tools/common/server_flags.h),
// the worker flags (tools/common/worker_flags.h) and its own.
//
//   every method on every path   200 with "Hello, World!\n"
//   /echo                        200 with the request's body
//   /ws                          a WebSocket echo
//   --root DIR                   GET and HEAD serve the files under DIR instead
//   --admin URL                  /metrics, /stats and /dashboard at URL (docs/metrics.md)
//
// Stops on SIGINT or SIGTERM once the responses in progress are sent. --workers N serves
// in N processes under a master (tools/common/worker_flags.h: restarts, hot restart on
// SIGUSR2); SIGHUP reloads the certificate files and the log level.

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "admin_flag.h"
#include "cli.h"
#include "server_flags.h"
#include "weft/http/coro_server.h"
#include "weft/http/server.h"
#include "weft/http/static_files.h"
#include "weft/version.h"
#include "weft/ws/socket.h"
#include "weft/ws/websocket.h"
#include "worker_flags.h"

namespace {

using weft::http::Request;
using weft::http::Response;

constexpr std::string_view kHello = "Hello, World!\n";

class WsEcho final : public weft::ws::Handler {
 public:
  void on_message(weft::ws::WebSocket& ws, weft::ws::MessageType type, std::string_view data) override {
    ws.send(data, type);
  }
};

weft::Task<> ws_echo(weft::ws::Socket& ws) {
  for (;;) {
    auto msg = co_await ws.read();
    if (!msg || co_await ws.write(msg->data, msg->type)) co_return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  weft::tools::App app("weft-http", "An HTTP/1.1 and WebSocket server for trying weft out and for benchmarks.");
  weft::tools::ServerFlags flags{.addr = "tcp://127.0.0.1:8080"};
  weft::tools::WorkerFlags workers;
  weft::tools::add_server_flags(app, flags);
  weft::tools::add_worker_flags(app, workers);
  std::string root;
  app.add_option("--root", root, "serve the files under DIR for GET and HEAD")->type_name("DIR");
  bool coro = false;
  app.add_choice("--api", coro, {{"callback", false}, {"coro", true}},
                 "serve through the callback API or the coroutine API (one coroutine per connection)");
  weft::http::Options options;
  app.add_size("--max-body", options.limits.max_body, "largest request body (413 above it)");
  // A hot restart's old workers answer the requests their keep-alive clients had on the way.
  options.timeouts.idle_on_stop = std::chrono::seconds(1);
  app.add_duration("--idle-on-stop", options.timeouts.idle_on_stop,
                   "on a stop or hot restart, how long a keep-alive connection stays open for one more request "
                   "(answered with Connection: close); 0 closes it at once");
  std::string admin_url;
  weft::tools::add_admin_flag(app, admin_url);
  app.parse_or_exit(argc, argv);

  std::shared_ptr<weft::tls::Context> tls;
  std::optional<weft::http::StaticFiles> files;
  try {
    tls = weft::tools::use_tls(app, flags);  // HTTPS and wss:// with --tls-cert.
    if (!root.empty()) files.emplace(root);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-http: %s\n", e.what());
    return 1;
  }
  options.net = flags.options;
  weft::http::Router router;
  auto hello = [](Request&, Response& res) { res.send(200, kHello); };
  router.any("/*path", hello).any("/echo", [](Request& req, Response& res) {
    const std::string_view type = req.header("content-type");
    res.content_type(type.empty() ? "application/octet-stream" : type).send(200, req.body());
  });
  if (files) router.get("/*path", *files);
  WsEcho ws_handler;
  if (coro) {
    weft::ws::route(router, "/ws", ws_echo);
  } else {
    weft::ws::route(router, "/ws", ws_handler);
  }
  // Runs in this process, or in each worker with --workers.
  return weft::tools::run_workers("weft-http", flags, workers, [&](weft::Worker& worker) {
    auto serve = [&](auto& server, weft::Server& base) {
      worker.attach(base);
      server.start();
      worker.ready();
      // With --workers, the first worker's metrics (docs/metrics.md).
      weft::tools::AdminEndpoint admin(worker.index() == 0 ? admin_url : std::string());
      if (admin.enabled()) admin.registry().watch(server, "http");  // The engine and the HTTP layer.
      admin.watch_tls(tls, "http");
      if (!flags.quiet && worker.index() == 0) {
        std::printf("weft-http (%s API) listening on %s%s with %zu loop(s)%s%s%s\n", coro ? "coroutine" : "callback",
                    server.address().to_string().c_str(), tls ? " (TLS)" : "", server.loop_count(),
                    worker.supervised() ? " in each worker" : "", files ? ", files from " : "",
                    files ? files->root().c_str() : "");
        admin.print_urls();
        std::fflush(stdout);
      }
      server.wait();
    };
    if (coro) {
      weft::http::CoroServer server(router, options);
      serve(server, server.runtime().server());
    } else {
      weft::http::Server server(router, options);
      serve(server, server.net());
    }
    return 0;
  });
}
