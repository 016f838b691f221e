// Graceful stop: output queued before stop() reaches slow readers before their
// connections close; on_shutdown runs once; run()/wait() return; every send either is
// delivered and reported as done, or is reported as closed/shutdown, never dropped;
// stop_accepting closes only the listeners.

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

constexpr size_t kReply = 2 * 1024 * 1024;

// On "go" queues a large reply; keeps every connection's handle.
class ShutdownHandler : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    {
      std::lock_guard lock(mutex_);
      handles_.push_back(conn.handle());
    }
    RecordingHandler::on_open(conn);
  }
  void on_traffic(Conn& conn) override {
    if (conn.read(2) == "go") {
      conn.write(make_pattern(conn.remote_address().port(), kReply));
      replied.add();
    }
  }
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override {
    closing_output_.fetch_add(conn.outbound_size());
    RecordingHandler::on_close(conn, reason, error);
  }
  void on_shutdown(Server& server) override {
    connections_at_shutdown.store(server.connection_count());
    shutdowns.add();
  }
  std::vector<ConnHandle> handles() {
    std::lock_guard lock(mutex_);
    return handles_;
  }

  Counter replied;
  Counter shutdowns;
  std::atomic<size_t> connections_at_shutdown{999};
  std::atomic<size_t> closing_output_{0};

 private:
  std::mutex mutex_;
  std::vector<ConnHandle> handles_;
};

ServerOptions small_buffers() {
  ServerOptions o;
  o.loops = 2;
  o.send_buffer = 64 * 1024;
  o.max_outbound = 8 * 1024 * 1024;  // The reply is written at once; keep it under the limits.
  o.high_water_mark = 4 * 1024 * 1024;
  return o;
}

TEST(GracefulStop, QueuedOutputReachesSlowReadersBeforeTheyClose) {
  constexpr size_t kClients = 20;
  ShutdownHandler handler;
  ServerFixture fixture(handler, small_buffers());
  std::vector<LoopbackClient> clients;
  ClientOptions co;
  co.receive_buffer = 32 * 1024;
  for (size_t i = 0; i < kClients; ++i) {
    clients.emplace_back(fixture.address(), co);
    ASSERT_TRUE(clients.back().connected());
    ASSERT_TRUE(clients.back().send_all("go").ok());
  }
  ASSERT_TRUE(handler.replied.wait_for(kClients));
  // A send accepted before stop() is delivered too, and reported as done.
  std::vector<ConnHandle> handles = handler.handles();
  ASSERT_EQ(handles.size(), kClients);
  Counter early_done;
  std::atomic<size_t> early_failed{0};
  for (auto& h : handles) {
    h.send("tail", [&](std::error_code ec) {
      if (ec) early_failed.fetch_add(1);
      early_done.add();
    });
  }
  for (auto& h : handles) ASSERT_TRUE(sync_with_loop(*h.loop()));  // The sends are queued.

  std::thread stopper([&] { fixture.server().stop(); });
  stopper.join();

  // Every client, reading slowly, gets its whole reply, the tail, then end of file.
  std::vector<std::thread> readers;
  std::vector<std::string> failures(kClients);
  for (size_t i = 0; i < kClients; ++i) {
    readers.emplace_back([&, i] {
      LoopbackClient& c = clients[i];
      PatternVerifier verifier(c.local_address().port());
      char chunk[4096];
      for (;;) {
        IoResult r = c.read_some(chunk, sizeof chunk);
        if (r.outcome == Outcome::eof) break;
        if (!r.ok()) {
          failures[i] = "read: " + r.describe() + " after " + std::to_string(verifier.received());
          return;
        }
        size_t body = verifier.received() < kReply ? std::min<size_t>(r.bytes, kReply - verifier.received()) : 0;
        verifier.feed(std::string_view(chunk, body));
        if (body < r.bytes) {
          std::string_view tail(chunk + body, r.bytes - body);
          if (tail != std::string_view("tail").substr(0, tail.size())) failures[i] = "bad tail";
          verifier.feed(tail);  // Counted only.
        }
      }
      if (verifier.received() != kReply + 4) {
        failures[i] = "got " + std::to_string(verifier.received()) + " bytes before end of file";
      }
      if (!verifier.ok() && verifier.first_mismatch() < kReply) {
        failures[i] = "reply differs at " + std::to_string(verifier.first_mismatch());
      }
    });
  }
  for (auto& t : readers) t.join();
  for (size_t i = 0; i < kClients; ++i) EXPECT_TRUE(failures[i].empty()) << "client " << i << ": " << failures[i];

  fixture.stop();  // Returns once run/wait would.
  EXPECT_EQ(handler.shutdowns.value(), 1u);
  EXPECT_EQ(handler.connections_at_shutdown.load(), 0u);
  EXPECT_TRUE(early_done.wait_for(kClients));
  EXPECT_EQ(early_failed.load(), 0u);
  auto closes = handler.close_records();
  ASSERT_EQ(closes.size(), kClients);
  for (const CloseRecord& c : closes) {
    EXPECT_EQ(c.reason, CloseReason::shutdown) << c.describe();
    EXPECT_EQ(c.error, Errc::shutdown);
  }
  EXPECT_EQ(handler.closing_output_.load(), 0u) << "connections closed with output unsent";

  // After the stop, sends report closed and are never silently dropped.
  for (auto& h : handles) {
    std::optional<std::error_code> result;
    h.send("after", [&](std::error_code ec) { result = ec; });
    ASSERT_TRUE(result.has_value()) << "a send after the server stopped was dropped";
    EXPECT_EQ(*result, Errc::closed);
  }
}

