// Deadlines: with_timeout fires, consumes nothing, and leaves the stream usable; a bounded
// operation that completes first cancels its timer; sleep waits on the loop's timer.

#include <gtest/gtest.h>

#include <string>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

TEST(CoroTimeout, ReadTimesOutAndTheStreamStaysUsable) {
  auto serve = [](Stream s) -> Task<> {
    for (;;) {
      auto line = co_await with_timeout(50ms, s.read_until("\n"));
      if (line.error() == Errc::timeout) {
        if (co_await s.write("timeout\n")) co_return;
        continue;
      }
      if (!line) co_return;
      if (co_await s.write(*line)) co_return;
    }
  };
  CoroFixture fixture(serve, coro_options(1));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::string got;
  ASSERT_TRUE(client.read_exact(got, 8).ok());
  EXPECT_EQ(got, "timeout\n");
  // Half a line, then a timeout: the half is kept, not consumed by the timed-out read.
  ASSERT_TRUE(client.send_all("ab").ok());
  got.clear();
  ASSERT_TRUE(client.read_exact(got, 8).ok());
  EXPECT_EQ(got, "timeout\n");
  ASSERT_TRUE(client.send_all("c\n").ok());
  got.clear();
  ASSERT_TRUE(client.read_exact(got, 4).ok());
  EXPECT_EQ(got, "abc\n");
}

TEST(CoroTimeout, ReadExactIntoABufferReportsWhatItCopied) {
  OnceValue<std::string> result;
  auto serve = [&](Stream s) -> Task<> {
    char buf[10];
    auto [n, ec] = co_await with_timeout(100ms, s.read_exact(buf));
    result.set(std::to_string(n) + " " + ec.message() + " " + std::string(buf, n));
  };
  CoroFixture fixture(serve, coro_options(1));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all("abcd").ok());
  EXPECT_EQ(result.wait(), "4 " + make_error_code(Errc::timeout).message() + " abcd");
}

TEST(CoroTimeout, CompletedOperationsCancelTheirTimers) {
  OnceValue<int> done;
  auto serve = [&](Stream s) -> Task<> {
    int ok = 0;
    for (int i = 0; i < 100; ++i) {
      auto data = co_await with_timeout(30ms, s.read_exact(1));
      if (!data) break;
      ++ok;
    }
    // Had a timer outlived its operation, it would fire into a dead awaiter by now.
    co_await sleep(60ms);
    done.set(ok);
  };
  CoroFixture fixture(serve, coro_options(1));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all(std::string(100, 'x')).ok());
  EXPECT_EQ(done.wait(), 100);
}

TEST(CoroTimeout, SleepWaitsAtLeastItsDuration) {
  CoroServer server([](Stream) -> Task<> { co_return; }, coro_options(1));
  server.start();
  auto elapsed = run_on_loop(server, []() -> Task<int64_t> {
    auto start = Clock::now();
    if (co_await sleep(30ms)) co_return -1;
    co_await sleep(0ms);  // Yields for one iteration.
    co_return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  });
  ASSERT_TRUE(elapsed.has_value());
  EXPECT_GE(*elapsed, 30);
  EXPECT_LT(*elapsed, 5000);
  server.stop();
  server.wait();
}

// The loop's clock is read once per iteration; a sleep that starts late in a long iteration
// still lasts its whole duration from the call.
TEST(CoroTimeout, SleepCountsFromTheCallNotFromTheIterationStart) {
  CoroServer server([](Stream) -> Task<> { co_return; }, coro_options(1));
  server.start();
  auto elapsed = run_on_loop(server, []() -> Task<int64_t> {
    co_await sleep(0ms);  // Start at the top of an iteration...
    auto busy_until = Clock::now() + 40ms;
    while (Clock::now() < busy_until) {
    }  // ... and spend 40 ms of it, as a long callback would.
    auto start = Clock::now();
    if (co_await sleep(30ms)) co_return -1;
    co_return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  });
  ASSERT_TRUE(elapsed.has_value());
  EXPECT_GE(*elapsed, 30);
  server.stop();
  server.wait();
}

TEST(CoroTimeout, WithTimeoutBoundsASleep) {
  CoroServer server([](Stream) -> Task<> { co_return; }, coro_options(1));
  server.start();
  auto ec = run_on_loop(server, []() -> Task<std::error_code> { co_return co_await with_timeout(10ms, sleep(1h)); });
  EXPECT_EQ(ec, make_error_code(Errc::timeout));
  server.stop();
  server.wait();
}

TEST(CoroTimeout, SleepOutsideAWeftCoroutineIsNotSupported) {
  std::error_code ec;
  auto body = [&ec]() -> detail::Root { ec = co_await sleep(1ms); };
  body().release().resume();  // A bare root with no loop: completes at once.
  EXPECT_EQ(ec, std::make_error_code(std::errc::operation_not_supported));
}

}  // namespace
}  // namespace weft::test
