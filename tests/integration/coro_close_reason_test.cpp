// Stream::close_reason(): a coroutine learns why its connection closed (peer closed,
// reset, idle, its own close, overflow, a server stop), not only Errc::closed.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Serves each connection by reading until an error, then records the reason.
struct Recorder {
  OnceValue<std::string> result;
  Counter started;
  Task<> run(Stream s) {
    EXPECT_FALSE(s.close_reason().has_value());
    started.add();
    for (;;) {
      auto r = co_await s.read_some();
      if (!r) break;
    }
    auto reason = s.close_reason();
    result.set(reason ? to_string(*reason) : "open");
  }
  // Not a coroutine itself, so its capture is safe.
  CoroServer::Serve serve() {
    return [this](Stream s) { return run(std::move(s)); };
  }
};

TEST(CoroCloseReason, PeerClosed) {
  Recorder rec;
  CoroFixture fixture(rec.serve());
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.send_all("bye").ok());
  client.close();
  EXPECT_EQ(rec.result.wait(), "peer closed");
}

TEST(CoroCloseReason, Reset) {
  Recorder rec;
  CoroFixture fixture(rec.serve());
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(rec.started.wait_for(1));
  client.reset();
  EXPECT_EQ(rec.result.wait(), "reset");
}

TEST(CoroCloseReason, Idle) {
  Recorder rec;
  ServerOptions o = coro_options(1);
  o.idle_timeout = 100ms;
  CoroFixture fixture(rec.serve(), o);
  LoopbackClient client(fixture.address());
  EXPECT_EQ(rec.result.wait(), "idle");
}

TEST(CoroCloseReason, ServerStop) {
  Recorder rec;
  auto fixture = std::make_unique<CoroFixture>(rec.serve());
  LoopbackClient client(fixture->address());
  ASSERT_TRUE(rec.started.wait_for(1));
  fixture->stop();
  EXPECT_EQ(rec.result.peek(), "shutdown");
}

TEST(CoroCloseReason, Overflow) {
  // Sends through a handle are not held back by the high water mark: past max_outbound
  // the connection closes with overflow, and the coroutine's pending read says so.
  Recorder rec;
  OnceValue<StreamHandle> handle;
  ServerOptions o = coro_options(1);
  o.max_outbound = 64 * 1024;
  o.high_water_mark = 32 * 1024;
  o.low_water_mark = 16 * 1024;
  CoroFixture fixture(
      [&](Stream s) -> Task<> {
        handle.set(s.handle());
        co_await rec.run(std::move(s));
      },
      o);
  ClientOptions small;
  small.receive_buffer = 4096;
  LoopbackClient client(fixture.address(), small);
  auto h = handle.wait();
  ASSERT_TRUE(h.has_value());
  OnceValue<std::error_code> failed;
  for (int i = 0; i < 64; ++i) {
    h->send(std::string(16 * 1024, 'x'), [&](std::error_code ec) {
      if (ec) failed.set(ec);
    });
  }
  EXPECT_EQ(failed.wait(), make_error_code(Errc::outbound_overflow));
  EXPECT_EQ(rec.result.wait(), "output overflow");
  client.reset();  // The client reads nothing: let the server's stop not wait on it.
  fixture.stop();  // Before `failed` goes: later sends' done callbacks still run.
}

TEST(CoroCloseReason, OwnClose) {
  OnceValue<std::string> result;
  auto serve = [&](Stream s) -> Task<> {
    (void)co_await s.read_some();
    s.close();
    auto reason = s.close_reason();
    result.set(reason ? to_string(*reason) : "open");
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.send_all("x").ok());
  EXPECT_EQ(result.wait(), "local close");
}

}  // namespace
}  // namespace weft::test
