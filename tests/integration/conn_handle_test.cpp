// ConnHandle from other threads: concurrent sends keep each call's bytes together and each
// thread's calls in order, every done callback runs exactly once on the loop thread, and a
// handle to a closed connection reports Errc::closed.

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

// Keeps the handle of the (single) connection; never echoes.
class HandleHandler : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    handle.set(conn.handle());
    {
      std::lock_guard lock(mutex_);
      handles_.push_back(conn.handle());
    }
    RecordingHandler::on_open(conn);
  }
  void on_traffic(Conn& conn) override { conn.discard(); }
  // The handle of the i-th connection opened, waiting for it to open.
  std::optional<ConnHandle> handle_at(size_t i) {
    if (!opened.wait_for(i + 1)) return std::nullopt;
    std::lock_guard lock(mutex_);
    return handles_[i];
  }
  OnceValue<ConnHandle> handle;

 private:
  std::mutex mutex_;
  std::vector<ConnHandle> handles_;
};

constexpr size_t kThreads = 8;
constexpr uint32_t kRecordsPerThread = 1500;
constexpr size_t kHeader = 12;  // [thread u32][seq u32][length u32], host order.

uint32_t record_length(uint32_t thread, uint32_t seq) {
  return (thread * 7919u + seq * 104729u) % 1500u;
}
uint64_t record_seed(uint32_t thread, uint32_t seq) {
  return (uint64_t{thread} << 32) | seq;
}

std::string make_record(uint32_t thread, uint32_t seq) {
  uint32_t length = record_length(thread, seq);
  std::string r(kHeader, '\0');
  std::memcpy(r.data(), &thread, 4);
  std::memcpy(r.data() + 4, &seq, 4);
  std::memcpy(r.data() + 8, &length, 4);
  r += make_pattern(record_seed(thread, seq), length);
  return r;
}

TEST(ConnHandleSend, ConcurrentSendsStayWholeAndInOrderPerThread) {
  HandleHandler handler;
  ServerOptions o;
  o.loops = 2;
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();
  std::optional<ConnHandle> handle = handler.handle.wait();
  ASSERT_TRUE(handle.has_value());
  EventLoop* loop = handle->loop();
  ASSERT_NE(loop, nullptr);

  // done_count[t][seq] counts how often each record's done callback ran.
  std::vector<std::vector<std::atomic<int>>> done_count(kThreads);
  for (auto& v : done_count) v = std::vector<std::atomic<int>>(kRecordsPerThread);
  std::atomic<size_t> done_ok{0}, done_failed{0}, done_off_loop{0};
  Counter done_total;

  std::vector<std::thread> senders;
  for (uint32_t t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (uint32_t seq = 0; seq < kRecordsPerThread; ++seq) {
        handle->send(make_record(t, seq), [&, t, seq](std::error_code ec) {
          done_count[t][seq].fetch_add(1);
          (ec ? done_failed : done_ok).fetch_add(1);
          if (!loop->in_loop_thread()) done_off_loop.fetch_add(1);
          done_total.add();
        });
      }
    });
  }

  // Parse the stream while the senders run.
  std::array<uint32_t, kThreads> next_seq{};
  size_t records = 0;
  std::string header, body;
  const size_t expected = kThreads * kRecordsPerThread;
  while (records < expected) {
    IoResult r = client.read_exact(header, kHeader);
    ASSERT_TRUE(r.ok()) << "record " << records << ": " << r.describe();
    uint32_t thread, seq, length;
    std::memcpy(&thread, header.data(), 4);
    std::memcpy(&seq, header.data() + 4, 4);
    std::memcpy(&length, header.data() + 8, 4);
    ASSERT_LT(thread, kThreads) << "record " << records << " has a torn header";
    ASSERT_EQ(seq, next_seq[thread]) << "thread " << thread << "'s records out of order";
    ASSERT_EQ(length, record_length(thread, seq)) << "record " << records << " has a torn header";
    r = client.read_exact(body, length);
    ASSERT_TRUE(r.ok()) << r.describe();
    ASSERT_EQ(find_pattern_mismatch(record_seed(thread, seq), 0, body), std::string::npos)
        << "record " << seq << " of thread " << thread << " was interleaved with another";
    ++next_seq[thread];
    ++records;
  }
  for (auto& s : senders) s.join();

  ASSERT_TRUE(done_total.wait_for(expected)) << done_total.value() << " of " << expected << " done callbacks ran";
  EXPECT_EQ(done_ok.load(), expected);
  EXPECT_EQ(done_failed.load(), 0u);
  EXPECT_EQ(done_off_loop.load(), 0u) << "done callbacks must run on the connection's loop thread";
  // Exactly once: no callback runs twice, even later.
  ASSERT_TRUE(sync_with_loop(*loop));
  for (size_t t = 0; t < kThreads; ++t) {
    for (size_t seq = 0; seq < kRecordsPerThread; ++seq) {
      ASSERT_EQ(done_count[t][seq].load(), 1) << "thread " << t << " record " << seq;
    }
  }
  // Nothing but the records arrived.
  client.shutdown_write();
  std::string rest;
  EXPECT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
  EXPECT_TRUE(rest.empty());
}

