#include "datagram_echo.h"

#include <cstdio>
#include <deque>
#include <exception>

#include "admin_flag.h"
#include "weft/core/stat_cell.h"

namespace weft::tools {
namespace {

class DatagramEcho final : public DatagramHandler {
 public:
  explicit DatagramEcho(bool quiet) : quiet_(quiet) {}

  // The reply is queued and leaves with the batch's sendmmsg. A truncated datagram (longer
  // than --max-datagram) goes back as received, cut: the sender sees it by its length.
  void on_datagram(UdpSocket& s, std::string_view data, const Address& from, bool) override {
    Counts& c = counts(s);
    c.datagrams.add();
    c.bytes.add(data.size());
    s.send_to(data, from);
  }
  // A sender that went away (ICMP port unreachable) or a reply the kernel refused.
  void on_error(UdpSocket&, std::error_code ec, const Address& peer) override {
    if (!quiet_) std::fprintf(stderr, "weft-echo: %s: %s\n", peer.to_string().c_str(), ec.message().c_str());
  }

  // Counts per socket, each written by its socket's loop alone. After listen(), before start().
  void count_sockets(UdpServer& server) {
    for (size_t i = 0; i < server.socket_count(); ++i) counts_.emplace_back(&server.socket(i));
  }
  void export_counts(metrics::Registry& registry) {
    for (size_t i = 0; i < counts_.size(); ++i) {
      Counts& c = counts_[i];
      const metrics::Labels labels = {{"socket", std::to_string(i)}};
      registry.counter_fn(
          "weft_udp_echoed_datagrams_total", "Datagrams received and sent back.", [&c] { return c.datagrams.get(); },
          labels);
      registry.counter_fn(
          "weft_udp_echoed_bytes_total", "Bytes of those datagrams.", [&c] { return c.bytes.get(); }, labels);
    }
  }

 private:
  struct Counts {
    explicit Counts(const UdpSocket* s) : socket(s) {}
    const UdpSocket* socket;
    StatCell datagrams;
    StatCell bytes;
  };
  Counts& counts(const UdpSocket& s) {
    for (Counts& c : counts_) {
      if (c.socket == &s) return c;
    }
    return counts_.front();  // Not reached: every socket was listed before the loops started.
  }

  bool quiet_;
  std::deque<Counts> counts_;  // Stable addresses for the registry.
};

}  // namespace

int serve_datagram_echo(const std::string& addr, const UdpOptions& options, bool quiet, const std::string& admin_url) {
  try {
    DatagramEcho echo(quiet);
    UdpServer server(echo, options);
    server.listen(addr);
    echo.count_sockets(server);
    AdminEndpoint admin(admin_url);
    if (admin.enabled()) {
      admin.registry().watch(server, "udp-echo");
      echo.export_counts(admin.registry());
    }
    server.start();
    if (!quiet) {
      std::printf("weft-echo (datagrams) listening on %s with %zu socket(s) on %zu loop(s)\n",
                  server.address().to_string().c_str(), server.socket_count(), server.loop_count());
      admin.print_urls();
      std::fflush(stdout);
    }
    server.wait();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace weft::tools
