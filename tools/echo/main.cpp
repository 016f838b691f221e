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
// With --addr udp://host:port or unixgram:///path it echoes datagrams instead
// (datagram_echo.h): --loops, --reuseport, --quiet, --batch, --max-datagram and --admin
// apply; the flags about connections, TLS and workers do not, and are refused.
//
// Stops gracefully on SIGINT or SIGTERM, after flushing what it has accepted. With
// --workers, a stopping worker (a stop, or the old generation of a hot restart) lets each
// connection run until its client closes it or --shutdown-timeout passes: an echo has no
// message boundary at which the server could end a connection without cutting a client
// short.

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <thread>

#include "admin_flag.h"
#include "cli.h"
#include "datagram_echo.h"
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
  app.get_option("--addr")->description(
      "address to listen on: tcp://host:port, tcp://[v6]:port, unix:///path, unix://@name, or for datagrams "
      "udp://host:port, udp://[v6]:port, unixgram:///path");
  bool coro = false;
  app.add_choice("--api", coro, {{"callback", false}, {"coro", true}},
                 "serve through the callback API or the coroutine API (one coroutine per connection)");
  std::string admin_url;
  weft::tools::add_admin_flag(app, admin_url);
  weft::UdpOptions udp;
  app.add_number("--batch", udp.batch, "udp:// and unixgram://: datagrams per recvmmsg/sendmmsg call", size_t{1},
                 size_t{1024});
  app.add_number("--max-datagram", udp.max_datagram,
                 "udp:// and unixgram://: longest datagram received whole; longer ones come back cut", size_t{1},
                 size_t{65536});
  app.parse_or_exit(argc, argv);

  if (weft::Address::parse(flags.addr).is_datagram()) {
    for (const char* flag :
         {"--lb", "--idle-timeout", "--shutdown-timeout", "--edge-triggered", "--tls-cert", "--tls-key", "--tls-ca",
          "--tls-verify-client", "--workers", "--ready-timeout", "--api"}) {
      if (app.count(flag) > 0)
        app.fail(std::string(flag) + " does not apply to a datagram address (" + flags.addr + ")");
    }
    // Without --reuseport one socket on the first loop serves everyone: more loops would idle.
    udp.reuse_port = flags.options.reuse_port;
    udp.loops = flags.options.loops != 0 ? flags.options.loops
                : udp.reuse_port         ? std::max(1u, std::thread::hardware_concurrency())
                                         : 1;
    udp.stop_signals = flags.options.stop_signals;
    return weft::tools::serve_datagram_echo(flags.addr, udp, flags.quiet, admin_url);
  }
  for (const char* flag : {"--batch", "--max-datagram"}) {
    if (app.count(flag) > 0) app.fail(std::string(flag) + " applies only to udp:// and unixgram:// addresses");
  }

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
