#include "weft/codec/header.h"

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

// A frame on the wire, written by hand rather than by the encoder under test.
std::string wire(std::string_view payload, uint16_t type, std::string_view magic = "WEFT", uint8_t version = 1,
                 int64_t declared = -1) {
  const uint32_t length = declared < 0 ? static_cast<uint32_t>(payload.size()) : static_cast<uint32_t>(declared);
  std::string s(magic);
  s += static_cast<char>(version);
  s += static_cast<char>(type >> 8);
  s += static_cast<char>(type & 0xff);
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((length >> shift) & 0xff);
  s += payload;
  return s;
}

HeaderOptions opts(uint32_t max_payload, std::string magic = "WEFT", uint8_t version = 1) {
  HeaderOptions o;
  o.magic = std::move(magic);
  o.version = version;
  o.max_payload = max_payload;
  return o;
}

using Case = testing::Vector<HeaderOptions>;

TEST(HeaderDecoder, Vectors) {
  const Case cases[] = {
      {"one frame", opts(100), wire("hi", 7), {frame("hi", 7)}},
      {"empty payload", opts(100), wire("", 0xffff), {frame("", 0xffff)}},
      {"back to back",
       opts(100),
       wire("a", 1) + wire("bc", 2) + wire("", 3),
       {frame("a", 1), frame("bc", 2), frame("", 3)}},
      {"exactly max", opts(3), wire("abc", 1), {frame("abc", 1)}},
      {"too long, then recovers",
       opts(3),
       wire("abcd", 1) + wire("ok", 2),
       {error(Errc::frame_too_long), frame("ok", 2)}},
      {"declared 4 GiB", opts(3), wire("abcdef", 1, "WEFT", 1, 0xffffffff), {error(Errc::frame_too_long)}},
      {"wrong magic",
       opts(100),
       wire("a", 1) + "GET / HTTP/1.1\r\n",
       {frame("a", 1), error(Errc::protocol_error, true)}},
      {"wrong first byte only", opts(100), "X", {error(Errc::protocol_error, true)}},
      {"wrong version", opts(100), wire("a", 1, "WEFT", 2), {error(Errc::protocol_error, true)}},
      {"custom magic and version",
       opts(100, "\xCA\xFE\0\x01"s, 9),
       wire("z", 4, "\xCA\xFE\0\x01"s, 9),
       {frame("z", 4)}},
      {"partial header waits", opts(100), wire("abc", 1).substr(0, 10), {}},
      {"partial payload waits", opts(100), wire("abc", 1).substr(0, 13), {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::expect_events(HeaderDecoder(c.options), c.input, c.expected);
  }
}

TEST(HeaderDecoder, RefusesAnotherProtocolAtItsFirstByte) {
  HeaderDecoder d;
  Decoded r = d.decode(InputView(std::string_view("WEFX")));
  EXPECT_EQ(r.kind, Decoded::Kind::error);
  EXPECT_EQ(r.error, Errc::protocol_error);
  EXPECT_TRUE(r.fatal);
}

TEST(HeaderDecoder, DiscardsATooLongPayloadAcrossReads) {
  HeaderDecoder d(opts(10));
  testing::Driver driver(d);
  driver.feed(wire("", 1, "WEFT", 1, 5000));
  for (int i = 0; i < 50; ++i) {
    driver.feed(std::string(100, 'x'));
    EXPECT_EQ(driver.pending(), 0u);
  }
  driver.feed(wire("after", 9));
  EXPECT_EQ(driver.events(), (std::vector<Event>{error(Errc::frame_too_long), frame("after", 9)}));
}

TEST(HeaderDecoder, RejectsBadMagic) {
  EXPECT_THROW(HeaderDecoder(opts(10, "WEF")), std::invalid_argument);
  EXPECT_THROW(HeaderEncoder(opts(10, "WEFTS")), std::invalid_argument);
}

TEST(HeaderEncoder, WritesTheHeader) {
  BlockPool pool(16);
  Buffer out(pool);
  HeaderEncoder e(opts(100));
  EXPECT_FALSE(e.encode("hi", out, 0x1234));
  EXPECT_EQ(out.to_string(), "WEFT\x01\x12\x34\0\0\0\x02hi"s);
}

TEST(HeaderEncoder, RefusesWhatDoesNotFit) {
  BlockPool pool(16);
  Buffer out(pool);
  HeaderEncoder e(opts(3));
  EXPECT_EQ(e.encode("abcd", out, 1), Errc::frame_too_long);
  EXPECT_EQ(e.encode("abc", out, 0x10000), std::errc::invalid_argument);
  EXPECT_TRUE(out.empty());
}

TEST(HeaderCodec, FactoryRoundTrips) {
  const HeaderOptions o = opts(300, "ABCD", 3);
  std::unique_ptr<Codec> codec = header_codec(o)();
  BlockPool pool(5);
  Buffer wire_bytes(pool);
  std::vector<Event> expected;
  for (uint32_t type : {0u, 1u, 300u, 0xffffu}) {
    std::string payload(type % 251, static_cast<char>(type));
    ASSERT_FALSE(codec->encoder().encode(payload, wire_bytes, type));
    expected.push_back(frame(payload, type));
  }
  testing::expect_events(HeaderDecoder(o), wire_bytes.to_string(), expected);
}

}  // namespace
}  // namespace weft::codec
