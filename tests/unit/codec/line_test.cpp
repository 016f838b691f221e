#include "weft/codec/line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expect_feedings.h"

namespace weft::codec {
namespace {

using testing::error;
using testing::Event;
using testing::frame;

using Case = testing::Vector<LineOptions>;

LineOptions opts(size_t max, bool strip, bool fail_fast) {
  LineOptions o;
  o.max_length = max;
  o.strip_delimiter = strip;
  o.fail_fast = fail_fast;
  return o;
}

TEST(LineDecoder, Vectors) {
  const Case cases[] = {
      {"lf and crlf, stripped", opts(8192, true, false), "first\r\nsecond\nthird", {frame("first"), frame("second")}},
      {"lf and crlf, kept",
       opts(8192, false, false),
       "first\r\nsecond\nthird",
       {frame("first\r\n"), frame("second\n")}},
      {"empty lines", opts(10, true, false), "\n\r\n\n", {frame(""), frame(""), frame("")}},
      {"empty lines kept", opts(10, false, false), "\n\r\n", {frame("\n"), frame("\r\n")}},
      {"lone cr is content", opts(10, true, false), "a\rb\n\r\r\n", {frame("a\rb"), frame("\r")}},
      {"incomplete line waits", opts(10, true, false), "abc\r", {}},
      {"exactly max with lf", opts(5, true, false), "abcde\n", {frame("abcde")}},
      {"exactly max with crlf", opts(5, true, true), "abcde\r\n", {frame("abcde")}},
      {"exactly max crlf kept", opts(5, false, true), "abcde\r\nx\n", {frame("abcde\r\n"), frame("x\n")}},
      {"one over max", opts(5, true, false), "abcdef\nok\n", {error(Errc::frame_too_long), frame("ok")}},
      {"one over max, fail fast", opts(5, true, true), "abcdef\nok\n", {error(Errc::frame_too_long), frame("ok")}},
      {"cr counts when not before lf",
       opts(3, true, true),
       "abc\r\r\nok\n",
       {error(Errc::frame_too_long), frame("ok")}},
      {"cr before lf fits", opts(4, true, true), "abc\r\r\n", {frame("abc\r")}},
      {"max zero", opts(0, true, false), "\na\n\r\n", {frame(""), error(Errc::frame_too_long), frame("")}},
      // netty LineBasedFrameDecoderTest.testTooLongLine1 / testTooLongLine2 / ...WithFailFast.
      {"netty too long line 1",
       opts(16, false, false),
       "12345678901234567890\r\nfirst\nsecond",
       {error(Errc::frame_too_long), frame("first\n")}},
      {"netty too long line 2",
       opts(16, false, false),
       "12345678901234567890\r\nfirst\r\n",
       {error(Errc::frame_too_long), frame("first\r\n")}},
      {"netty too long line, fail fast",
       opts(16, false, true),
       "12345678901234567890\r\nfirst\r\n",
       {error(Errc::frame_too_long), frame("first\r\n")}},
      {"two too long lines, fail fast",
       opts(3, true, true),
       "xxxxxxxx\nyyyyyyyyyy\r\nok\n",
       {error(Errc::frame_too_long), error(Errc::frame_too_long), frame("ok")}},
      {"too long unterminated, fail fast", opts(3, true, true), "abcdefgh", {error(Errc::frame_too_long)}},
      {"too long unterminated, fail slow", opts(3, true, false), "abcdefgh", {}},
      {"too long line ends in cr lf split",
       opts(2, true, false),
       "abcd\r\nok\r\n",
       {error(Errc::frame_too_long), frame("ok")}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::expect_events(LineDecoder(c.options), c.input, c.expected);
  }
}

TEST(LineDecoder, AnswersStepByStep) {
  LineDecoder d(opts(4, true, true));
  Decoded r = d.decode(InputView(std::string_view("ab")));
  EXPECT_EQ(r.kind, Decoded::Kind::need_more);
  EXPECT_GE(r.need, 1u);
  r = d.decode(InputView(std::string_view("ab\r\ncd")));
  EXPECT_EQ(r.kind, Decoded::Kind::frame);
  EXPECT_EQ(r.consumed, 4u);
  EXPECT_EQ(r.payload_offset, 0u);
  EXPECT_EQ(r.payload_size, 2u);
  // Fail fast: five bytes and no line end among them.
  r = d.decode(InputView(std::string_view("cdefg")));
  EXPECT_EQ(r.kind, Decoded::Kind::error);
  EXPECT_EQ(r.error, Errc::frame_too_long);
  EXPECT_FALSE(r.fatal);
  EXPECT_EQ(r.consumed, 5u);
  r = d.decode(InputView(std::string_view("hij")));
  EXPECT_EQ(r.kind, Decoded::Kind::skip);
  EXPECT_EQ(r.consumed, 3u);
  r = d.decode(InputView(std::string_view("k\nz\n")));
  EXPECT_EQ(r.kind, Decoded::Kind::skip);
  EXPECT_EQ(r.consumed, 2u);
  r = d.decode(InputView(std::string_view("z\n")));
  EXPECT_EQ(r.kind, Decoded::Kind::frame);
}

TEST(LineDecoder, ResetForgetsDiscarding) {
  LineDecoder d(opts(2, true, false));
  EXPECT_EQ(d.decode(InputView(std::string_view("abcd"))).kind, Decoded::Kind::skip);
  d.reset();
  Decoded r = d.decode(InputView(std::string_view("x\n")));
  EXPECT_EQ(r.kind, Decoded::Kind::frame);
  EXPECT_EQ(r.payload_size, 1u);
}

TEST(LineDecoder, RejectsAbsurdMax) {
  LineOptions o;
  o.max_length = SIZE_MAX;
  EXPECT_THROW(LineDecoder{o}, std::invalid_argument);
}

TEST(LineEncoder, AppendsTheLineEnd) {
  BlockPool pool(16);
  Buffer out(pool);
  EXPECT_FALSE(LineEncoder().encode("hi", out));
  LineOptions crlf;
  crlf.crlf = true;
  EXPECT_FALSE(LineEncoder(crlf).encode("there", out));
  EXPECT_FALSE(LineEncoder().encode("", out));
  EXPECT_EQ(out.to_string(), "hi\nthere\r\n\n");
}

TEST(LineEncoder, RefusesWhatWouldNotRoundTrip) {
  BlockPool pool(16);
  Buffer out(pool);
  EXPECT_EQ(LineEncoder().encode("a\nb", out), std::errc::invalid_argument);
  EXPECT_EQ(LineEncoder().encode("a\r", out), std::errc::invalid_argument);
  EXPECT_TRUE(out.empty());
  LineOptions crlf;
  crlf.crlf = true;
  EXPECT_FALSE(LineEncoder(crlf).encode("a\r", out));
  EXPECT_EQ(out.to_string(), "a\r\r\n");
}

TEST(LineCodec, FactoryRoundTrips) {
  LineOptions o;
  o.crlf = true;
  CodecFactory factory = line_codec(o);
  std::unique_ptr<Codec> codec = factory();
  BlockPool pool(5);
  Buffer wire(pool);
  const std::vector<std::string> messages = {"hello", "", "a\rb", std::string(100, 'x')};
  for (const std::string& m : messages) ASSERT_FALSE(codec->encoder().encode(m, wire));
  std::vector<testing::Event> expected;
  expected.reserve(messages.size());
  for (const std::string& m : messages) expected.push_back(frame(m));
  testing::Driver driver(codec->decoder());
  driver.feed(wire.to_string());
  EXPECT_EQ(driver.events(), expected);
  EXPECT_NE(factory().get(), codec.get());
}

}  // namespace
}  // namespace weft::codec
