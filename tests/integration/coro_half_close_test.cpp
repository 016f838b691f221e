// The half-close race: a client sends its request and at once shuts its writing side,
// while the coroutine answering it is parked in a write above the high water mark. Every
// byte of every answer arrives, and the connection closes when the coroutine returns.
// Run hundreds of times, several connections at once, since the race depends on timing.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "payload.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

constexpr size_t kReply = 256 * 1024;
constexpr size_t kChunk = 16 * 1024;
constexpr size_t kTrials = 300;
constexpr size_t kAtOnce = 30;

Task<> answer(Stream s) {
  auto request = co_await s.read_until("\n");
  if (!request) co_return;
  const std::string reply = make_pattern(7, kReply);
  // Small marks and buffers park the coroutine in write while the peer's FIN arrives.
  for (size_t at = 0; at < kReply; at += kChunk) {
    if (co_await s.write(std::string_view(reply).substr(at, kChunk))) co_return;
  }
}

TEST(CoroHalfClose, EveryAnswerArrivesWhenThePeerShutsItsSideAtOnce) {
  ServerOptions o = coro_options(2);
  o.send_buffer = 8 * 1024;
  o.high_water_mark = 32 * 1024;
  o.low_water_mark = 8 * 1024;
  CoroFixture fixture(answer, o);
  ClientOptions co;
  co.receive_buffer = 16 * 1024;

  size_t complete = 0;
  for (size_t round = 0; round < kTrials / kAtOnce; ++round) {
    std::vector<LoopbackClient> clients;
    for (size_t i = 0; i < kAtOnce; ++i) {
      clients.emplace_back(fixture.address(), co);
      ASSERT_TRUE(clients.back().connected());
      ASSERT_TRUE(clients.back().send_all("give\n").ok());
      clients.back().shutdown_write();
    }
    for (LoopbackClient& c : clients) {
      std::string got;
      IoResult r = c.read_to_eof(got);
      EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
      EXPECT_EQ(got.size(), kReply);
      if (got.size() == kReply && find_pattern_mismatch(7, 0, got) == std::string::npos) ++complete;
    }
  }
  EXPECT_EQ(complete, kTrials);
  EXPECT_EQ(fixture.server().coroutine_count(), 0u);
}

}  // namespace
}  // namespace weft::test
