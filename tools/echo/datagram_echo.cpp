#include "datagram_echo.h"

#include <cstdio>
#include <exception>

namespace weft::tools {
namespace {

class DatagramEcho final : public DatagramHandler {
 public:
  explicit DatagramEcho(bool quiet) : quiet_(quiet) {}

  // The reply is queued and leaves with the batch's sendmmsg. A truncated datagram (longer
  // than --max-datagram) goes back as received, cut: the sender sees it by its length.
  void on_datagram(UdpSocket& s, std::string_view data, const Address& from, bool) override { s.send_to(data, from); }
  // A sender that went away (ICMP port unreachable) or a reply the kernel refused.
  void on_error(UdpSocket&, std::error_code ec, const Address& peer) override {
    if (!quiet_) std::fprintf(stderr, "weft-echo: %s: %s\n", peer.to_string().c_str(), ec.message().c_str());
  }

 private:
  bool quiet_;
};

}  // namespace

int serve_datagram_echo(const std::string& addr, const UdpOptions& options, bool quiet) {
  try {
    DatagramEcho echo(quiet);
    UdpServer server(echo, options);
    server.listen(addr);
    if (!quiet) {
      std::printf("weft-echo (datagrams) listening on %s with %zu socket(s) on %zu loop(s)\n",
                  server.address().to_string().c_str(), server.socket_count(), server.loop_count());
      std::fflush(stdout);
    }
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace weft::tools
