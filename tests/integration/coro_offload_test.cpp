// offload: the function runs on a worker thread and the coroutine resumes on its own loop
// thread with the result or the exception; a close while it runs is seen afterwards.

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

TEST(CoroOffload, RunsOnAWorkerAndResumesOnTheSameLoopThread) {
  CoroServer server([](Stream) -> Task<> { co_return; }, coro_options(2));
  server.start();
  for (size_t loop = 0; loop < 2; ++loop) {
    auto loop_id = call_on_loop(server.server().loop(loop), [] { return std::this_thread::get_id(); });
    ASSERT_TRUE(loop_id.has_value());
    auto result = run_on_loop(
        server,
        []() -> Task<std::string> {
          std::thread::id before = std::this_thread::get_id();
          std::thread::id worker = co_await offload([] { return std::this_thread::get_id(); });
          std::thread::id after = std::this_thread::get_id();
          if (worker == before) co_return "ran on the loop";
          if (after != before) co_return "resumed elsewhere";
          co_return "ok";
        },
        loop);
    EXPECT_EQ(result, "ok") << "loop " << loop;
    // The coroutine was on that loop's thread to begin with.
    auto same = run_on_loop(
        server, [id = *loop_id]() -> Task<bool> { co_return std::this_thread::get_id() == id; }, loop);
    EXPECT_EQ(same, true);
  }
  server.stop();
  server.wait();
}

TEST(CoroOffload, ResultsAndExceptions) {
  CoroServer server([](Stream) -> Task<> { co_return; }, coro_options(1), CoroOptions{.workers = 2});
  server.start();
  auto result = run_on_loop(server, []() -> Task<std::string> {
    std::unique_ptr<int> p = co_await offload([] { return std::make_unique<int>(41); });
    co_await offload([&p] { ++*p; });  // void, touching the coroutine's own local.
    try {
      co_await offload([]() -> int { throw std::runtime_error("worker failed"); });
    } catch (const std::runtime_error& e) {
      co_return std::to_string(*p) + " " + e.what();
    }
    co_return "no exception";
  });
  EXPECT_EQ(result, "42 worker failed");
  EXPECT_EQ(server.workers().size(), 2u);
  server.stop();
  server.wait();
}

TEST(CoroOffload, AResetDuringAnOffloadIsSeenAfterIt) {
  Counter in_offload;
  Counter release;
  OnceValue<std::string> result;
  auto serve = [&](Stream s) -> Task<> {
    int v = co_await offload([&] {
      in_offload.add();
      release.wait_for(1);
      return 7;
    });
    std::error_code ec = co_await s.write("late");
    result.set(std::to_string(v) + " " + ec.message());
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(in_offload.wait_for(1));
  client.reset();
  // The reset is noticed while the function runs; it still finishes and returns.
  Server& server = fixture.server().server();
  for (int i = 0; i < 1000 && server.connection_count() != 0; ++i) {
    ASSERT_TRUE(sync_with_loop(server.loop(0)) && sync_with_loop(server.loop(1)));
  }
  ASSERT_EQ(server.connection_count(), 0u);
  release.add();
  EXPECT_EQ(result.wait(), "7 " + make_error_code(Errc::closed).message());
}

TEST(CoroOffload, StopWaitsForARunningOffload) {
  Counter in_offload;
  OnceValue<int> result;
  auto serve = [&](Stream) -> Task<> {
    result.set(co_await offload([&] {
      in_offload.add();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // The blocking work.
      return 1;
    }));
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(in_offload.wait_for(1));
  fixture.stop();
  EXPECT_EQ(result.peek(), 1);
  EXPECT_EQ(fixture.server().coroutine_count(), 0u);
}

}  // namespace
}  // namespace weft::test
