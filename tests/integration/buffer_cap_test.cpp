// Server-wide memory: max_buffered caps what all connections together hold; above it the
// biggest holders are closed (CloseReason::overflow). After a burst, the blocks freed go
// back to the system instead of staying in the process.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"

namespace weft::test {
namespace {

size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

constexpr size_t kCap = 8 * 1024 * 1024;
constexpr size_t kChunk = 16 * 1024;

// Every connection gets kChunk more output every 2 ms from a timer, and never reads it.
class Flood : public RecordingHandler {
 public:
  explicit Flood(Server*& server) : server_(server) {}
  void on_open(Conn& conn) override {
    RecordingHandler::on_open(conn);
    conns_.push_back(&conn);
    if (conns_.size() == 1) {
      timer_ = conn.loop().run_every(std::chrono::milliseconds(2), [this] { tick(); });
    }
  }
  void on_traffic(Conn&) override {}
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override {
    std::erase(conns_, &conn);
    RecordingHandler::on_close(conn, reason, error);
  }
  std::atomic<size_t> peak{0};

 private:
  void tick() {
    for (Conn* c : conns_) c->write(std::string(kChunk, 'f'));
    size_t total = 0;
    for (size_t i = 0; i < server_->loop_count(); ++i) total += server_->loop(i).buffered_bytes();
    peak = std::max(peak.load(), total);
  }
  Server*& server_;
  std::vector<Conn*> conns_;  // One loop.
  TimerId timer_;
};

TEST(BufferCap, TheBiggestHoldersAreClosedToStayUnderTheCap) {
  Server* server = nullptr;
  Flood handler(server);
  ServerOptions o;
  o.loops = 1;
  o.max_buffered = kCap;
  o.max_outbound = 4 * kCap;  // Each connection alone could hold four times the cap.
  o.high_water_mark = kCap;
  o.send_buffer = 64 * 1024;
  ServerFixture fixture(handler, o);
  server = &fixture.server();

  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  constexpr size_t kClients = 8;
  for (size_t i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<LoopbackClient>(fixture.address(), co));  // Never read.
    ASSERT_TRUE(clients.back()->connected());
  }
  // Flooded, the connections must be closed one after the other to stay under the cap.
  auto closes = handler.wait_closes(kClients);
  ASSERT_EQ(closes.size(), kClients);
  for (const CloseRecord& c : closes) {
    EXPECT_EQ(c.reason, CloseReason::overflow) << c.describe();
    EXPECT_EQ(c.error, Errc::outbound_overflow) << c.describe();
  }
  // The governor checks every 10 ms; at this rate the total grows by about 0.6 MiB in that
  // time, so 4 MiB over the cap is a generous bound.
  EXPECT_LE(handler.peak.load(), kCap + 4 * 1024 * 1024);
  EXPECT_GE(handler.peak.load(), kCap / 2) << "the flood never approached the cap; the test proves little";
}

// Queues 4 MiB to each connection on open.
class BigReply : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    RecordingHandler::on_open(conn);
    conn.write(std::string(4 * 1024 * 1024, 'r'));
  }
  void on_traffic(Conn&) override {}
};

TEST(BufferCap, MemoryGoesBackToTheSystemAfterABurst) {
#if defined(WEFT_SANITIZED) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator keeps freed memory in quarantine; this checks glibc's malloc_trim";
#endif
  BigReply handler;
  ServerOptions o;
  o.loops = 1;
  o.max_buffered = 0;
  o.send_buffer = 64 * 1024;
  ServerFixture fixture(handler, o);
  EventLoop& loop = fixture.server().loop(0);
  const size_t before = rss_bytes();

  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  constexpr size_t kClients = 32;  // 128 MiB queued in all.
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  for (size_t i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<LoopbackClient>(fixture.address(), co));
    ASSERT_TRUE(clients.back()->connected());
  }
  ASSERT_TRUE(handler.opened.wait_for(kClients));
  ASSERT_TRUE(sync_with_loop(loop));
  ASSERT_TRUE(sync_with_loop(loop));  // buffered_bytes() is published after an iteration.
  EXPECT_GE(loop.buffered_bytes(), size_t{100} << 20);
  const size_t peak = rss_bytes();
  EXPECT_GE(peak, before + (size_t{100} << 20));

  clients.clear();
  ASSERT_TRUE(handler.closed.wait_for(kClients));
  ASSERT_TRUE(sync_with_loop(loop));  // The trim runs at the end of the closing iteration.
  ASSERT_TRUE(sync_with_loop(loop));
  const size_t after = rss_bytes();
  EXPECT_LE(after, before + (size_t{24} << 20))
      << "RSS before " << (before >> 20) << " MiB, peak " << (peak >> 20) << " MiB, after " << (after >> 20) << " MiB";
}

}  // namespace
}  // namespace weft::test
