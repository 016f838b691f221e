// Reconnector: backoff delays within their bounds against a refused port, the attempt
// limit, reconnecting after the server closes the connection, and stop() ending it all.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <vector>

#include "ports.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/core/error.h"
#include "weft/net/reconnect.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(Backoff, FullJitterGrowsToTheCap) {
  Backoff b{.initial = 100ms, .max = 1s, .multiplier = 2.0};
  const uint64_t top = ~uint64_t{0};
  EXPECT_EQ(backoff_delay(b, 1, 0), Duration::zero());
  EXPECT_NEAR(std::chrono::duration<double>(backoff_delay(b, 1, top)).count(), 0.1, 0.001);
  EXPECT_NEAR(std::chrono::duration<double>(backoff_delay(b, 2, top)).count(), 0.2, 0.001);
  EXPECT_NEAR(std::chrono::duration<double>(backoff_delay(b, 4, top)).count(), 0.8, 0.001);
  EXPECT_NEAR(std::chrono::duration<double>(backoff_delay(b, 5, top)).count(), 1.0, 0.001);
  EXPECT_NEAR(std::chrono::duration<double>(backoff_delay(b, 1000, top)).count(), 1.0, 0.001);
  EXPECT_NEAR(std::chrono::duration<double>(backoff_delay(b, 3, top / 2)).count(), 0.2, 0.001);
}

TEST(Reconnector, BacksOffWithinBoundsAndGivesUp) {
  Handler quiet;
  std::mutex mutex;
  std::vector<Clock::time_point> attempts;
  std::vector<Duration> delays;
  OnceValue<std::error_code> gave_up;
  ReconnectHooks hooks;
  hooks.on_attempt = [&](size_t) {
    std::lock_guard lock(mutex);
    attempts.push_back(Clock::now());
  };
  hooks.on_failure = [&](std::error_code ec, size_t, Duration delay) {
    EXPECT_EQ(ec, std::errc::connection_refused);
    std::lock_guard lock(mutex);
    delays.push_back(delay);
  };
  hooks.on_give_up = [&](std::error_code ec) { gave_up.set(ec); };
  Reconnector r(quiet, refused_url(), {.initial = 20ms, .max = 60ms, .multiplier = 2.0, .max_attempts = 6}, hooks);
  r.start();
  auto ec = gave_up.wait();
  ASSERT_TRUE(ec.has_value());
  EXPECT_EQ(*ec, std::errc::connection_refused);
  std::lock_guard lock(mutex);
  ASSERT_EQ(attempts.size(), 6u);
  ASSERT_EQ(delays.size(), 5u);
  const Duration caps[] = {20ms, 40ms, 60ms, 60ms, 60ms};
  for (size_t i = 0; i < delays.size(); ++i) {
    EXPECT_GE(delays[i], Duration::zero());
    EXPECT_LE(delays[i], caps[i]);
    // The next attempt came no sooner than its delay (and not absurdly later).
    auto gap = attempts[i + 1] - attempts[i];
    EXPECT_GE(gap, delays[i]);
    EXPECT_LT(gap, delays[i] + 2s);
  }
  EXPECT_TRUE(r.connection().empty());
}

// The server closes every connection at once: the reconnector comes back each time.
class Closer : public RecordingHandler {
 public:
  void on_open(Conn& c) override {
    RecordingHandler::on_open(c);
    c.close();
  }
};

TEST(Reconnector, ReconnectsAfterTheServerCloses) {
  Closer closer;
  ServerFixture server(closer);
  RecordingHandler mine;
  Counter connected;
  ReconnectHooks hooks;
  hooks.on_connected = [&](Conn&) { connected.add(); };
  Reconnector r(mine, server.address().to_string(), {.initial = 1ms, .max = 10ms}, hooks);
  r.start();
  EXPECT_TRUE(connected.wait_for(3));
  EXPECT_TRUE(closer.opened.wait_for(3));
  r.stop();
  r.wait();
  EXPECT_GE(mine.closed.value(), 2u);
  EXPECT_TRUE(r.connection().empty());
}

TEST(Reconnector, HoldsAConnectionUntilStopped) {
  RecordingHandler echo;
  ServerFixture server(echo);
  RecordingHandler mine;
  Reconnector r(mine, server.address().to_string());
  r.start();
  ASSERT_TRUE(mine.opened.wait_for(1));
  ConnHandle c = r.connection();
  EXPECT_FALSE(c.empty());
  r.stop();
  r.wait();
  EXPECT_TRUE(mine.closed.wait_for(1));
  auto closes = mine.close_records();
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::shutdown);
  EXPECT_EQ(mine.opened.value(), 1u);
  EXPECT_TRUE(r.connection().empty());
}

}  // namespace
}  // namespace weft::test
