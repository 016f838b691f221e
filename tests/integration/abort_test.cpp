// Conn::abort() and ConnHandle::abort() close at once with a reset: queued output is
// dropped, the peer sees ECONNRESET, and on_close reports a local close. close() keeps its
// flush-then-close meaning.

#include <gtest/gtest.h>

#include <string>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

constexpr size_t kQueued = 8 * 1024 * 1024;

// On "abort" or "close" queues a large reply the slow client cannot take at once, then
// ends the connection that way; on "handle" it aborts through a handle from another task.
class Ender : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    std::string_view cmd = conn.read();
    conn.write(std::string(kQueued, 'q'));
    if (cmd == "abort") {
      conn.abort();
    } else if (cmd == "close") {
      conn.close();
    } else if (cmd == "handle") {
      conn.handle().abort();
    }
  }
};

ServerOptions options() {
  ServerOptions o;
  o.loops = 1;
  o.send_buffer = 64 * 1024;
  o.high_water_mark = 2 * kQueued;
  return o;
}

class Abort : public ::testing::TestWithParam<std::string> {};

TEST_P(Abort, ResetsAndDropsQueuedOutput) {
  Ender handler;
  ServerFixture fixture(handler, options());
  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  ASSERT_TRUE(client.send_all(GetParam()).ok());

  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::local) << closes[0].describe();
  std::string got;
  IoResult r = client.read_to_eof(got);
  EXPECT_EQ(r.outcome, Outcome::reset) << r.describe();
  EXPECT_LT(got.size(), kQueued) << "an aborted connection delivered its queued output";
}

INSTANTIATE_TEST_SUITE_P(Callers, Abort, ::testing::Values("abort", "handle"));

TEST(Abort, CloseStillFlushesFirst) {
  Ender handler;
  ServerFixture fixture(handler, options());
  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  ASSERT_TRUE(client.send_all("close").ok());
  std::string got;
  IoResult r = client.read_to_eof(got);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(got.size(), kQueued);
}

}  // namespace
}  // namespace weft::test
