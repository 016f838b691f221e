// max_connections: connections beyond the limit are closed at once, without reaching the
// handler; once connections close, new ones are served again.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/log.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

constexpr size_t kLimit = 10;

class MaxConnections : public ::testing::TestWithParam<bool> {
 protected:
  ServerOptions options() const {
    ServerOptions o;
    o.loops = 2;
    o.max_connections = kLimit;
    o.reuse_port = GetParam();
    return o;
  }
  void sync_all(Server& server) {
    for (size_t i = 0; i < server.loop_count(); ++i) ASSERT_TRUE(sync_with_loop(server.loop(i)));
  }
};

bool closed_promptly(const IoResult& r) {
  return r.outcome == Outcome::eof || r.outcome == Outcome::reset;
}

TEST_P(MaxConnections, BeyondTheLimitAreClosedAndBelowItServedAgain) {
  set_log_level(LogLevel::error);  // The refusal warning is expected.
  RecordingHandler handler;
  ServerFixture fixture(handler, options());
  std::vector<LoopbackClient> clients;
  for (size_t i = 0; i < kLimit; ++i) {
    clients.emplace_back(fixture.address());
    ASSERT_TRUE(clients.back().connected());
    ASSERT_TRUE(clients.back().echo_pattern(i, 100).ok()) << "client " << i;
  }
  EXPECT_EQ(fixture.server().connection_count(), kLimit);

  // Over the limit: the kernel completes the handshake, the server closes at once.
  for (int i = 0; i < 5; ++i) {
    LoopbackClient extra(fixture.address());
    ASSERT_TRUE(extra.connected());
    IoResult r = extra.wait_closed(std::chrono::seconds(5));
    EXPECT_TRUE(closed_promptly(r)) << "extra connection " << i << ": " << r.describe();
    EXPECT_EQ(r.bytes, 0u);
  }
  EXPECT_EQ(handler.opened.value(), kLimit) << "a refused connection reached on_open";
  EXPECT_EQ(fixture.server().connection_count(), kLimit);
  for (auto& c : clients) ASSERT_TRUE(c.echo_pattern(7, 100).ok()) << "an admitted connection broke";

  // Two leave; two more are served, and the next one is refused again.
  clients[3].close();
  clients[7].close();
  ASSERT_EQ(handler.wait_closes(2).size(), 2u);
  sync_all(fixture.server());
  EXPECT_EQ(fixture.server().connection_count(), kLimit - 2);
  for (int i = 0; i < 2; ++i) {
    clients[i == 0 ? 3 : 7] = LoopbackClient(fixture.address());
    ASSERT_TRUE(clients[i == 0 ? 3 : 7].connected());
    EXPECT_TRUE(clients[i == 0 ? 3 : 7].echo_pattern(50 + i, 10000).ok());
  }
  ASSERT_TRUE(handler.opened.wait_for(kLimit + 2));
  LoopbackClient extra(fixture.address());
  ASSERT_TRUE(extra.connected());
  EXPECT_TRUE(closed_promptly(extra.wait_closed(std::chrono::seconds(5))));

  // All leave: the limit is a count of open connections, not a lifetime quota.
  clients.clear();
  ASSERT_EQ(handler.wait_closes(kLimit + 2).size(), kLimit + 2);
  sync_all(fixture.server());
  for (size_t i = 0; i < kLimit; ++i) {
    clients.emplace_back(fixture.address());
    ASSERT_TRUE(clients.back().connected());
    EXPECT_TRUE(clients.back().echo_pattern(i, 100).ok()) << "client " << i << " after all left";
  }
  set_log_level(LogLevel::info);
}

INSTANTIATE_TEST_SUITE_P(Accept, MaxConnections, ::testing::Bool(), [](const auto& param_info) {
  return std::string(param_info.param ? "reuse_port" : "acceptor");
});

}  // namespace
}  // namespace weft::test
