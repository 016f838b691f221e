// Idle timeout: a connection with no traffic for longer than idle_timeout is closed with
// reason idle and Errc::idle_timeout; one with steady traffic is left alone.

#include <gtest/gtest.h>
#include <poll.h>

#include <string>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

using std::chrono::milliseconds;

class IdleTimeout : public ::testing::TestWithParam<bool> {
 protected:
  ServerOptions options() const {
    ServerOptions o;
    o.loops = 1;
    o.idle_timeout = milliseconds(200);
    o.loop.edge_triggered = GetParam();
    return o;
  }
};

TEST_P(IdleTimeout, IdleConnectionIsClosedActiveOneIsNot) {
  RecordingHandler handler;
  ServerFixture fixture(handler, options());
  LoopbackClient active(fixture.address());
  ASSERT_TRUE(active.connected());
  TimePoint opened = Clock::now();
  LoopbackClient idle(fixture.address());
  ASSERT_TRUE(idle.connected());

  // The active client sends a byte every 50 ms for a second and gets each one back.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(active.send_all("x").ok());
    char c = 0;
    IoResult r = active.read_exact(&c, 1);
    ASSERT_TRUE(r.ok()) << "active connection, round " << i << ": " << r.describe();
    ::poll(nullptr, 0, 50);
  }

  // By now the idle one has been closed from the server's side.
  IoResult closed = idle.wait_closed(std::chrono::seconds(5));
  EXPECT_EQ(closed.outcome, Outcome::eof) << closed.describe();
  EXPECT_GE(Clock::now() - opened, milliseconds(200));
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::idle) << closes[0].describe();
  EXPECT_EQ(closes[0].error, Errc::idle_timeout);

  // The active one is still served.
  EXPECT_TRUE(active.echo_pattern(5, 1000).ok());
  EXPECT_EQ(handler.closed.value(), 1u);
}

TEST_P(IdleTimeout, IsMeasuredFromTheLastActivity) {
  RecordingHandler handler;
  ServerFixture fixture(handler, options());
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.echo_pattern(1, 100).ok());
  TimePoint last = Clock::now();
  IoResult closed = client.wait_closed(std::chrono::seconds(5));
  EXPECT_EQ(closed.outcome, Outcome::eof) << closed.describe();
  EXPECT_GE(Clock::now() - last, milliseconds(190)) << "closed before the idle timeout passed";
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::idle);
}

TEST_P(IdleTimeout, ManyIdleConnectionsAreAllClosed) {
  RecordingHandler handler;
  ServerFixture fixture(handler, options());
  std::vector<LoopbackClient> clients;
  for (int i = 0; i < 50; ++i) {
    clients.emplace_back(fixture.address());
    ASSERT_TRUE(clients.back().connected());
  }
  for (auto& c : clients) EXPECT_EQ(c.wait_closed(std::chrono::seconds(5)).outcome, Outcome::eof);
  auto closes = handler.wait_closes(50);
  ASSERT_EQ(closes.size(), 50u);
  for (const CloseRecord& c : closes) EXPECT_EQ(c.reason, CloseReason::idle) << c.describe();
}

INSTANTIATE_TEST_SUITE_P(Modes, IdleTimeout, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

}  // namespace
}  // namespace weft::test
