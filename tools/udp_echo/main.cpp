// weft-udp-echo: sends every datagram back to its sender unchanged, for trying weft's UDP
// sockets and for benchmarks. `weft-udp-echo --help` lists the flags.
//
// Stops on SIGINT or SIGTERM.

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "cli.h"
#include "weft/net/udp.h"

namespace {

class Echo final : public weft::DatagramHandler {
 public:
  explicit Echo(bool quiet) : quiet_(quiet) {}
  // The reply is queued and leaves with the batch's sendmmsg. A truncated datagram goes
  // back as received (cut), which is what the sender can tell from the length.
  void on_datagram(weft::UdpSocket& s, std::string_view data, const weft::Address& from, bool) override {
    s.send_to(data, from);
  }
  void on_error(weft::UdpSocket&, std::error_code ec, const weft::Address& peer) override {
    if (!quiet_) std::fprintf(stderr, "weft-udp-echo: %s: %s\n", peer.to_string().c_str(), ec.message().c_str());
  }

 private:
  bool quiet_;
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
  app.parse_or_exit(argc, argv);
  try {
    Echo echo(quiet);
    weft::UdpServer server(echo, options);
    server.listen(addr);
    if (!quiet) {
      std::printf("weft-udp-echo listening on %s with %zu socket(s) on %zu loop(s)\n",
                  server.address().to_string().c_str(), server.socket_count(), server.loop_count());
      std::fflush(stdout);
    }
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-udp-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
