#include "weft/codec/decode_loop.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "weft/codec/header.h"
#include "weft/codec/length_field.h"
#include "weft/codec/line.h"

namespace weft::codec {
namespace {

using namespace std::string_literals;

struct Collected {
  std::vector<std::string> frames;
  std::vector<std::pair<std::error_code, bool>> errors;
};

DecodeResult run(Decoder& d, const InputView& in, Collected& out, size_t stop_after = SIZE_MAX) {
  std::string scratch;
  return decode_frames(
      d, in, scratch,
      [&](const Frame& f) {
        out.frames.emplace_back(f.payload);
        return out.frames.size() < stop_after;
      },
      [&](std::error_code ec, bool fatal) { out.errors.emplace_back(ec, fatal); });
}

TEST(DecodeFrames, DecodesUntilMoreIsNeeded) {
  LineDecoder d;
  Collected c;
  DecodeResult r = run(d, InputView(std::string_view("a\nbb\nccc")), c);
  EXPECT_EQ(c.frames, (std::vector<std::string>{"a", "bb"}));
  EXPECT_EQ(r.consumed, 5u);
  EXPECT_EQ(r.frames, 2u);
  EXPECT_GE(r.need, 1u);
  EXPECT_FALSE(r.error);
  EXPECT_FALSE(r.stopped);
}

TEST(DecodeFrames, StopsWhenAskedTo) {
  LineDecoder d;
  Collected c;
  DecodeResult r = run(d, InputView(std::string_view("a\nbb\nccc\n")), c, 1);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.consumed, 2u);
  EXPECT_EQ(c.frames.size(), 1u);
}

TEST(DecodeFrames, GoesOnAfterARecoverableErrorAndStopsAtAFatalOne) {
  HeaderOptions o;
  o.max_payload = 2;
  HeaderDecoder d(o);
  const std::string input =
      "WEFT\x01\0\x01\0\0\0\x03"
      "abc"
      "WEFT\x01\0\x01\0\0\0\x01"
      "z"
      "HTTP"s;
  Collected c;
  DecodeResult r = run(d, InputView(std::string_view(input)), c);
  EXPECT_EQ(c.frames, std::vector<std::string>{"z"});
  ASSERT_EQ(c.errors.size(), 2u);
  EXPECT_EQ(c.errors[0].first, Errc::frame_too_long);
  EXPECT_FALSE(c.errors[0].second);
  EXPECT_EQ(c.errors[1].first, Errc::protocol_error);
  EXPECT_TRUE(c.errors[1].second);
  EXPECT_EQ(r.error, Errc::protocol_error);
  EXPECT_EQ(r.consumed, 26u);
}

TEST(DecodeFrames, CopiesOnlyPayloadsThatSpanSegments) {
  LengthFieldDecoder d;  // 4-byte length, stripped.
  const std::string a = "\0\0\0\x02hi\0\0\0\x05wo"s;
  const std::string b = "rld";
  const std::vector<std::string_view> parts = {a, b};
  std::string scratch;
  std::vector<std::string> frames;
  std::vector<bool> in_scratch;
  decode_frames(
      d, InputView(std::span<const std::string_view>(parts)), scratch,
      [&](const Frame& f) {
        frames.emplace_back(f.payload);
        in_scratch.push_back(f.payload.data() == scratch.data());
      },
      [](std::error_code, bool) {});
  EXPECT_EQ(frames, (std::vector<std::string>{"hi", "world"}));
  EXPECT_EQ(in_scratch, (std::vector<bool>{false, true}));
}

}  // namespace
}  // namespace weft::codec
