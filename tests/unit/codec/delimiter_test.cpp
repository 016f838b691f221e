#include "weft/codec/delimiter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expect_feedings.h"

namespace weft::codec {
namespace {

using namespace std::string_literals;
using testing::error;
using testing::Event;
using testing::frame;

using Case = testing::Vector<DelimiterOptions>;

DelimiterOptions opts(std::vector<std::string> delimiters, size_t max, bool strip = true, bool fail_fast = true) {
  DelimiterOptions o;
  o.delimiters = std::move(delimiters);
  o.max_length = max;
  o.strip_delimiter = strip;
  o.fail_fast = fail_fast;
  return o;
}

const std::vector<std::string> line_delimiters = {"\r\n", "\n"};
const std::vector<std::string> nul_delimiter = {"\0"s};

TEST(DelimiterDecoder, Vectors) {
  const Case cases[] = {
      // netty DelimiterBasedFrameDecoderTest.
      {"netty decode", opts(line_delimiters, 8192), "first\r\nsecond\nthird", {frame("first"), frame("second")}},
      {"netty multiple lines, stripped",
       opts(line_delimiters, 8192),
       "TestLine\r\ng\r\n",
       {frame("TestLine"), frame("g")}},
      {"netty multiple lines",
       opts(line_delimiters, 8192, false),
       "TestLine\r\ng\r\n",
       {frame("TestLine\r\n"), frame("g\r\n")}},
      {"netty fail slow recovery",
       opts(nul_delimiter, 1, true, false),
       "\x01\x02\0A\0\x01\x02\0A\0"s,
       {error(Errc::frame_too_long), frame("A"), error(Errc::frame_too_long), frame("A")}},
      {"netty fail fast recovery",
       opts(nul_delimiter, 1, true, true),
       "\x01\x02\0A\0\x01\x02\0A\0"s,
       {error(Errc::frame_too_long), frame("A"), error(Errc::frame_too_long), frame("A")}},
      {"empty frames", opts({"##"}, 4), "####x##", {frame(""), frame(""), frame("x")}},
      {"kept delimiter", opts({"##"}, 4, false), "a##b##", {frame("a##"), frame("b##")}},
      {"exactly max", opts({"\n"}, 3), "abc\nd\n", {frame("abc"), frame("d")}},
      {"one over max", opts({"\n"}, 3), "abcd\nd\n", {error(Errc::frame_too_long), frame("d")}},
      {"exactly max, delimiter arriving", opts({"XYZ"}, 3), "abcXYZ", {frame("abc")}},
      {"too long, multi-byte delimiter", opts({"XYZ"}, 3), "abcdXYZokXYZ", {error(Errc::frame_too_long), frame("ok")}},
      {"too long, fail slow",
       opts({"XYZ"}, 3, true, false),
       "abcdefgXYZokXYZ",
       {error(Errc::frame_too_long), frame("ok")}},
      {"discarding finds a delimiter split across reads",
       opts({"##"}, 3),
       "abcdefg##ok##",
       {error(Errc::frame_too_long), frame("ok")}},
      {"almost-delimiters while discarding",
       opts({"###"}, 2),
       "abc#d##e###f###",
       {error(Errc::frame_too_long), frame("f")}},
      {"unterminated, fail fast", opts({"\n"}, 3), "abcdefgh", {error(Errc::frame_too_long)}},
      {"unterminated, fail slow", opts({"\n"}, 3, true, false), "abcdefgh", {}},
      {"unterminated, short", opts({"\n"}, 3), "ab", {}},
      {"shortest frame wins", opts({"abc", "b"}, 10), "xabcyb", {frame("x"), frame("y")}},
      {"shorter match waits for a longer one", opts({"abc", "b"}, 10), "xabdb", {frame("xa"), frame("d")}},
      {"tie goes to the first listed", opts({"ab", "abc"}, 10), "xabcab", {frame("x"), frame("c")}},
      {"tie goes to the first listed, reversed", opts({"abc", "ab"}, 10), "xabcab", {frame("x")}},
      {"a longer delimiter listed first is waited for", opts({"abc", "ab"}, 10), "xabcabz", {frame("x"), frame("")}},
      {"kept winner", opts({"abc", "b"}, 10, false), "xabcyb", {frame("xabc"), frame("yb")}},
      {"max counts the frame, not the delimiter",
       opts({"abc", "b"}, 1),
       "xabcxyb",
       {frame("x"), error(Errc::frame_too_long)}},
      {"binary nul", opts(nul_delimiter, 8), "\0a\0\xff\xfe\0"s, {frame(""), frame("a"), frame("\xff\xfe")}},
      {"max zero", opts({"\n"}, 0), "\na\n\n", {frame(""), error(Errc::frame_too_long), frame("")}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::expect_events(DelimiterDecoder(c.options), c.input, c.expected);
  }
}

TEST(DelimiterDecoder, KeepsLittleWhileDiscarding) {
  DelimiterDecoder d(opts({"####"}, 4));
  testing::Driver driver(d);
  driver.feed("0123456789");
  driver.feed(std::string(1000, 'x') + "###");
  EXPECT_EQ(driver.pending(), 3u);  // A delimiter may be arriving.
  driver.feed("#ok####");
  EXPECT_EQ(driver.events(), (std::vector<Event>{error(Errc::frame_too_long), frame("ok")}));
}

TEST(DelimiterDecoder, ScansEachByteOnce) {
  // A delimiter that never appears must not make every frame rescan the whole buffer: with
  // 20000 frames in one read this would take seconds if it did.
  DelimiterDecoder d(opts({"\n", "never-here"}, 64));
  std::string input;
  for (int i = 0; i < 20000; ++i) input += "frame\n";
  testing::Driver driver(d);
  driver.feed(input);
  EXPECT_EQ(driver.events().size(), 20000u);
}

TEST(DelimiterDecoder, RejectsBadOptions) {
  EXPECT_THROW(DelimiterDecoder(opts({}, 10)), std::invalid_argument);
  EXPECT_THROW(DelimiterDecoder(opts({"\n", ""}, 10)), std::invalid_argument);
  EXPECT_THROW(DelimiterDecoder(opts({"\n"}, SIZE_MAX)), std::invalid_argument);
  EXPECT_THROW(DelimiterEncoder(opts({}, 10)), std::invalid_argument);
}

TEST(DelimiterEncoder, AppendsTheFirstDelimiter) {
  BlockPool pool(16);
  Buffer out(pool);
  DelimiterEncoder e(opts({"\r\n", "\n"}, 100));
  EXPECT_FALSE(e.encode("one", out));
  EXPECT_FALSE(e.encode("", out));
  EXPECT_EQ(out.to_string(), "one\r\n\r\n");
}

TEST(DelimiterEncoder, RefusesPayloadsThePeerWouldCutEarly) {
  BlockPool pool(16);
  Buffer out(pool);
  // The delimiter inside the payload.
  EXPECT_EQ(DelimiterEncoder(opts({"##"}, 100)).encode("a##b", out), std::errc::invalid_argument);
  // Another delimiter inside the payload.
  EXPECT_EQ(DelimiterEncoder(opts({"\r\n", "\n"}, 100)).encode("a\nb", out), std::errc::invalid_argument);
  // "x" + "b" makes "xb", which starts earlier.
  EXPECT_EQ(DelimiterEncoder(opts({"b", "xb"}, 100)).encode("x", out), std::errc::invalid_argument);
  // "z" + "a" may become "zab" with the next message's first byte.
  EXPECT_EQ(DelimiterEncoder(opts({"a", "zab"}, 100)).encode("xz", out), std::errc::invalid_argument);
  // "#" + "##" makes "###": the first "##" starts inside the payload.
  EXPECT_EQ(DelimiterEncoder(opts({"##"}, 100)).encode("a#", out), std::errc::invalid_argument);
  EXPECT_TRUE(out.empty());
  // A CR before CRLF is fine: "\r\r\n" still ends at the CRLF.
  EXPECT_FALSE(DelimiterEncoder(opts({"\r\n", "\n"}, 100)).encode("a\r", out));
  EXPECT_EQ(out.to_string(), "a\r\r\n");
}

TEST(DelimiterCodec, FactoryRoundTrips) {
  CodecFactory factory = delimiter_codec(opts({"<end>", "|"}, 200));
  std::unique_ptr<Codec> codec = factory();
  BlockPool pool(5);
  Buffer wire(pool);
  const std::vector<std::string> messages = {"hello", "", "<en", "d>", std::string(200, 'x')};
  std::vector<Event> expected;
  for (const std::string& m : messages) {
    ASSERT_FALSE(codec->encoder().encode(m, wire)) << m;
    expected.push_back(frame(m));
  }
  testing::expect_events(DelimiterDecoder(opts({"<end>", "|"}, 200)), wire.to_string(), expected);
}

}  // namespace
}  // namespace weft::codec
