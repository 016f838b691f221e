// Raw input and pipes (Conn::set_raw_input, read_pipe, write_pipe): an echo whose bytes
// never enter user space returns a large pattern intact, its end of file closes it once
// the pipe is sent, every pipe chunk's callback runs once, and raw input is refused while
// input is kept.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Echoes through one pipe per connection: socket -> pipe -> the same socket.
class PipeEcho : public RecordingHandler {
 public:
  struct State {
    int pipe[2] = {-1, -1};
    size_t in_flight = 0;
    bool closed = false;
    // Freed once the connection has closed and every chunk's callback has run.
    void maybe_free() {
      if (!closed || in_flight != 0) return;
      ::close(pipe[0]);
      ::close(pipe[1]);
      delete this;
    }
  };
  void on_open(Conn& c) override {
    auto* s = new State;
    EXPECT_EQ(::pipe2(s->pipe, O_NONBLOCK | O_CLOEXEC), 0);
    c.set_context(s);
    EXPECT_TRUE(c.can_splice());
    EXPECT_TRUE(c.set_raw_input(true));
    RecordingHandler::on_open(c);
  }
  void on_traffic(Conn& c) override {
    auto* s = c.context_as<State>();
    EXPECT_EQ(c.inbound_size(), 0u) << "raw input: the connection reads nothing itself";
    size_t n = 0;
    std::error_code ec = c.read_pipe(s->pipe[1], 64 << 10, n);
    if (ec == Errc::end_of_input) {
      ended.add();
      c.close();  // Once the pipe's bytes are sent.
      return;
    }
    if (ec) return;  // Nothing now (the pipe may be full): level-triggered, it comes again.
    ++s->in_flight;
    ASSERT_FALSE(c.write_pipe(s->pipe[0], n, [s, this](std::error_code e) {
      --s->in_flight;
      (e ? failed : sent).add();
      s->maybe_free();
    }));
  }
  void on_close(Conn& c, CloseReason reason, std::error_code error) override {
    auto* s = c.context_as<State>();
    // Chunk callbacks still pending run after on_close (with an error): they free it.
    leftover.add(s->in_flight);
    s->closed = true;
    s->maybe_free();
    RecordingHandler::on_close(c, reason, error);
  }
  Counter ended, sent, failed, leftover;
};

TEST(ConnSplice, EchoesALargePatternThroughAPipe) {
  PipeEcho handler;
  ServerOptions o;
  o.loops = 1;
  ServerFixture fixture(handler, o);
  LoopbackClient c(fixture.address());
  ASSERT_TRUE(c.connected());
  IoResult r = c.echo_pattern(7, size_t{16} << 20, 60s);
  EXPECT_TRUE(r.ok()) << r.describe();
  c.shutdown_write();
  std::string rest;
  EXPECT_EQ(c.read_to_eof(rest).outcome, Outcome::eof);
  EXPECT_TRUE(rest.empty());
  ASSERT_TRUE(handler.closed.wait_for(1));
  EXPECT_EQ(handler.ended.value(), 1u);
  EXPECT_GT(handler.sent.value(), 0u);
  EXPECT_EQ(handler.failed.value(), 0u);
  EXPECT_EQ(handler.leftover.value(), 0u) << "every chunk was sent before the close";
}

// Keeps what arrives, then asks for raw input: refused while bytes are kept.
class KeepThenRaw : public RecordingHandler {
 public:
  void on_traffic(Conn& c) override {
    if (c.inbound_size() < 4) return;  // Kept.
    refused.set(!c.set_raw_input(true));
    c.discard();
    accepted.set(c.set_raw_input(true) && c.raw_input());
    EXPECT_TRUE(c.set_raw_input(false));
    c.close();
  }
  OnceValue<bool> refused, accepted;
};

TEST(ConnSplice, RawInputIsRefusedWhileInputIsKept) {
  KeepThenRaw handler;
  ServerFixture fixture(handler);
  LoopbackClient c(fixture.address());
  ASSERT_TRUE(c.send_all("ab").ok());
  ASSERT_TRUE(c.send_all("cd").ok());
  EXPECT_EQ(handler.refused.wait(), std::optional<bool>(true));
  EXPECT_EQ(handler.accepted.wait(), std::optional<bool>(true));
}

}  // namespace
}  // namespace weft::test