TEST(GracefulStop, SendsRacingWithStopAreDeliveredOrReported) {
  ShutdownHandler handler;
  ServerFixture fixture(handler, small_buffers());
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(handler.opened.wait_for(1));
  ConnHandle handle = handler.handles().at(0);

  constexpr uint32_t kRecords = 20000;
  constexpr size_t kRecordSize = 64;
  std::vector<std::atomic<int>> outcome(kRecords);  // 0 none, 1 delivered, 2 failed.
  std::atomic<size_t> calls{0}, bad_codes{0};
  Counter done_calls;
  std::thread sender([&] {
    for (uint32_t seq = 0; seq < kRecords; ++seq) {
      std::string record(kRecordSize, static_cast<char>('a' + seq % 26));
      std::memcpy(record.data(), &seq, sizeof seq);
      handle.send(std::move(record), [&, seq](std::error_code ec) {
        if (ec && ec != Errc::closed && ec != Errc::shutdown) bad_codes.fetch_add(1);
        outcome[seq].fetch_add(ec ? 2 : 1);
        calls.fetch_add(1);
        done_calls.add();
      });
      if (seq == kRecords / 4) fixture.server().stop();
    }
  });

  std::string received;
  IoResult r = client.read_to_eof(received);
  sender.join();
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  fixture.stop();
  ASSERT_TRUE(done_calls.wait_for(kRecords)) << done_calls.value() << " of " << kRecords << " done callbacks ran";
  EXPECT_EQ(calls.load(), kRecords) << "some done callback ran twice";
  EXPECT_EQ(bad_codes.load(), 0u);

  ASSERT_EQ(received.size() % kRecordSize, 0u);
  std::vector<bool> got(kRecords, false);
  for (size_t at = 0; at < received.size(); at += kRecordSize) {
    uint32_t seq;
    std::memcpy(&seq, received.data() + at, sizeof seq);
    ASSERT_LT(seq, kRecords);
    got[seq] = true;
  }
  size_t delivered = 0;
  for (uint32_t seq = 0; seq < kRecords; ++seq) {
    int o = outcome[seq].load();
    ASSERT_TRUE(o == 1 || o == 2) << "record " << seq << " outcome " << o;
    if (o == 1) {
      ++delivered;
      ASSERT_TRUE(got[seq]) << "record " << seq << " was reported done but never arrived";
    } else {
      ASSERT_FALSE(got[seq]) << "record " << seq << " arrived but was reported as failed";
    }
  }
  EXPECT_GE(delivered, 1u);
  EXPECT_EQ(delivered * kRecordSize, received.size());
}

TEST(GracefulStop, ReaderThatNeverReadsIsCutAtTheDeadline) {
  ShutdownHandler handler;
  ServerOptions o = small_buffers();
  o.shutdown_timeout = std::chrono::milliseconds(300);
  ServerFixture fixture(handler, o);
  ClientOptions co;
  co.receive_buffer = 16 * 1024;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all("go").ok());
  ASSERT_TRUE(handler.replied.wait_for(1));
  ConnHandle handle = handler.handles().at(0);
  OnceValue<std::error_code> done;
  handle.send(std::string(1024 * 1024, 'z'), [&](std::error_code ec) { done.set(ec); });
  ASSERT_TRUE(sync_with_loop(*handle.loop()));

  fixture.stop();  // Bounded: the deadline cuts the connection.
  EXPECT_EQ(handler.shutdowns.value(), 1u);
  auto closes = handler.close_records();
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::shutdown) << closes[0].describe();
  EXPECT_EQ(closes[0].error, Errc::shutdown);
  ASSERT_EQ(done.wait(), std::optional<std::error_code>(Errc::shutdown));
  // The client gets part of the reply and then the connection ends.
  IoResult r = client.wait_closed();
  EXPECT_TRUE(r.outcome == Outcome::eof || r.outcome == Outcome::reset) << r.describe();
  EXPECT_LT(r.bytes, kReply);
}

