// Handler exceptions: a callback that throws closes only its own connection, with reason
// error and Errc::handler_error; the server and every other connection go on.

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/core/log.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

// Echoes, but throws on "boom" (a std::exception), "bang" (not one) and "wrt!" (after
// writing), and in on_open or on_close when asked to.
class ThrowingHandler : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    bool fail = throw_on_open.load();  // Read before the test can see this open.
    RecordingHandler::on_open(conn);
    if (fail) throw std::runtime_error("open failed");
  }
  void on_traffic(Conn& conn) override {
    std::string_view head = conn.peek(4);
    if (head == "boom") throw std::runtime_error("boom in on_traffic");
    if (head == "bang") throw 42;
    if (head == "wrt!") {
      conn.discard(4);
      conn.write("partial reply");
      throw std::logic_error("after a write");
    }
    echo_all(conn);
  }
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override {
    RecordingHandler::on_close(conn, reason, error);
    if (throw_on_close.load()) throw std::runtime_error("close failed");
  }
  std::atomic<bool> throw_on_open{false};
  std::atomic<bool> throw_on_close{false};
};

// Captures weft's log lines for the length of a test.
class LogCapture {
 public:
  LogCapture() {
    set_log_sink([this](LogLevel level, std::string_view message) {
      std::lock_guard lock(mutex_);
      if (level >= LogLevel::error) errors_.emplace_back(message);
    });
  }
  ~LogCapture() { set_log_sink({}); }
  std::vector<std::string> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }
  bool contains(const std::string& text) {
    for (const std::string& e : errors()) {
      if (e.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> errors_;
};

ServerOptions two_loops() {
  ServerOptions o;
  o.loops = 2;
  return o;
}

TEST(HandlerException, InOnTrafficClosesOnlyThatConnection) {
  LogCapture log;
  ThrowingHandler handler;
  ServerFixture fixture(handler, two_loops());
  constexpr size_t kOthers = 100;
  std::vector<LoopbackClient> others;
  for (size_t i = 0; i < kOthers; ++i) {
    others.emplace_back(fixture.address());
    ASSERT_TRUE(others.back().connected());
    ASSERT_TRUE(others.back().echo_pattern(i, 500).ok()) << "client " << i << " before";
  }

  for (const char* trigger : {"boom", "bang"}) {
    LoopbackClient bad(fixture.address());
    ASSERT_TRUE(bad.connected());
    ASSERT_TRUE(bad.send_all(trigger).ok());
    IoResult r = bad.wait_closed();
    EXPECT_EQ(r.outcome, Outcome::eof) << trigger << ": " << r.describe();
    EXPECT_EQ(r.bytes, 0u) << trigger << ": the thrown-on bytes were echoed";
  }
  auto closes = handler.wait_closes(2);
  ASSERT_EQ(closes.size(), 2u);
  for (const CloseRecord& c : closes) {
    EXPECT_EQ(c.reason, CloseReason::error) << c.describe();
    EXPECT_EQ(c.error, Errc::handler_error) << c.describe();
  }
  EXPECT_TRUE(log.contains("boom in on_traffic")) << "the exception was not logged";
  EXPECT_TRUE(log.contains("non-standard exception"));

  // Every other connection still works, and they are all still open.
  for (size_t i = 0; i < kOthers; ++i) {
    ASSERT_TRUE(others[i].echo_pattern(1000 + i, 5000).ok()) << "client " << i << " after";
  }
  EXPECT_EQ(handler.closed.value(), 2u);
  EXPECT_EQ(fixture.server().connection_count(), kOthers);
}

TEST(HandlerException, ThrowAfterAWriteStillEndsTheConnection) {
  LogCapture log;
  ThrowingHandler handler;
  ServerFixture fixture(handler, two_loops());
  LoopbackClient bad(fixture.address());
  ASSERT_TRUE(bad.connected());
  ASSERT_TRUE(bad.send_all("wrt!").ok());
  // A failed callback closes at once; whether its partial output leaves is not promised,
  // but the connection must end promptly and be reported as a handler error.
  IoResult r = bad.wait_closed();
  EXPECT_TRUE(r.outcome == Outcome::eof || r.outcome == Outcome::reset) << r.describe();
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].error, Errc::handler_error);
}

