// max_outbound is a hard limit for every writer. A client that never reads, fed by a timer
// on the loop and by a producer thread through its handle, makes the server close the
// connection with CloseReason::overflow once the queue would pass the limit; the writes
// and sends from then on fail, pending sends complete with Errc::outbound_overflow, and
// the loop's buffers never hold more than the limit plus a block.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"

namespace weft::test {
namespace {

constexpr size_t kLimit = 1024 * 1024;
constexpr size_t kChunk = 16 * 1024;

class PushHandler : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    RecordingHandler::on_open(conn);
    conn_ = &conn;
    handle.set(conn.handle());
    timer_ = conn.loop().run_every(std::chrono::milliseconds(1), [this] {
      if (conn_ == nullptr) return;
      std::error_code ec = conn_->write(std::string(kChunk, 't'));
      if (ec) timer_errors.add();
      peak_ = std::max(peak_.load(), conn_ != nullptr ? conn_->loop().buffered_bytes() : 0);
    });
  }
  void on_traffic(Conn&) override {}
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override {
    conn_ = nullptr;
    conn.loop().cancel(timer_);
    RecordingHandler::on_close(conn, reason, error);
  }

  OnceValue<ConnHandle> handle;
  Counter timer_errors;
  std::atomic<size_t> peak_{0};

 private:
  Conn* conn_ = nullptr;  // Loop thread only.
  TimerId timer_;
};

TEST(OutputLimit, ANeverReadingClientIsClosedAtTheLimitWhoeverWrites) {
  PushHandler handler;
  ServerOptions o;
  o.loops = 1;
  o.max_outbound = kLimit;
  o.high_water_mark = kLimit / 4;
  o.low_water_mark = kLimit / 16;
  o.send_buffer = 64 * 1024;
  ServerFixture fixture(handler, o);

  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  LoopbackClient client(fixture.address(), co);  // Never reads.
  ASSERT_TRUE(client.connected()) << client.connect_error();
  auto handle = handler.handle.wait();
  ASSERT_TRUE(handle.has_value());

  std::atomic<size_t> overflowed{0}, closed{0}, ok{0};
  std::thread producer([&] {
    for (int i = 0; i < 20000 && overflowed + closed == 0; ++i) {
      handle->send(std::string(kChunk, 'p'), [&](std::error_code ec) {
        if (ec == Errc::outbound_overflow) {
          ++overflowed;
        } else if (ec) {
          ++closed;
        } else {
          ++ok;
        }
      });
    }
  });
  producer.join();

  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::overflow) << closes[0].describe();
  EXPECT_EQ(closes[0].error, Errc::outbound_overflow) << closes[0].describe();
  // Every send completes exactly once; those still queued at the close, and those after
  // it, fail.
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(0)));
  EXPECT_GE(overflowed + closed, 1u);
  EXPECT_GE(overflowed.load(), 1u) << "sends pending at the overflow complete with outbound_overflow";
  EXPECT_LE(handler.peak_.load(), kLimit + 2 * kChunk) << "the loop held more than the limit";
  IoResult end = client.wait_closed();
  EXPECT_TRUE(end.outcome == Outcome::eof || end.outcome == Outcome::reset) << end.describe();
}

}  // namespace
}  // namespace weft::test
