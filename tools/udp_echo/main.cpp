// weft-udp-echo: sends every datagram back to its sender unchanged, for trying weft's UDP
// sockets and for benchmarks. `weft-udp-echo --help` lists the flags. --admin URL serves
// its loops' metrics and the datagrams it echoed (/metrics, /stats, /dashboard).
//
// Stops on SIGINT or SIGTERM.

#include <csignal>
#include <cstdio>
#include <deque>
#include <exception>
#include <string>
#include <vector>

#include "admin_flag.h"
#include "cli.h"
#include "weft/core/stat_cell.h"
#include "weft/net/udp.h"

namespace {

class Echo final : public weft::DatagramHandler {
 public:
  explicit Echo(bool quiet) : quiet_(quiet) {}
  // The reply is queued and leaves with the batch's sendmmsg. A truncated datagram goes
  // back as received (cut), which is what the sender can tell from the length.
  void on_datagram(weft::UdpSocket& s, std::string_view data, const weft::Address& from, bool) override {
    Counts& c = counts(s);
    c.datagrams.add();
    c.bytes.add(data.size());
    s.send_to(data, from);
  }
  void on_error(weft::UdpSocket&, std::error_code ec, const weft::Address& peer) override {
    if (!quiet_) std::fprintf(stderr, "weft-udp-echo: %s: %s\n", peer.to_string().c_str(), ec.message().c_str());
  }

  // Counts per socket, each written by its socket's loop alone. After listen(), before start().
  void count_sockets(weft::UdpServer& server) {
    for (size_t i = 0; i < server.socket_count(); ++i) counts_.emplace_back(&server.socket(i));
  }
  void export_counts(weft::metrics::Registry& registry) {
    for (size_t i = 0; i < counts_.size(); ++i) {
      Counts& c = counts_[i];
      const weft::metrics::Labels labels = {{"socket", std::to_string(i)}};
      registry.counter_fn(
          "weft_udp_echoed_datagrams_total", "Datagrams received and sent back.", [&c] { return c.datagrams.get(); },
          labels);
      registry.counter_fn(
          "weft_udp_echoed_bytes_total", "Bytes of those datagrams.", [&c] { return c.bytes.get(); }, labels);
    }
  }

 private:
  struct Counts {
    explicit Counts(const weft::UdpSocket* s) : socket(s) {}
    const weft::UdpSocket* socket;
    weft::StatCell datagrams;
    weft::StatCell bytes;
  };
  Counts& counts(const weft::UdpSocket& s) {
    for (Counts& c : counts_) {
      if (c.socket == &s) return c;
    }
    return counts_.front();  // Not reached: every socket was listed before the loops started.
  }

  bool quiet_;
  std::deque<Counts> counts_;  // Stable addresses for the registry.
};

}  // namespace

int main(int argc, char** argv) {
  weft::tools::App app("weft-udp-echo", "A UDP echo server: every datagram goes back to its sender.");
  std::string addr = "udp://127.0.0.1:7001";
  weft::UdpOptions options;
  options.stop_signals = {SIGINT, SIGTERM};
  bool quiet = false;
  app.add_address("--addr", addr, "where to listen (udp://host:port, udp://[v6]:port, unixgram:///path)");
  app.add_number("--loops", options.loops, "I/O loops, one thread each", size_t{1}, size_t{1024});
  app.add_flag("--reuseport", options.reuse_port, "a socket per loop (SO_REUSEPORT): the kernel spreads senders");
  app.add_number("--batch", options.batch, "datagrams per recvmmsg/sendmmsg call", size_t{1}, size_t{1024});
  app.add_number("--max-datagram", options.max_datagram, "longest datagram received whole; longer ones are cut",
                 size_t{1}, size_t{65536});
  app.add_flag("--quiet", quiet, "print nothing at start-up, nor errors");
  std::string admin_url;
  weft::tools::add_admin_flag(app, admin_url);
  app.parse_or_exit(argc, argv);
  try {
    Echo echo(quiet);
    weft::UdpServer server(echo, options);
    server.listen(addr);
    echo.count_sockets(server);
    weft::tools::AdminEndpoint admin(admin_url);
    if (admin.enabled()) {
      admin.registry().watch(server, "udp-echo");
      echo.export_counts(admin.registry());
    }
    server.start();
    if (!quiet) {
      std::printf("weft-udp-echo listening on %s with %zu socket(s) on %zu loop(s)\n",
                  server.address().to_string().c_str(), server.socket_count(), server.loop_count());
      admin.print_urls();
      std::fflush(stdout);
    }
    server.wait();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-udp-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
