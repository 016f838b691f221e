// ClientOptions on dialed connections: local_address binds the socket before it connects
// (the server sees that address and port as its peer), and idle_timeout closes every
// quiet dialed connection, however many share the loop's idle list with it.

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "ports.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/core/error.h"
#include "weft/net/client.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Records the peer address of every accepted connection.
class PeerRecorder : public RecordingHandler {
 public:
  void on_open(Conn& c) override {
    {
      std::lock_guard lock(mutex_);
      peers_.push_back(c.remote_address().to_string());
    }
    RecordingHandler::on_open(c);
  }
  std::vector<std::string> peers() const {
    std::lock_guard lock(mutex_);
    return peers_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> peers_;
};

TEST(ClientOptions, LocalAddressBindsTheDialedSocket) {
  PeerRecorder server_side;
  ServerFixture server(server_side);
  // 127.0.0.2 is loopback too, and not the address the kernel would pick for 127.0.0.1.
  uint16_t port = unused_tcp_port();
  const std::string local = "tcp://127.0.0.2:" + std::to_string(port);
  Handler quiet;
  Client client(quiet, {.local_address = local});
  client.start();
  OnceValue<std::string> mine;
  client.dial(server.address().to_string(), [&](Conn* c, std::error_code ec) {
    mine.set(c != nullptr ? c->local_address().to_string() : "failed: " + ec.message());
  });
  ASSERT_EQ(mine.wait(), local);
  ASSERT_TRUE(server_side.opened.wait_for(1));
  ASSERT_EQ(server_side.peers().size(), 1u);
  EXPECT_EQ(server_side.peers()[0], local);
  client.stop();
  client.wait();
}

TEST(ClientOptions, LocalAddressWithPortZeroKeepsTheHost) {
  PeerRecorder server_side;
  ServerFixture server(server_side);
  Handler quiet;
  Client client(quiet, {.local_address = "tcp://127.0.0.2:0"});
  client.start();
  Counter dialed;
  for (int i = 0; i < 2; ++i) client.dial(server.address().to_string(), [&](Conn*, std::error_code) { dialed.add(); });
  ASSERT_TRUE(dialed.wait_for(2));
  ASSERT_TRUE(server_side.opened.wait_for(2));
  std::vector<std::string> peers = server_side.peers();
  ASSERT_EQ(peers.size(), 2u);
  for (const std::string& p : peers) EXPECT_EQ(p.rfind("tcp://127.0.0.2:", 0), 0u) << p;
  EXPECT_NE(peers[0], peers[1]);  // Each connect picked its own port.
  client.stop();
  client.wait();
}

TEST(ClientOptions, IdleTimeoutClosesEveryQuietDialedConnection) {
  RecordingHandler server_side;
  ServerFixture server(server_side);
  RecordingHandler mine;
  Client client(mine, {.idle_timeout = 100ms});
  client.start();
  constexpr size_t kConns = 4;  // Several share the idle list: each must be found in it.
  Counter dialed;
  for (size_t i = 0; i < kConns; ++i) {
    client.dial(server.address().to_string(), [&](Conn* c, std::error_code) {
      if (c != nullptr) dialed.add();
    });
  }
  ASSERT_TRUE(dialed.wait_for(kConns));
  std::vector<CloseRecord> closes = mine.wait_closes(kConns, 5s);
  ASSERT_EQ(closes.size(), kConns);
  for (const CloseRecord& r : closes) EXPECT_EQ(r.reason, CloseReason::idle) << r.describe();
  client.stop();
  client.wait();
}

}  // namespace
}  // namespace weft::test
