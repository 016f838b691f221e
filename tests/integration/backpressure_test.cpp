// Backpressure: a client that sends a lot and does not read cannot make the server hold
// more than max_outbound (plus a little) of output; the water mark callbacks fire; once
// the client reads, every byte of the echo arrives intact. A handler that writes its last
// part and closes from on_low_water loses nothing.

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <string>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

constexpr size_t kMaxOutbound = 1024 * 1024;
constexpr size_t kHigh = 512 * 1024;
constexpr size_t kLow = 128 * 1024;

// Echoes, and records the most pool memory the loop held after any echo.
class WatchedEcho : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    received.fetch_add(conn.inbound_size());
    echo_all(conn);
    size_t in_use = conn.loop().pool().blocks_in_use();
    size_t peak = peak_blocks.load();
    while (in_use > peak && !peak_blocks.compare_exchange_weak(peak, in_use)) {
    }
    size_t out = conn.outbound_size();
    size_t peak_out = peak_outbound.load();
    while (out > peak_out && !peak_outbound.compare_exchange_weak(peak_out, out)) {
    }
  }
  void on_high_water(Conn& conn) override {
    high_at.store(conn.outbound_size());
    high.add();
  }
  void on_low_water(Conn& conn) override {
    low_at.store(conn.outbound_size());
    low.add();
  }

  std::atomic<size_t> received{0};
  std::atomic<size_t> peak_blocks{0};
  std::atomic<size_t> peak_outbound{0};
  std::atomic<size_t> high_at{0}, low_at{0};
  Counter high, low;
};

class Backpressure : public ::testing::TestWithParam<bool> {};

TEST_P(Backpressure, NonReadingClientCannotGrowServerMemory) {
  WatchedEcho handler;
  ServerOptions o;
  o.loops = 1;
  o.max_outbound = kMaxOutbound;
  o.high_water_mark = kHigh;
  o.low_water_mark = kLow;
  o.send_buffer = 64 * 1024;
  o.receive_buffer = 64 * 1024;
  o.loop.edge_triggered = GetParam();
  ServerFixture fixture(handler, o);
  EventLoop& loop = fixture.server().loop(0);
  const size_t block = loop.pool().block_size();

  ClientOptions co;
  co.send_buffer = 64 * 1024;
  co.receive_buffer = 64 * 1024;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected());

  constexpr size_t kTotal = 16 * 1024 * 1024;  // Far more than the server and kernel may hold.
  std::string payload = make_pattern(11, kTotal);
  BackgroundSend writer(client, payload, std::chrono::seconds(60));

  // The output rises past the high water mark, and then the server stops reading: what it
  // has received stops growing, well short of everything.
  ASSERT_TRUE(handler.high.wait_for(1)) << "on_high_water never fired";
  size_t last = handler.received.load();
  for (int stable = 0; stable < 5;) {
    ::poll(nullptr, 0, 50);
    size_t now = handler.received.load();
    stable = now == last ? stable + 1 : 0;
    last = now;
    ASSERT_LT(now, kTotal) << "the server read everything although the client never read";
  }
  std::optional<size_t> blocks = call_on_loop(loop, [&] { return loop.pool().blocks_in_use(); });
  ASSERT_TRUE(blocks.has_value());
  const size_t bound = kMaxOutbound + 64 * 1024 + 2 * block;
  EXPECT_LE(*blocks * block, bound) << *blocks << " blocks in use while stalled";
  EXPECT_LE(handler.peak_blocks.load() * block, bound) << handler.peak_blocks.load() << " blocks at the peak";
  EXPECT_LE(handler.peak_outbound.load(), kMaxOutbound);
  EXPECT_GT(handler.high_at.load(), kHigh);
  EXPECT_EQ(handler.low.value(), 0u) << "on_low_water fired while nothing drained";

  // Now the client reads: the whole echo arrives, and the output drains past the low mark.
  PatternVerifier verifier(11);
  std::vector<char> chunk(64 * 1024);
  while (verifier.received() < kTotal) {
    IoResult r = client.read_some(chunk.data(), std::min(chunk.size(), kTotal - verifier.received()));
    ASSERT_TRUE(r.ok()) << "after " << verifier.received() << " bytes: " << r.describe();
    verifier.feed(std::string_view(chunk.data(), r.bytes));
  }
  IoResult sent = writer.wait();
  EXPECT_TRUE(sent.ok()) << sent.describe();
  EXPECT_TRUE(verifier.ok()) << "echo differs at offset " << verifier.first_mismatch();
  ASSERT_TRUE(handler.low.wait_for(1)) << "on_low_water never fired";
  EXPECT_LE(handler.low_at.load(), kLow);
  EXPECT_GE(handler.high.value(), handler.low.value());
  EXPECT_LE(handler.high.value(), handler.low.value() + 1);
  EXPECT_LE(handler.peak_blocks.load() * block, bound);

  // The drained connection holds no output memory.
  std::optional<size_t> after = call_on_loop(loop, [&] { return loop.pool().blocks_in_use(); });
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after, 0u);
}