TEST(HandlerException, InOnOpenClosesThatConnection) {
  LogCapture log;
  ThrowingHandler handler;
  ServerFixture fixture(handler, two_loops());
  LoopbackClient good(fixture.address());
  ASSERT_TRUE(good.connected());
  ASSERT_TRUE(handler.opened.wait_for(1));
  handler.throw_on_open.store(true);
  LoopbackClient bad(fixture.address());
  ASSERT_TRUE(bad.connected());
  EXPECT_EQ(bad.wait_closed().outcome, Outcome::eof);
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::error);
  EXPECT_EQ(closes[0].error, Errc::handler_error);
  EXPECT_TRUE(good.echo_pattern(3, 3000).ok());
}

TEST(HandlerException, InOnCloseIsLoggedAndTheServerGoesOn) {
  LogCapture log;
  ThrowingHandler handler;
  handler.throw_on_close.store(true);
  ServerFixture fixture(handler, two_loops());
  for (int i = 0; i < 10; ++i) {
    LoopbackClient c(fixture.address());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.echo_pattern(i, 100).ok());
  }
  ASSERT_EQ(handler.wait_closes(10).size(), 10u);
  EXPECT_TRUE(log.contains("close failed"));
  LoopbackClient c(fixture.address());
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.echo_pattern(99, 100000).ok());
  // The connection counts stay right although on_close threw.
  c.close();
  ASSERT_EQ(handler.wait_closes(11).size(), 11u);
  for (size_t i = 0; i < fixture.server().loop_count(); ++i) ASSERT_TRUE(sync_with_loop(fixture.server().loop(i)));
  EXPECT_EQ(fixture.server().connection_count(), 0u);
}

// Keeps the handle of the first connection.
class HandleKeeper : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    handle.set(conn.handle());
    RecordingHandler::on_open(conn);
  }
  OnceValue<ConnHandle> handle;
};

TEST(HandlerException, InAPostedFunctionClosesThatConnectionAndReportsIt) {
  LogCapture log;
  HandleKeeper handler;
  ServerFixture fixture(handler, two_loops());
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::optional<ConnHandle> handle = handler.handle.wait();
  ASSERT_TRUE(handle.has_value());
  Counter calls;
  OnceValue<std::error_code> done;
  handle->post([](Conn&) { throw std::runtime_error("posted function failed"); },
               [&](std::error_code ec) {
                 done.set(ec);
                 calls.add();
               });
  std::optional<std::error_code> ec = done.wait();
  ASSERT_TRUE(ec.has_value()) << "the done callback of a throwing posted function never ran";
  EXPECT_EQ(*ec, Errc::handler_error);
  EXPECT_EQ(client.wait_closed().outcome, Outcome::eof);
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].error, Errc::handler_error);
  ASSERT_TRUE(sync_with_loop(*handle->loop()));
  EXPECT_EQ(calls.value(), 1u);
  EXPECT_TRUE(log.contains("posted function failed"));
}

TEST(HandlerException, InASendDoneCallbackDoesNotTakeTheServerDown) {
  LogCapture log;
  HandleKeeper handler;
  ServerOptions o;
  o.loops = 1;
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::optional<ConnHandle> handle = handler.handle.wait();
  ASSERT_TRUE(handle.has_value());
  Counter later_done;
  handle->send("one", [](std::error_code) { throw std::runtime_error("done callback failed"); });
  handle->send("two", [&](std::error_code ec) {
    EXPECT_FALSE(ec);
    later_done.add();
  });
  std::string got;
  ASSERT_TRUE(client.read_exact(got, 6).ok());
  EXPECT_EQ(got, "onetwo");
  EXPECT_TRUE(later_done.wait_for(1)) << "a later send's done callback was lost";
  EXPECT_TRUE(client.echo_pattern(5, 1000).ok());
  LoopbackClient other(fixture.address());
  ASSERT_TRUE(other.connected());
  EXPECT_TRUE(other.echo_pattern(6, 1000).ok());
  EXPECT_TRUE(log.contains("done callback failed"));
}

}  // namespace
}  // namespace weft::test
