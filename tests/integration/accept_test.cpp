// Accepting: a burst of connections that piled up in the backlog while the acceptor was
// busy is accepted in full, in both polling modes, with one acceptor loop or reuse_port.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

// Holds the server's main loop (where the acceptor runs) in its first tick until released.
class BusyAcceptor : public RecordingHandler {
 public:
  Duration on_tick() override {
    holding.set(true);
    EXPECT_TRUE(release.wait()) << "the test never released the main loop";
    return kStopTicking;
  }
  OnceValue<bool> holding;
  OnceValue<bool> release;
};

class AcceptBurst : public ::testing::TestWithParam<bool> {};

TEST_P(AcceptBurst, BacklogFullerThanOneEventsBudgetIsAcceptedInFull) {
  constexpr size_t kBurst = 700;  // More than the listener accepts per readiness event.
  BusyAcceptor handler;
  ServerOptions o;
  o.loops = 2;
  o.loop.edge_triggered = GetParam();
  ServerFixture fixture(handler, o);
  ASSERT_TRUE(handler.holding.wait());

  // The kernel completes every handshake; the connections wait in the backlog.
  std::vector<LoopbackClient> clients;
  for (size_t i = 0; i < kBurst; ++i) {
    clients.emplace_back(fixture.address());
    ASSERT_TRUE(clients.back().connected()) << "client " << i << ": " << clients.back().connect_error();
  }
  EXPECT_EQ(handler.opened.value(), 0u);
  handler.release.set(true);

  ASSERT_TRUE(handler.opened.wait_for(kBurst)) << handler.opened.value() << " of " << kBurst << " accepted";
  for (size_t i = 0; i < clients.size(); i += 37) {
    IoResult r = clients[i].echo_pattern(i, 100);
    ASSERT_TRUE(r.ok()) << "client " << i << ": " << r.describe();
  }
  EXPECT_EQ(fixture.server().connection_count(), kBurst);
}

INSTANTIATE_TEST_SUITE_P(Modes, AcceptBurst, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

TEST(AcceptBurst, ReusePortListenersAcceptTheirBacklogs) {
  constexpr size_t kBurst = 700;
  RecordingHandler handler;
  ServerOptions o;
  o.loops = 2;
  o.reuse_port = true;
  o.loop.edge_triggered = true;
  ServerFixture fixture(handler, o);
  // Each I/O loop accepts on its own listener; hold them all while the backlogs fill.
  OnceValue<bool> release;
  Counter holding;
  for (size_t i = 0; i < fixture.server().loop_count(); ++i) {
    fixture.server().loop(i).post([&] {
      holding.add();
      EXPECT_TRUE(release.wait());
    });
  }
  ASSERT_TRUE(holding.wait_for(fixture.server().loop_count()));
  std::vector<LoopbackClient> clients;
  for (size_t i = 0; i < kBurst; ++i) {
    clients.emplace_back(fixture.address());
    ASSERT_TRUE(clients.back().connected());
  }
  release.set(true);
  ASSERT_TRUE(handler.opened.wait_for(kBurst)) << handler.opened.value() << " of " << kBurst << " accepted";
  for (size_t i = 0; i < clients.size(); i += 37) ASSERT_TRUE(clients[i].echo_pattern(i, 100).ok()) << i;
}

}  // namespace
}  // namespace weft::test