// Never consumes anything.
class Hoarder : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override { held.store(conn.inbound_size()); }
  std::atomic<size_t> held{0};
};

TEST_P(Backpressure, UnconsumedInputOverMaxInboundClosesTheConnection) {
  Hoarder handler;
  ServerOptions o;
  o.loops = 1;
  o.max_inbound = 64 * 1024;
  o.loop.edge_triggered = GetParam();
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  IoResult sent = client.send_all(make_pattern(1, 1024 * 1024), std::chrono::seconds(10));
  EXPECT_NE(sent.outcome, Outcome::timeout) << sent.describe();
  IoResult closed = client.wait_closed();
  EXPECT_TRUE(closed.outcome == Outcome::eof || closed.outcome == Outcome::reset) << closed.describe();
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::error) << closes[0].describe();
  EXPECT_EQ(closes[0].error, Errc::inbound_overflow) << closes[0].describe();
  EXPECT_LE(handler.held.load(), 64 * 1024 + 64 * 1024 + fixture.server().loop(0).pool().block_size());
  // The loop released the hoarded input.
  std::optional<size_t> blocks =
      call_on_loop(fixture.server().loop(0), [&] { return fixture.server().loop(0).pool().blocks_in_use(); });
  EXPECT_EQ(blocks, std::optional<size_t>(0));
}

INSTANTIATE_TEST_SUITE_P(Modes, Backpressure, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

// Streams a reply in parts from on_low_water; the last part is written with a close.
class StreamingReply : public RecordingHandler {
 public:
  static constexpr size_t kPart = 64 * 1024;
  static constexpr size_t kParts = 32;
  void on_open(Conn& conn) override {
    RecordingHandler::on_open(conn);
    reply_ = make_pattern(13, kPart * kParts);
    next(conn);
  }
  void on_low_water(Conn& conn) override { next(conn); }

 private:
  // Queues up to twice the high water mark, far more than the kernel takes at once, so
  // the flush leaves the output above the mark and on_low_water follows; after the last
  // part, closes.
  void next(Conn& conn) {
    while (sent_ < kParts && conn.outbound_size() <= 2 * kHigh) {
      conn.write(std::string_view(reply_).substr(sent_++ * kPart, kPart));
    }
    if (sent_ == kParts) conn.close();
  }
  std::string reply_;
  size_t sent_ = 0;
};

TEST(BackpressureClose, AWriteAndCloseFromOnLowWaterDeliversEverything) {
  StreamingReply handler;
  ServerOptions o;
  o.loops = 1;
  o.high_water_mark = kHigh;
  o.low_water_mark = 0;  // on_low_water comes when all is sent, the flush's last step.
  o.send_buffer = 64 * 1024;
  ServerFixture fixture(handler, o);
  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected());
  std::string got;
  IoResult r = client.read_to_eof(got);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  ASSERT_EQ(got.size(), StreamingReply::kPart * StreamingReply::kParts);
  EXPECT_EQ(find_pattern_mismatch(13, 0, got), std::string::npos);
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::local);
}

}  // namespace
}  // namespace weft::test
