// SharedBytes: one buffer written to many connections is queued by reference on each,
// delivered whole to each, freed exactly once when the last receiver has sent it, and
// counted against each receiver's output limit.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/core/shared_bytes.h"

namespace weft::test {
namespace {

constexpr size_t kMessage = 256 * 1024;

// Records every connection's handle; the test broadcasts through them.
class Room : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    {
      std::lock_guard lock(mutex_);
      handles_.push_back(conn.handle());
    }
    RecordingHandler::on_open(conn);
  }
  void on_traffic(Conn& conn) override { conn.discard(); }
  std::vector<ConnHandle> handles() {
    std::lock_guard lock(mutex_);
    return handles_;
  }

 private:
  std::mutex mutex_;
  std::vector<ConnHandle> handles_;
};

TEST(Broadcast, OneBufferReachesEveryReceiverAndIsFreedOnce) {
  Room handler;
  ServerOptions o;
  o.loops = 2;
  ServerFixture fixture(handler, o);
  constexpr size_t kReceivers = 20;
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  for (size_t i = 0; i < kReceivers; ++i) {
    clients.push_back(std::make_unique<LoopbackClient>(fixture.address()));
    ASSERT_TRUE(clients.back()->connected());
  }
  ASSERT_TRUE(handler.opened.wait_for(kReceivers));

  Counter sent;
  SharedBytes message = SharedBytes::copy_of(make_pattern(5, kMessage));
  for (ConnHandle& h : handler.handles()) {
    h.send(message, [&](std::error_code ec) {
      EXPECT_FALSE(ec) << ec.message();
      sent.add();
    });
  }
  for (auto& c : clients) {
    std::string got;
    ASSERT_TRUE(c->read_exact(got, kMessage).ok());
    EXPECT_EQ(find_pattern_mismatch(5, 0, got), std::string::npos);
  }
  ASSERT_TRUE(sent.wait_for(kReceivers));
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(0)));
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(1)));
  EXPECT_EQ(message.use_count(), 1u) << "every receiver released its reference once sent";
}

TEST(Broadcast, AQueuedSendHoldsAReferenceNotACopy) {
  Room handler;
  ServerOptions o;
  o.loops = 1;
  o.send_buffer = 64 * 1024;
  ServerFixture fixture(handler, o);
  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  LoopbackClient slow(fixture.address(), co);  // Reads only at the end.
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(handler.opened.wait_for(1));

  SharedBytes message = SharedBytes::copy_of(std::string(4 * kMessage, 's'));
  handler.handles().front().send(message);
  handler.handles().front().send(message);
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(0)));
  EXPECT_EQ(message.use_count(), 3u) << "each queued send holds one reference to the same bytes";
  std::string got;
  ASSERT_TRUE(slow.read_exact(got, 2 * message.size()).ok());
  EXPECT_EQ(got, std::string(message.view()) + std::string(message.view()));
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(0)));
  EXPECT_EQ(message.use_count(), 1u);
}

TEST(Broadcast, TheLastReferenceFreesTheBytes) {
  SharedBytes a = SharedBytes::copy_of("hello");
  EXPECT_EQ(a.use_count(), 1u);
  {
    SharedBytes b = a;
    EXPECT_EQ(a.use_count(), 2u);
    EXPECT_EQ(b.view(), "hello");
  }
  EXPECT_EQ(a.use_count(), 1u);
  SharedBytes c = std::move(a);
  EXPECT_EQ(c.use_count(), 1u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract.
  c.reset();
  EXPECT_EQ(c.use_count(), 0u);
}

TEST(Broadcast, SharedBytesCountAgainstEachReceiversLimit) {
  Room handler;
  ServerOptions o;
  o.loops = 1;
  o.max_outbound = 1024 * 1024;
  o.high_water_mark = 512 * 1024;
  o.send_buffer = 64 * 1024;
  ServerFixture fixture(handler, o);
  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  LoopbackClient slow(fixture.address(), co);  // Never reads.
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(handler.opened.wait_for(1));
  ConnHandle h = handler.handles().front();

  SharedBytes message = SharedBytes::copy_of(std::string(kMessage, 'm'));
  OnceValue<std::error_code> first_failure;
  for (int i = 0; i < 16; ++i) {  // 4 MiB in all, four times the limit.
    h.send(message, [&](std::error_code ec) {
      if (ec) first_failure.set(ec);
    });
  }
  auto failure = first_failure.wait();
  ASSERT_TRUE(failure.has_value()) << "16 shared sends beyond the limit all succeeded";
  EXPECT_EQ(*failure, Errc::outbound_overflow);
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::overflow) << closes[0].describe();
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(0)));
  EXPECT_EQ(message.use_count(), 1u) << "a closed connection still holds the shared bytes";
}

}  // namespace
}  // namespace weft::test
