// A UDP ping through a dialed (connected) socket: sends COUNT datagrams to an echo, one
// every 100 ms, and prints each round trip. A port nobody listens on answers with an ICMP
// port unreachable, which arrives as "connection refused".
//
//   build/bin/weft-echo --addr udp://127.0.0.1:7001 &
//   build/bin/example_udp_ping udp://127.0.0.1:7001 5
//
// Exit status: 0 when every ping came back, 1 when refused, 2 when some were lost.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>

#include "weft/net/udp.h"
#include "weft/weft.h"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Ping : public weft::DatagramHandler {
 public:
  explicit Ping(int count) : count_(count) {}
  void stop_with(weft::UdpServer& client) { client_ = &client; }

  // The echo of "ping <n> <sent at, ns>".
  void on_datagram(weft::UdpSocket&, std::string_view reply, const weft::Address& from, bool) override {
    long long n = 0, sent = 0;
    if (std::sscanf(std::string(reply).c_str(), "ping %lld %lld", &n, &sent) != 2) return;
    long long now = Clock::now().time_since_epoch().count();
    std::printf("%zu bytes from %s: seq=%lld time=%.3f ms\n", reply.size(), from.to_string().c_str(), n,
                static_cast<double>(now - sent) / 1e6);
    if (++answered_ == count_) client_->stop();
  }
  void on_error(weft::UdpSocket&, std::error_code ec, const weft::Address& peer) override {
    std::printf("%s: %s\n", peer.to_string().c_str(), ec.message().c_str());
    refused_ = true;
    client_->stop();
  }

  int answered() const { return answered_; }
  bool refused() const { return refused_; }

 private:
  weft::UdpServer* client_ = nullptr;
  int count_;
  int answered_ = 0;  // Loop thread until the client has stopped.
  bool refused_ = false;
};

int main(int argc, char** argv) {
  const char* url = argc > 1 ? argv[1] : "udp://127.0.0.1:7001";
  int count = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  try {
    Ping ping(count);
    weft::UdpServer client(ping);  // One loop; it only dials.
    ping.stop_with(client);
    weft::UdpSocket& peer = client.dial(url);
    client.start();
    weft::EventLoop& loop = client.loop(0);
    loop.post([&loop, &peer, &client, count] {
      auto sent = std::make_shared<int>(0);
      loop.run_every(100ms, [&peer, sent, count] {
        if (*sent == count) return;
        long long now = Clock::now().time_since_epoch().count();
        peer.send("ping " + std::to_string(++*sent) + " " + std::to_string(now));
      });
      loop.run_after(count * 100ms + 2s, [&client] { client.stop(); });  // Gives up on the lost.
    });
    client.wait();
    std::printf("%d of %d answered\n", ping.answered(), count);
    return ping.refused() ? 1 : ping.answered() == count ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "udp_ping: %s\n", e.what());
    return 1;
  }
}