TEST(GracefulStop, RunReturnsAfterStopFromAnotherThread) {
  ShutdownHandler handler;
  ServerOptions o;
  o.loops = 2;
  Server server(handler, o);
  server.listen("tcp://127.0.0.1:0");
  OnceValue<bool> returned;
  std::thread runner([&] {
    server.run();
    returned.set(true);
  });
  LoopbackClient client(server.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all("go").ok());
  ASSERT_TRUE(handler.replied.wait_for(1));
  std::vector<std::thread> stoppers;
  for (int i = 0; i < 4; ++i) stoppers.emplace_back([&] { server.stop(); });  // Any number of times.
  std::string got;
  EXPECT_EQ(client.read_to_eof(got).outcome, Outcome::eof);
  EXPECT_EQ(got.size(), kReply);
  EXPECT_EQ(returned.wait(), std::optional<bool>(true)) << "run() did not return";
  runner.join();
  for (auto& t : stoppers) t.join();
  EXPECT_EQ(handler.shutdowns.value(), 1u);
  server.wait();  // Again: returns at once.
  EXPECT_EQ(handler.shutdowns.value(), 1u);
}

// Echoes what it reads.
class EchoBack : public Handler {
 public:
  void on_traffic(Conn& conn) override { conn.write(conn.read(conn.inbound_size())); }
};

// stop_accepting closes the listeners (the acceptor's, or each loop's with reuse_port)
// and nothing else: open connections go on, new ones are refused, and `then` runs once.
TEST(GracefulStop, StopAcceptingRefusesNewConnectionsAndKeepsOpenOnes) {
  for (bool reuse_port : {false, true}) {
    SCOPED_TRACE(reuse_port ? "reuse_port" : "acceptor");
    EchoBack handler;
    ServerOptions options;
    options.loops = 2;
    options.reuse_port = reuse_port;
    ServerFixture fixture(handler, options);
    LoopbackClient open(fixture.address());
    ASSERT_TRUE(open.connected());
    ASSERT_TRUE(open.send_all("one").ok());
    std::string got;
    ASSERT_TRUE(open.read_exact(got, 3).ok());
    EXPECT_EQ(got, "one");
    OnceValue<bool> then;
    fixture.server().stop_accepting([&] { then.set(true); });
    ASSERT_TRUE(then.wait());
    // The loops' own listeners close in tasks posted before `then` ran.
    for (size_t i = 0; i < fixture.server().loop_count(); ++i) ASSERT_TRUE(sync_with_loop(fixture.server().loop(i)));
    LoopbackClient late(fixture.address());
    EXPECT_FALSE(late.connected());
    ASSERT_TRUE(open.send_all("two").ok());
    got.clear();
    ASSERT_TRUE(open.read_exact(got, 3).ok());
    EXPECT_EQ(got, "two");
  }
}

TEST(GracefulStop, IdleServerStopsAndCallsOnShutdownOnce) {
  ShutdownHandler handler;
  {
    ServerFixture fixture(handler);
    fixture.stop();
    fixture.server().stop();
  }
  EXPECT_EQ(handler.shutdowns.value(), 1u);
}

class FailingBoot : public ShutdownHandler {
 public:
  void on_boot(Server&) override { throw std::runtime_error("boot failed"); }
};

TEST(GracefulStop, OnBootThrowingPropagatesFromStartAndTheServerStillTearsDown) {
  FailingBoot handler;
  {
    Server server(handler);
    server.listen("tcp://127.0.0.1:0");
    EXPECT_THROW(server.start(), std::runtime_error);
    server.stop();
    server.wait();  // Returns: nothing was started.
  }
  EXPECT_EQ(handler.opened.value(), 0u);
}

TEST(GracefulStop, DestroyingAStartedServerStopsIt) {
  ShutdownHandler handler;
  Address address;
  {
    Server server(handler);
    server.listen("tcp://127.0.0.1:0");
    server.start();
    address = server.address();
    LoopbackClient client(address);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send_all("go").ok());
    ASSERT_TRUE(handler.replied.wait_for(1));
  }
  EXPECT_EQ(handler.shutdowns.value(), 1u);
  LoopbackClient late(address, {}, std::chrono::seconds(2));
  EXPECT_FALSE(late.connected());
}

}  // namespace
}  // namespace weft::test
