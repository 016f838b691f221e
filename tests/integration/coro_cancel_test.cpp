// Cancellation and failure: a peer's end of file ends reads after every byte before it
// (Errc::end_of_input) and leaves the coroutine running; a reset and a server stop
// complete pending awaits with Errc::closed; an exception ends only its own connection; a coroutine that never wakes
// is destroyed at the shutdown deadline; spawned lambdas keep their captures alive.

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "weft/core/log.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

TEST(CoroCancel, PeerEndOfFileEndsAPendingReadAfterItsBytes) {
  OnceValue<std::string> result;
  auto serve = [&](Stream s) -> Task<> {
    auto line = co_await s.read_until("\n");
    std::string seen = line.error().message();
    auto rest = co_await s.read_some();  // The bytes before the end of file are all there.
    if (rest) seen += "|" + std::string(*rest);
    auto after = co_await s.read_some();
    seen += "|" + after.error().message();
    result.set(seen);
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all("no newline").ok());
  client.shutdown_write();
  std::string eoi = make_error_code(Errc::end_of_input).message();
  EXPECT_EQ(result.wait(), eoi + "|no newline|" + eoi);
}

TEST(CoroCancel, PeerEndOfFileLeavesASleepingCoroutineToAnswer) {
  Counter sleeping;
  auto serve = [&](Stream s) -> Task<> {
    sleeping.add();
    co_await sleep(50ms);
    co_await s.write("answer after the peer's end of file\n");
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(sleeping.wait_for(1));
  client.shutdown_write();
  std::string got;
  EXPECT_EQ(client.read_to_eof(got).outcome, Outcome::eof);
  EXPECT_EQ(got, "answer after the peer's end of file\n");
}

TEST(CoroCancel, PeerResetCancelsASleepAndLaterAwaits) {
  Counter sleeping;
  OnceValue<std::string> result;
  auto serve = [&](Stream s) -> Task<> {
    sleeping.add();
    std::error_code slept = co_await sleep(1h);
    std::error_code again = co_await sleep(1ms);  // The coroutine stays cancelled.
    std::error_code wrote = co_await s.write("late");
    result.set(slept.message() + "|" + again.message() + "|" + wrote.message());
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(sleeping.wait_for(1));
  client.reset();
  std::string closed = make_error_code(Errc::closed).message();
  EXPECT_EQ(result.wait(), closed + "|" + closed + "|" + closed);
}

TEST(CoroCancel, ServerStopCancelsEveryCoroutine) {
  constexpr size_t kClients = 50;
  Counter started;
  Counter saw_closed;
  auto serve = [&](Stream s) -> Task<> {
    started.add();
    auto r = co_await s.read_some();
    if (r.error() == Errc::closed) saw_closed.add();
  };
  auto fixture = std::make_unique<CoroFixture>(serve);
  // A spawned coroutine with nothing to do with any connection is cancelled too.
  OnceValue<std::error_code> spawned;
  ASSERT_TRUE(fixture->server().spawn([&spawned]() -> Task<> { spawned.set(co_await sleep(1h)); }));
  std::vector<LoopbackClient> clients;
  for (size_t i = 0; i < kClients; ++i) {
    clients.emplace_back(fixture->address());
    ASSERT_TRUE(clients.back().connected());
  }
  ASSERT_TRUE(started.wait_for(kClients));
  fixture->stop();  // Bounded: aborts if the stop hangs.
  EXPECT_EQ(saw_closed.value(), kClients);
  EXPECT_EQ(spawned.peek(), make_error_code(Errc::closed));
  EXPECT_EQ(fixture->server().coroutine_count(), 0u);
  for (auto& c : clients) EXPECT_EQ(c.wait_closed().outcome, Outcome::eof);
}

class LogCapture {
 public:
  LogCapture() {
    set_log_sink([this](LogLevel, std::string_view m) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(m);
    });
  }
  ~LogCapture() { set_log_sink({}); }
  bool contains(const std::string& needle) {
    std::lock_guard lock(mutex_);
    for (auto& l : lines_) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

TEST(CoroCancel, AnExceptionEndsOnlyItsOwnConnection) {
  constexpr size_t kOthers = 100;
  LogCapture log;
  auto serve = [](Stream s) -> Task<> {
    for (;;) {
      auto line = co_await s.read_until("\n");
      if (!line) co_return;
      if (*line == "throw\n") throw std::runtime_error("asked to throw");
      if (co_await s.write(*line)) co_return;
    }
  };
  CoroFixture fixture(serve);
  std::vector<LoopbackClient> others;
  for (size_t i = 0; i < kOthers; ++i) {
    others.emplace_back(fixture.address());
    ASSERT_TRUE(others.back().connected());
    ASSERT_TRUE(others.back().send_all("before\n").ok());
  }
  LoopbackClient victim(fixture.address());
  ASSERT_TRUE(victim.connected());
  ASSERT_TRUE(victim.send_all("throw\n").ok());
  EXPECT_EQ(victim.wait_closed().outcome, Outcome::eof);
  EXPECT_TRUE(log.contains("threw: asked to throw"));
  for (size_t i = 0; i < kOthers; ++i) {
    ASSERT_TRUE(others[i].send_all("after " + std::to_string(i) + "\n").ok());
    std::string expected = "before\nafter " + std::to_string(i) + "\n";
    std::string got;
    IoResult r = others[i].read_exact(got, expected.size());
    ASSERT_TRUE(r.ok()) << "client " << i << ": " << r.describe();
    EXPECT_EQ(got, expected);
  }
}

// Never resumes: not a weft operation, so nothing can cancel it.
struct Forever {
  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<>) const {}
  void await_resume() const {}
};

TEST(CoroCancel, ACoroutineThatNeverWakesIsDestroyedAtTheDeadline) {
  LogCapture log;
  auto destroyed = std::make_shared<Counter>();
  struct Mark {
    std::shared_ptr<Counter> counter;
    ~Mark() { counter->add(); }
  };
  Counter started;
  auto serve = [&](Stream s) -> Task<> {
    Mark mark{destroyed};
    started.add();
    co_await Forever{};
    co_await s.write("unreachable");
  };
  ServerOptions o = coro_options(1);
  o.shutdown_timeout = 100ms;
  CoroFixture fixture(serve, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(started.wait_for(1));
  fixture.stop();
  EXPECT_EQ(destroyed->value(), 1u);  // Its frame, and what it held, were released.
  EXPECT_EQ(fixture.server().coroutine_count(), 0u);
  EXPECT_TRUE(log.contains("destroying them"));
}

// A stop cancels the coroutines and lets them finish on their loops, and no loop sleeps
// meanwhile: the main loop still accepts (and such a connection is closed at once), the
// I/O loop runs posted tasks, and a coroutine still finishing keeps its connection open
// for its last words. run()/wait() return once it ends.
TEST(CoroCancel, LoopsStayResponsiveWhileCoroutinesFinish) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  struct Release {  // However the test ends, the offload is let go.
    std::promise<void>& p;
    bool done = false;
    void now() {
      if (!std::exchange(done, true)) p.set_value();
    }
    ~Release() { now(); }
  } releaser{release};
  Counter reading;
  Counter finishing;
  auto serve = [&](Stream s) -> Task<> {
    reading.add();
    auto r = co_await s.read_some();
    if (r.error() != Errc::closed) co_return;
    finishing.add();
    co_await offload([released] { released.wait(); });
    co_await s.write("bye\n");
  };
  ServerOptions o = coro_options(1);
  o.shutdown_timeout = 20s;  // The test, not the deadline, ends the drain.
  CoroServer server(serve, o);
  server.listen("tcp://127.0.0.1:0");
  server.start();
  LoopbackClient client(server.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(reading.wait_for(1));

  server.stop();
  ASSERT_TRUE(finishing.wait_for(1));
  auto stopped = std::async(std::launch::async, [&] { server.wait(); });
  LoopbackClient late(server.address());
  EXPECT_TRUE(late.connected()) << late.connect_error();
  EXPECT_EQ(late.wait_closed().outcome, Outcome::eof);
  EXPECT_EQ(call_on_loop(server.server().loop(0), [] { return 7; }), 7);
  EXPECT_EQ(stopped.wait_for(0s), std::future_status::timeout);  // Still draining.

  releaser.now();
  std::string got;
  EXPECT_EQ(client.read_to_eof(got).outcome, Outcome::eof);
  EXPECT_EQ(got, "bye\n");
  ASSERT_EQ(stopped.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(server.coroutine_count(), 0u);
}

TEST(CoroCancel, SpawnedLambdasKeepTheirCapturesAlive) {
  CoroServer server([](Stream) -> Task<> { co_return; }, coro_options(2));
  Counter done;
  OnceValue<std::string> text;
  // Built before start(): spawned coroutines run once the server starts.
  for (int i = 0; i < 20; ++i) {
    std::string payload(1000, static_cast<char>('a' + i));
    auto keep = std::make_unique<int>(i);
    ASSERT_TRUE(server.spawn([payload, keep = std::shared_ptr<int>(std::move(keep)), &done, &text]() -> Task<> {
      co_await sleep(1ms);  // The captures are used after the first suspension.
      co_await sleep(1ms);
      if (*keep == 7) text.set(payload.substr(0, 3));
      done.add();
    }));
  }
  server.start();
  EXPECT_TRUE(done.wait_for(20));
  EXPECT_EQ(text.wait(), "hhh");
  server.stop();
  server.wait();
}

TEST(CoroCancel, AServeLambdaWithCapturesLivesWithTheServer) {
  auto prefix = std::make_shared<std::string>("re: ");
  CoroFixture fixture([prefix](Stream s) -> Task<> {
    auto line = co_await s.read_until("\n");
    if (!line) co_return;
    std::string kept(*line);  // A view dies at the next suspension; keep a copy.
    co_await sleep(1ms);
    co_await s.write(*prefix + kept);
  });
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all("hi\n").ok());
  std::string got;
  ASSERT_TRUE(client.read_to_eof(got).outcome == Outcome::eof);
  EXPECT_EQ(got, "re: hi\n");
}

}  // namespace
}  // namespace weft::test
