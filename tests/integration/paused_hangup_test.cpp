// A connection that has shut its writing side and paused reading hears the peer finish
// too (EPOLLHUP, which epoll cannot mask): the peer's last bytes are still read once
// reading resumes, and the connection ends as a clean half-close, not a reset.

#include <gtest/gtest.h>

#include <string>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

constexpr size_t kSize = 64 * 1024;

// Shuts its side at once and reads nothing for a while (part of the scenario), then
// counts what arrives until the end of file.
class ShutThenPause : public RecordingHandler {
 public:
  void on_open(Conn& c) override {
    c.shutdown_write();
    c.pause_reading();
    c.loop().run_after(200ms, [h = c.handle()] { h.post([](Conn& conn) { conn.resume_reading(); }); });
    RecordingHandler::on_open(c);
  }
  void on_traffic(Conn& c) override {
    checksum_.update(c.read());
    if (c.input_ended()) {
      received.set(checksum_.size());
      ok.set(checksum_.value() == pattern_checksum(9, kSize));
      c.close();
    }
  }
  OnceValue<uint64_t> received;
  OnceValue<bool> ok;

 private:
  Checksum checksum_;
};

TEST(PausedHangup, ThePeersLastBytesAreReadOnceReadingResumes) {
  ShutThenPause handler;
  ServerOptions o;
  o.loops = 1;
  o.allow_half_open = true;
  ServerFixture fixture(handler, o);
  LoopbackClient c(fixture.address());
  ASSERT_TRUE(c.send_all(make_pattern(9, kSize)).ok());
  c.shutdown_write();
  EXPECT_EQ(handler.received.wait(), std::optional<uint64_t>(kSize));
  EXPECT_EQ(handler.ok.wait(), std::optional<bool>(true));
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::local) << "closed by the handler, not reset: " << closes[0].describe();
}

}  // namespace
}  // namespace weft::test
