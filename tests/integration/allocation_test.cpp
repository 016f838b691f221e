// Steady-state allocations on the echo path: after a warm-up, thousands of small echo
// round trips allocate nothing anywhere in the process (engine threads included), counted
// by the operator new of counting_new.h. The same for a UDP echo (UdpServer): no
// allocation per datagram.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "counting_new.h"
#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"
#include "weft/net/udp.h"

namespace weft::test {
namespace {

// Turns counting on and checks that an allocation on `loop`'s thread is counted.
void expect_loop_allocations_counted(EventLoop& loop) {
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
}

// Runs fn (which returns whether it succeeded) with counting on; the allocations made
// meanwhile anywhere in the process.
template <class F>
size_t allocations_during(F fn, bool& ok) {
  g_allocations.store(0);
  g_counting.store(true);
  ok = fn();
  g_counting.store(false);
  return g_allocations.load();
}

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
  ASSERT_NO_FATAL_FAILURE(expect_loop_allocations_counted(fixture.server().loop(0)));

  constexpr size_t kRoundTrips = 10000;
  bool ok = false;
  size_t allocations = allocations_during([&] { return round_trips(client, kRoundTrips, out, in); }, ok);

  ASSERT_TRUE(ok) << "measured round trips failed";
  EXPECT_EQ(allocations, 0u) << allocations << " allocations in " << kRoundTrips << " echo round trips";
  RecordProperty("allocations", static_cast<int>(allocations));
}

INSTANTIATE_TEST_SUITE_P(Modes, SteadyStateAllocations, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

class UdpEcho final : public DatagramHandler {
  void on_datagram(UdpSocket& s, std::string_view data, const Address& from, bool) override { s.send_to(data, from); }
};

// n datagrams of 64 bytes, each awaited back, from a connected socket; false on any failure.
bool datagram_round_trips(int fd, size_t n, char (&out)[64], char (&in)[64]) {
  for (size_t i = 0; i < n; ++i) {
    out[0] = static_cast<char>(i);
    if (::send(fd, out, sizeof out, 0) != static_cast<ssize_t>(sizeof out)) return false;
    if (::recv(fd, in, sizeof in, 0) != static_cast<ssize_t>(sizeof in)) return false;
    if (in[0] != out[0] || in[63] != out[63]) return false;
  }
  return true;
}

TEST(UdpSteadyStateAllocations, EchoAllocatesNothingPerDatagram) {
  UdpEcho echo;
  UdpServer server(echo, {});
  server.listen("udp://127.0.0.1:0");
  server.start();
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval five{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
  ASSERT_EQ(::connect(fd, server.address().sockaddr_ptr(), server.address().length()), 0);
  char out[64];
  char in[64];
  for (size_t i = 0; i < sizeof out; ++i) out[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(datagram_round_trips(fd, 2000, out, in)) << "warm-up failed";
  ASSERT_NO_FATAL_FAILURE(expect_loop_allocations_counted(server.loop(0)));

  constexpr size_t kRoundTrips = 10000;
  bool ok = false;
  size_t allocations = allocations_during([&] { return datagram_round_trips(fd, kRoundTrips, out, in); }, ok);
  ::close(fd);

  ASSERT_TRUE(ok) << "measured round trips failed";
  EXPECT_EQ(allocations, 0u) << allocations << " allocations in " << kRoundTrips << " datagram round trips";
}

}  // namespace
}  // namespace weft::test
