// weft-echo: an echo server for trying weft out and for benchmarks. `weft-echo --help`
// lists the flags: the common server flags (tools/common/server_flags.h), the worker
// flags (tools/common/worker_flags.h) and --api. With --tls-cert and --tls-key it serves
// TLS (docs/tls.md). SIGHUP reloads the certificate files and the log level
// (tools/common/reload.h).
//
// --api coro serves the same echo through the coroutine API: one coroutine per
// connection, for comparing the two.
//
// --admin URL serves the server's metrics there: /metrics (Prometheus), /stats (JSON)
// and /dashboard (a live page), on a loop of their own (the first worker's, with --workers).
//
// Stops gracefully on SIGINT or SIGTERM, after flushing what it has accepted. With
// --workers, a stopping worker (a stop, or the old generation of a hot restart) lets each
// connection run until its client closes it or --shutdown-timeout passes: an echo has no
// message boundary at which the server could end a connection without cutting a client
// short.

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "admin_flag.h"
#include "cli.h"
#include "server_flags.h"
#include "weft/coro/coro.h"
#include "weft/weft.h"
#include "worker_flags.h"

namespace {

class EchoHandler final : public weft::Handler {
 public:
  explicit EchoHandler(bool wait_for_clients) : wait_for_clients_(wait_for_clients) {}

  // Everything that arrived goes back. An echo consumes all it reads, so nothing is kept
  // between reads and read() is a view of the loop's read area: no copy until write().
  void on_traffic(weft::Conn& conn) override { conn.write(conn.read()); }
  bool on_stopping(weft::Conn&) override { return !wait_for_clients_; }

 private:
  bool wait_for_clients_;
};

// The same echo as a coroutine: each read is a view of what arrived, written straight back.
weft::Task<> echo(weft::Stream s) {
  for (;;) {
    auto data = co_await s.read_some();
    if (!data || co_await s.write(*data)) co_return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  weft::tools::App app("weft-echo", "An echo server for trying weft out and for benchmarks.");
  weft::tools::ServerFlags flags{.addr = "tcp://127.0.0.1:7000"};
  weft::tools::WorkerFlags workers;
  weft::tools::add_server_flags(app, flags);
  weft::tools::add_worker_flags(app, workers);
  bool coro = false;
  app.add_choice("--api", coro, {{"callback", false}, {"coro", true}},
                 "serve through the callback API or the coroutine API (one coroutine per connection)");
  std::string admin_url;
  weft::tools::add_admin_flag(app, admin_url);
  app.parse_or_exit(argc, argv);

  std::shared_ptr<weft::tls::Context> tls;
  try {
    tls = weft::tools::use_tls(app, flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-echo: %s\n", e.what());
    return 1;
  }
  return weft::tools::run_workers("weft-echo", flags, workers, [&](weft::Worker& worker) {
    auto serve = [&](auto& server, weft::Server& base) {
      worker.attach(base);
      server.start();
      worker.ready();
      weft::tools::AdminEndpoint admin(worker.index() == 0 ? admin_url : std::string(), base, "echo");
      admin.watch_tls(tls, "echo");
      if (!flags.quiet && worker.index() == 0) {
        std::printf("weft-echo (%s API) listening on %s%s with %zu loop(s)%s\n", coro ? "coroutine" : "callback",
                    server.address().to_string().c_str(), tls ? " (TLS)" : "", server.loop_count(),
                    worker.supervised() ? " in each worker" : "");
        admin.print_urls();
        std::fflush(stdout);
      }
      server.wait();
    };
    if (coro) {
      weft::CoroServer server(echo, flags.options);
      serve(server, server.server());
    } else {
      EchoHandler handler(worker.supervised());
      weft::Server server(handler, flags.options);
      serve(server, server);
    }
    return 0;
  });
}
