// Steady-state allocations on the echo path: after a warm-up, thousands of small echo
// round trips allocate nothing anywhere in the process (engine threads included), counted
// by the operator new of counting_new.h.

#include <gtest/gtest.h>

#include "counting_new.h"
#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

// Runs n round trips of 64 bytes with preallocated buffers; returns false on any failure.
bool round_trips(LoopbackClient& client, size_t n, char (&out)[64], char (&in)[64]) {
  for (size_t i = 0; i < n; ++i) {
    out[0] = static_cast<char>(i);
    if (!client.send_all(std::string_view(out, sizeof out)).ok()) return false;
    if (!client.read_exact(in, sizeof in).ok()) return false;
    if (in[0] != out[0] || in[63] != out[63]) return false;
  }
  return true;
}

class SteadyStateAllocations : public ::testing::TestWithParam<bool> {};

TEST_P(SteadyStateAllocations, EchoRoundTripsAllocateNothing) {
  RecordingHandler handler;
  ServerOptions o;
  o.loops = 1;
  o.loop.edge_triggered = GetParam();
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  char out[64];
  char in[64];
  for (size_t i = 0; i < sizeof out; ++i) out[i] = static_cast<char>('a' + i % 26);

  ASSERT_TRUE(round_trips(client, 5000, out, in)) << "warm-up failed";

  // The counter sees allocations made on the loop thread.
  EventLoop& loop = fixture.server().loop(0);
  OnceValue<bool> go, allocated;
  g_allocations.store(0);
  g_counting.store(true);
  loop.post([&go, &allocated] {
    go.wait();
    for (int i = 0; i < 3; ++i) delete new int(i);
    allocated.set(true);
  });
  size_t before = g_allocations.load();  // Posting the task may allocate too.
  go.set(true);
  ASSERT_TRUE(allocated.wait());
  g_counting.store(false);
  ASSERT_GE(g_allocations.load(), before + 3) << "allocations on the loop thread are not counted";

  constexpr size_t kRoundTrips = 10000;
  g_allocations.store(0);
  g_counting.store(true);
  bool ok = round_trips(client, kRoundTrips, out, in);
  g_counting.store(false);
  size_t allocations = g_allocations.load();

  ASSERT_TRUE(ok) << "measured round trips failed";
  EXPECT_EQ(allocations, 0u) << allocations << " allocations in " << kRoundTrips << " echo round trips";
  RecordProperty("allocations", static_cast<int>(allocations));
}

INSTANTIATE_TEST_SUITE_P(Modes, SteadyStateAllocations, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

}  // namespace
}  // namespace weft::test
