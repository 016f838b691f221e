// FramedHandler: codecs on live connections.

#include "weft/codec/framed_handler.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "loopback_client.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/codec/length_field.h"
#include "weft/codec/line.h"

namespace weft {
namespace {

using test::LoopbackClient;
using test::ServerFixture;

std::string be32(uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

// Records frames, answers each with send_frame (the codec's own encoding), and records how
// the connection closed.
class Recorder final : public codec::FramedHandler {
 public:
  using FramedHandler::FramedHandler;

  void on_message(Conn& conn, const codec::Frame& frame) override {
    {
      std::lock_guard lock(mutex_);
      frames_.emplace_back(frame.payload);
    }
    EXPECT_FALSE(send_frame(conn, frame.payload));
    count.add();
  }
  void on_decode_error(Conn&, std::error_code error, bool fatal) override {
    std::lock_guard lock(mutex_);
    errors_.push_back({error, fatal});
  }
  void on_close(Conn&, CloseReason reason, std::error_code error) override { closed.set({reason, error}); }

  std::vector<std::string> frames() {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::vector<std::pair<std::error_code, bool>> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

  test::Counter count;
  test::OnceValue<std::pair<CloseReason, std::error_code>> closed;

 private:
  std::mutex mutex_;
  std::vector<std::string> frames_;
  std::vector<std::pair<std::error_code, bool>> errors_;
};

TEST(FramedHandler, ManyFramesInOneReadArriveInOrder) {
  Recorder handler(codec::length_field_codec());
  ServerFixture fixture(handler, {.loops = 1});
  LoopbackClient client(fixture.address());
  std::string wire;
  std::string expected_echo;
  for (int i = 0; i < 100; ++i) {
    std::string payload = "frame-" + std::to_string(i);
    wire += be32(static_cast<uint32_t>(payload.size())) + payload;
  }
  expected_echo = wire;  // The prepender writes the same framing back.
  ASSERT_TRUE(client.send_all(wire).ok());
  std::string echo;
  ASSERT_TRUE(client.read_exact(echo, expected_echo.size()).ok());
  EXPECT_EQ(echo, expected_echo);
  auto frames = handler.frames();
  ASSERT_EQ(frames.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(frames[static_cast<size_t>(i)], "frame-" + std::to_string(i));
}

TEST(FramedHandler, FrameSplitAcrossReadsIsDeliveredOnce) {
  Recorder handler(codec::length_field_codec());
  ServerFixture fixture(handler, {.loops = 1});
  LoopbackClient client(fixture.address());
  std::string payload(100000, 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 23);
  std::string wire = be32(static_cast<uint32_t>(payload.size())) + payload;
  // Byte by byte for the header, then in uneven pieces, each awaited by the server.
  for (size_t at = 0; at < wire.size();) {
    size_t n = at < 6 ? 1 : std::min<size_t>(7919, wire.size() - at);
    ASSERT_TRUE(client.send_all(std::string_view(wire).substr(at, n)).ok());
    at += n;
  }
  std::string echo;
  ASSERT_TRUE(client.read_exact(echo, wire.size()).ok());
  EXPECT_EQ(echo, wire);
  ASSERT_EQ(handler.frames().size(), 1u);
  EXPECT_EQ(handler.frames()[0], payload);
}

TEST(FramedHandler, FatalDecodeErrorClosesWithThatError) {
  // A negative adjusted length cannot be framed: the stream is lost.
  Recorder strict(codec::length_field_codec({.max_frame_length = 64, .length_adjustment = -10}));
  ServerFixture strict_fixture(strict, {.loops = 1});
  LoopbackClient strict_client(strict_fixture.address());
  ASSERT_TRUE(strict_client.send_all(be32(2) + "ab").ok());
  EXPECT_EQ(strict_client.wait_closed().outcome, test::Outcome::eof);
  auto closed = strict.closed.wait();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->first, CloseReason::error);
  EXPECT_EQ(closed->second, Errc::corrupted_frame);
  ASSERT_EQ(strict.errors().size(), 1u);
  EXPECT_TRUE(strict.errors()[0].second);
}

TEST(FramedHandler, TooLongFrameIsDiscardedAndDecodingRecovers) {
  Recorder handler(codec::length_field_codec({.max_frame_length = 64}));
  ServerFixture fixture(handler, {.loops = 1});
  LoopbackClient client(fixture.address());
  std::string big(1000, 'B');
  std::string wire = be32(1000) + big + be32(2) + "ok";
  ASSERT_TRUE(client.send_all(wire).ok());
  std::string echo;
  ASSERT_TRUE(client.read_exact(echo, 6).ok());
  EXPECT_EQ(echo, be32(2) + "ok");
  ASSERT_EQ(handler.errors().size(), 1u);
  EXPECT_EQ(handler.errors()[0].first, Errc::frame_too_long);
  EXPECT_FALSE(handler.errors()[0].second);
  EXPECT_FALSE(handler.closed.peek().has_value());
}

TEST(FramedHandler, LineCodecRepliesWithItsOwnEncoding) {
  Recorder handler(codec::line_codec());
  ServerFixture fixture(handler, {.loops = 1});
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.send_all("one\r\ntwo\nthr").ok());
  ASSERT_TRUE(handler.count.wait_for(2));
  ASSERT_TRUE(client.send_all("ee\n").ok());
  std::string echo;
  ASSERT_TRUE(client.read_exact(echo, 14).ok());
  EXPECT_EQ(echo, "one\ntwo\nthree\n");
}

}  // namespace
}  // namespace weft
