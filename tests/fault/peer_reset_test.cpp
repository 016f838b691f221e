// A peer that resets its connection (SO_LINGER {1, 0}) while the server streams a large
// reply: the server reports the connection as reset, fails pending sends, raises no
// SIGPIPE, and goes on serving new connections.

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <string>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

constexpr size_t kChunk = 256 * 1024;

// "go" starts an endless stream of pattern bytes, refilled whenever the output drains to
// the low water mark; anything else is echoed.
class StreamHandler : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    if (conn.peek(2) == "go") {
      conn.discard(2);
      streaming_ = true;
      refill(conn);
      // A tracked send sits behind the stream; it can only fail once the peer is gone.
      conn.handle().send(std::string(kChunk, 'x'), [this](std::error_code ec) { send_done.set(ec); });
      started.set(true);
      return;
    }
    echo_all(conn);
  }
  void on_low_water(Conn& conn) override {
    if (streaming_) refill(conn);
  }

  OnceValue<bool> started;
  OnceValue<std::error_code> send_done;

 private:
  void refill(Conn& conn) {
    while (conn.outbound_size() < 2 * 1024 * 1024) {
      conn.write(std::string_view(chunk_));
    }
  }
  bool streaming_ = false;  // One streaming connection per test.
  std::string chunk_ = make_pattern(1, kChunk);
};

bool is_reset(const CloseRecord& c) {
  if (c.reason == CloseReason::reset) return true;
  return c.reason == CloseReason::error &&
         (c.error == std::errc::connection_reset || c.error == std::errc::broken_pipe);
}

class PeerReset : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    // A SIGPIPE from the server's writes would end this process, failing the test.
    ASSERT_NE(::signal(SIGPIPE, SIG_DFL), SIG_ERR);
  }
  ServerOptions options() const {
    ServerOptions o;
    o.loops = 1;
    o.loop.edge_triggered = GetParam();
    o.high_water_mark = 1024 * 1024;
    o.low_water_mark = 512 * 1024;
    // Small kernel buffers keep most of the stream in the server's output chain, so the
    // tracked send is still queued when the reset comes.
    o.send_buffer = 64 * 1024;
    return o;
  }
};

TEST_P(PeerReset, MidStreamIsReportedAndTheServerGoesOn) {
  StreamHandler handler;
  ServerFixture fixture(handler, options());
  {
    ClientOptions co;
    co.receive_buffer = 64 * 1024;
    LoopbackClient client(fixture.address(), co);
    ASSERT_TRUE(client.connected()) << client.connect_error();
    ASSERT_TRUE(client.send_all("go").ok());
    std::string head;
    ASSERT_TRUE(client.read_exact(head, 256 * 1024).ok());
    EXPECT_EQ(find_pattern_mismatch(1, 0, head.substr(0, kChunk)), std::string::npos);
    ASSERT_TRUE(handler.started.wait());
    client.reset();
  }
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_TRUE(is_reset(closes[0])) << closes[0].describe();
  std::optional<std::error_code> done = handler.send_done.wait();
  ASSERT_TRUE(done.has_value()) << "the pending send's done callback never ran";
  EXPECT_EQ(*done, Errc::closed);

  // A new connection is served as usual.
  LoopbackClient next(fixture.address());
  ASSERT_TRUE(next.connected()) << next.connect_error();
  IoResult r = next.echo_pattern(8, 100 * 1024);
  EXPECT_TRUE(r.ok()) << r.describe();
}

TEST_P(PeerReset, IdleConnectionIsReportedAsReset) {
  RecordingHandler handler;
  ServerFixture fixture(handler, options());
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();
  ASSERT_TRUE(client.echo_pattern(3, 10).ok());
  client.reset();
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_TRUE(is_reset(closes[0])) << closes[0].describe();
}

TEST_P(PeerReset, WhileTheServerReadsAndEchoes) {
  RecordingHandler handler;
  ServerFixture fixture(handler, options());
  for (int round = 0; round < 20; ++round) {
    LoopbackClient client(fixture.address());
    ASSERT_TRUE(client.connected()) << client.connect_error();
    // Send a lot without reading the echo, then reset with data in flight both ways.
    std::string payload = make_pattern(round, 256 * 1024);
    IoResult sent = client.send_all(payload, std::chrono::seconds(5));
    EXPECT_TRUE(sent.ok() || sent.outcome == Outcome::timeout) << sent.describe();
    client.reset();
  }
  auto closes = handler.wait_closes(20);
  ASSERT_EQ(closes.size(), 20u);
  for (const CloseRecord& c : closes) EXPECT_TRUE(is_reset(c)) << c.describe();
  LoopbackClient next(fixture.address());
  ASSERT_TRUE(next.connected());
  EXPECT_TRUE(next.echo_pattern(4, 1000).ok());
}

INSTANTIATE_TEST_SUITE_P(Modes, PeerReset, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

}  // namespace
}  // namespace weft::test