TEST(ConnHandleSend, ToAClosedConnectionReportsClosed) {
  HandleHandler handler;
  ServerFixture fixture(handler);
  std::optional<ConnHandle> handle;
  {
    LoopbackClient client(fixture.address());
    ASSERT_TRUE(client.connected());
    handle = handler.handle.wait();
    ASSERT_TRUE(handle.has_value());
  }
  ASSERT_EQ(handler.wait_closes(1).size(), 1u);

  Counter calls;
  OnceValue<std::error_code> result;
  handle->send("too late", [&](std::error_code ec) {
    result.set(ec);
    calls.add();
  });
  std::optional<std::error_code> ec = result.wait();
  ASSERT_TRUE(ec.has_value());
  EXPECT_EQ(*ec, Errc::closed);

  bool ran = false;
  OnceValue<std::error_code> post_result;
  handle->post([&](Conn&) { ran = true; },
               [&](std::error_code e) {
                 post_result.set(e);
                 calls.add();
               });
  ec = post_result.wait();
  ASSERT_TRUE(ec.has_value());
  EXPECT_EQ(*ec, Errc::closed);
  handle->close();  // Harmless.
  ASSERT_TRUE(sync_with_loop(*handle->loop()));
  EXPECT_FALSE(ran);
  EXPECT_EQ(calls.value(), 2u);

  // An empty handle reports closed at once.
  ConnHandle empty;
  EXPECT_TRUE(empty.empty());
  std::error_code empty_ec;
  empty.send("x", [&](std::error_code e) { empty_ec = e; });
  EXPECT_EQ(empty_ec, Errc::closed);
}

TEST(ConnHandleSend, HandleOfAClosedConnectionDoesNotReachItsSlotsNextOwner) {
  HandleHandler handler;
  ServerOptions o;
  o.loops = 1;
  ServerFixture fixture(handler, o);
  std::optional<ConnHandle> old_handle;
  {
    LoopbackClient first(fixture.address());
    ASSERT_TRUE(first.connected());
    old_handle = handler.handle.wait();
  }
  ASSERT_EQ(handler.wait_closes(1).size(), 1u);
  // The next connection on the same loop reuses the slot.
  LoopbackClient second(fixture.address());
  ASSERT_TRUE(second.connected());
  std::optional<ConnHandle> new_handle = handler.handle_at(1);
  ASSERT_TRUE(new_handle.has_value());
  EXPECT_FALSE(*new_handle == *old_handle);
  OnceValue<std::error_code> result;
  old_handle->send("stale", [&](std::error_code ec) { result.set(ec); });
  ASSERT_EQ(result.wait(), std::optional<std::error_code>(Errc::closed));
  // The stale send was queued before this one, so its bytes would arrive first.
  new_handle->send("fresh");
  std::string got;
  ASSERT_TRUE(second.read_exact(got, 5).ok());
  EXPECT_EQ(got, "fresh") << "the stale handle's bytes reached the new connection";
}

TEST(ConnHandlePost, RunsOnTheLoopThreadWithTheConnection) {
  HandleHandler handler;
  ServerFixture fixture(handler);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::optional<ConnHandle> handle = handler.handle.wait();
  ASSERT_TRUE(handle.has_value());

  OnceValue<bool> in_loop;
  OnceValue<bool> same_conn;
  OnceValue<std::error_code> done;
  std::thread other([&] {
    handle->post(
        [&](Conn& conn) {
          in_loop.set(conn.loop().in_loop_thread() && &conn.loop() == handle->loop());
          same_conn.set(conn.handle() == *handle);
          conn.write("from post");
        },
        [&](std::error_code ec) { done.set(ec); });
  });
  other.join();
  EXPECT_EQ(in_loop.wait(), std::optional<bool>(true));
  EXPECT_EQ(same_conn.wait(), std::optional<bool>(true));
  EXPECT_EQ(done.wait(), std::optional<std::error_code>(std::error_code()));
  std::string got;
  ASSERT_TRUE(client.read_exact(got, 9).ok());
  EXPECT_EQ(got, "from post");
}

TEST(ConnHandleClose, FlushesQueuedOutputThenCloses) {
  HandleHandler handler;
  ServerFixture fixture(handler);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::optional<ConnHandle> handle = handler.handle.wait();
  ASSERT_TRUE(handle.has_value());

  const std::string payload = make_pattern(77, 3 * 1024 * 1024);
  OnceValue<std::error_code> done;
  handle->send(payload, [&](std::error_code ec) { done.set(ec); });
  handle->close();
  std::string got;
  IoResult r = client.read_to_eof(got);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(got.size(), payload.size());
  EXPECT_TRUE(got == payload);
  EXPECT_EQ(done.wait(), std::optional<std::error_code>(std::error_code()));
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::local) << closes[0].describe();
}

}  // namespace
}  // namespace weft::test
