// Nothing accepted for sending is lost when the server closes while its peer is still
// sending: on close(), on a graceful stop, and after a protocol error whose reply must
// reach the client. A close with unread input would make the kernel answer with a reset
// that destroys what was already sent; the connection lingers instead (shuts its writing
// side, reads and discards until the peer's end of file). Each test counts the bytes.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/codec/framed_handler.h"
#include "weft/codec/line.h"

namespace weft::test {
namespace {

constexpr size_t kReply = 4 * 1024 * 1024;
constexpr size_t kUpload = 32 * 1024 * 1024;

ServerOptions small_buffers() {
  ServerOptions o;
  o.loops = 1;
  o.send_buffer = 64 * 1024;
  o.receive_buffer = 64 * 1024;
  o.high_water_mark = 8 * 1024 * 1024;
  o.low_water_mark = 1024 * 1024;
  return o;
}

ClientOptions small_client() {
  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  co.send_buffer = 64 * 1024;
  return co;
}

// Replies once with kReply bytes and closes, ignoring whatever else arrives.
class ReplyAndCloseHandler : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    conn.discard();
    if (replied_) return;
    replied_ = true;
    conn.write(make_pattern(11, kReply));
    conn.close();
  }

 private:
  bool replied_ = false;  // One connection per test.
};

TEST(LingeringClose, CloseWhileThePeerSendsDeliversTheWholeReply) {
  ReplyAndCloseHandler handler;
  ServerFixture fixture(handler, small_buffers());
  LoopbackClient client(fixture.address(), small_client());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  BackgroundSend upload(client, make_pattern(12, kUpload), kWait, /*shutdown_after=*/true);
  std::string reply;
  IoResult r = client.read_to_eof(reply);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(reply.size(), kReply) << "bytes the server accepted for sending were lost";
  EXPECT_EQ(find_pattern_mismatch(11, 0, reply), std::string::npos);
  upload.wait();
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::local) << closes[0].describe();
}

// Echoes, counting every byte it accepted for sending.
class CountingEcho : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    std::string_view bytes = conn.read();
    if (!conn.write(bytes)) accepted += bytes.size();
    if (accepted >= kReply) first_reply.set(true);
  }
  std::atomic<size_t> accepted{0};
  OnceValue<bool> first_reply;
};

TEST(LingeringClose, StopWhileThePeerSendsDeliversEveryEchoedByte) {
  CountingEcho handler;
  ServerFixture fixture(handler, small_buffers());
  LoopbackClient client(fixture.address(), small_client());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  BackgroundSend upload(client, make_pattern(13, kUpload), kWait, /*shutdown_after=*/true);
  std::string echoed;
  std::thread stopper([&] {
    if (handler.first_reply.wait()) fixture.stop();
  });
  IoResult r = client.read_to_eof(echoed);
  stopper.join();
  upload.wait();
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_GE(echoed.size(), kReply);
  EXPECT_EQ(echoed.size(), handler.accepted.load()) << "echoed bytes the server had accepted were lost";
  EXPECT_EQ(find_pattern_mismatch(13, 0, echoed), std::string::npos);
}

// Rejects a too-long line with an error reply, then closes.
class StrictLines : public codec::FramedHandler {
 public:
  StrictLines() : FramedHandler(codec::line_codec({.max_length = 1024, .fail_fast = true})) {}
  void on_message(Conn&, const codec::Frame&) override {}
  void on_decode_error(Conn& conn, std::error_code error, bool) override {
    send_frame(conn, "ERR line too long");
    conn.close(error);
  }
};

TEST(LingeringClose, AProtocolErrorsReplyArrivesWhileThePeerKeepsSending) {
  StrictLines handler;
  ServerFixture fixture(handler, small_buffers());
  LoopbackClient client(fixture.address(), small_client());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  BackgroundSend upload(client, std::string(kUpload, 'x'), kWait, /*shutdown_after=*/true);
  std::string reply;
  IoResult r = client.read_to_eof(reply);
  upload.wait();
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(reply, "ERR line too long\n");
}

}  // namespace
}  // namespace weft::test
