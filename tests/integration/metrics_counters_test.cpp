// The engine's counters against known traffic: exact connections, bytes and close
// reasons after a scripted run, read through a Registry snapshot as an exporter does.

#include <gtest/gtest.h>

#include <string>

#include "loopback_client.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/metrics/registry.h"
#include "weft/net/handler.h"

namespace weft {
namespace {

using test::kWait;

// Echoes; closes the connection (reason local) when a line is "bye".
class EchoOrBye final : public Handler {
 public:
  void on_traffic(Conn& conn) override {
    std::string data(conn.read());
    if (data == "bye\n") {
      conn.close();
      return;
    }
    conn.write(data);
  }
  void on_close(Conn&, CloseReason, std::error_code) override { closed.add(); }
  test::Counter closed;
};

metrics::Snapshot totals(metrics::Registry& registry, metrics::LoopSample& sum) {
  metrics::Snapshot s = registry.snapshot();
  sum = {};
  for (const auto& l : s.loops) {
    sum.accepted += l.accepted;
    sum.open += l.open;
    sum.bytes_in += l.bytes_in;
    sum.bytes_out += l.bytes_out;
    sum.reads += l.reads;
    sum.writes += l.writes;
    for (size_t r = 0; r < kCloseReasonCount; ++r) sum.closed[r] += l.closed[r];
  }
  return s;
}

TEST(MetricsCounters, ExactAfterAScriptedRun) {
  EchoOrBye handler;
  ServerOptions options;
  options.loops = 2;
  options.linger_timeout = Duration::zero();
  test::ServerFixture fixture(handler, options);
  metrics::Registry registry;
  registry.watch(fixture.server(), "echo");

  constexpr size_t kPeers = 6;
  constexpr size_t kBytes = 100000;
  {
    std::vector<test::LoopbackClient> clients;
    for (size_t i = 0; i < kPeers; ++i) {
      clients.emplace_back(fixture.address());
      ASSERT_TRUE(clients.back().connected());
    }
    for (size_t i = 0; i < kPeers; ++i) ASSERT_TRUE(clients[i].echo_pattern(i, kBytes).ok());
    metrics::LoopSample sum;
    metrics::Snapshot s = totals(registry, sum);
    // The client may read the echo before the loop has added the bytes it sent.
    for (TimePoint end = Clock::now() + kWait; sum.bytes_out < kPeers * kBytes && Clock::now() < end;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      s = totals(registry, sum);
    }
    ASSERT_EQ(s.loops.size(), 2u);
    EXPECT_EQ(sum.accepted, kPeers);
    EXPECT_EQ(sum.open, kPeers);
    EXPECT_EQ(sum.bytes_in, kPeers * kBytes);
    EXPECT_EQ(sum.bytes_out, kPeers * kBytes);
    EXPECT_GE(sum.reads, kPeers);
    // Two peers close: one says bye (local), one resets; the rest end their side (peer_closed).
    ASSERT_TRUE(clients[0].send_all("bye\n").ok());
    EXPECT_EQ(clients[0].wait_closed().outcome, test::Outcome::eof);
    clients[1].reset();
    for (size_t i = 2; i < kPeers; ++i) clients[i].close();
    ASSERT_TRUE(handler.closed.wait_for(kPeers));
  }
  metrics::LoopSample sum;
  // The last finalize may still be finishing its bookkeeping when on_close returns.
  for (TimePoint end = Clock::now() + kWait; Clock::now() < end;) {
    totals(registry, sum);
    if (sum.open == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  totals(registry, sum);
  EXPECT_EQ(sum.open, 0u);
  EXPECT_EQ(sum.accepted, kPeers);
  EXPECT_EQ(sum.bytes_in, kPeers * kBytes + 4);
  EXPECT_EQ(sum.bytes_out, kPeers * kBytes);
  EXPECT_EQ(sum.closed[static_cast<size_t>(CloseReason::local)], 1u);
  EXPECT_EQ(
      sum.closed[static_cast<size_t>(CloseReason::reset)] + sum.closed[static_cast<size_t>(CloseReason::peer_closed)],
      kPeers - 1);
  EXPECT_GE(sum.closed[static_cast<size_t>(CloseReason::peer_closed)], kPeers - 2);
}

TEST(MetricsCounters, LoopStatsMoveAndSamplingSeesQueuedOutput) {
  // A handler that queues 1 MiB for a peer that never reads: sampling must see it queued
  // and above the high water mark.
  class Flood final : public Handler {
   public:
    void on_open(Conn& conn) override { conn.write(std::string(1 << 20, 'x')); }
  } handler;
  ServerOptions options;
  options.loops = 1;
  options.high_water_mark = 64 * 1024;
  options.low_water_mark = 16 * 1024;
  options.send_buffer = 4096;  // Keep the kernel from absorbing the flood.
  test::ServerFixture fixture(handler, options);
  metrics::Registry registry;
  registry.watch(fixture.server(), "flood");
  test::ClientOptions small;
  small.receive_buffer = 4096;
  test::LoopbackClient client(fixture.address(), small);
  ASSERT_TRUE(client.connected());
  metrics::Snapshot s;
  for (TimePoint end = Clock::now() + kWait; Clock::now() < end;) {
    registry.sample_connections();
    s = registry.snapshot();
    if (!s.loops.empty() && s.loops[0].over_high_water == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(s.loops.size(), 1u);
  const metrics::LoopSample& l = s.loops[0];
  EXPECT_EQ(l.over_high_water, 1u);
  EXPECT_GT(l.outbound_queued, 512u * 1024);
  EXPECT_LE(l.outbound_queued, 1u << 20);
  EXPECT_GT(l.blocks_in_use, 0u);
  EXPECT_GT(l.iterations, 0u);
  EXPECT_GT(l.iteration_ns.count(), 0u);
  EXPECT_EQ(l.high_water, 1u);
  ASSERT_EQ(s.busiest.size(), 1u);
  EXPECT_EQ(s.busiest[0].queued, l.outbound_queued);
  EXPECT_EQ(s.busiest[0].remote, client.local_address().to_string());
}

}  // namespace
}  // namespace weft
