#include "weft/codec/length_field.h"

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

LengthFieldOptions opts(size_t max, size_t offset, size_t length, int64_t adjustment, size_t strip,
                        bool fail_fast = true, std::endian order = std::endian::big) {
  LengthFieldOptions o;
  o.max_frame_length = max;
  o.length_field_offset = offset;
  o.length_field_length = length;
  o.length_adjustment = adjustment;
  o.initial_bytes_to_strip = strip;
  o.fail_fast = fail_fast;
  o.byte_order = order;
  return o;
}

using Case = testing::Vector<LengthFieldOptions>;

const std::string hello_world = "HELLO, WORLD";

// netty's test input for testDiscardTooLongFrame1/2: a 32-byte frame, then a 1-byte one.
std::string netty_discard_input() {
  std::string s = "\0\0\0\x20"s;
  for (int i = 0; i < 32; ++i) s += static_cast<char>(i);
  return s + "\0\0\0\x01"s + "a";
}

TEST(LengthFieldDecoder, NettyJavadocExamples) {
  const Case cases[] = {
      {"2 bytes at offset 0, no strip",
       opts(100, 0, 2, 0, 0),
       "\x00\x0C"s + hello_world,
       {frame("\x00\x0C"s + hello_world)}},
      {"2 bytes at offset 0, strip header", opts(100, 0, 2, 0, 2), "\x00\x0C"s + hello_world, {frame(hello_world)}},
      {"2 bytes, length is the whole message",
       opts(100, 0, 2, -2, 0),
       "\x00\x0E"s + hello_world,
       {frame("\x00\x0E"s + hello_world)}},
      {"3 bytes at the end of a 5-byte header",
       opts(100, 2, 3, 0, 0),
       "\xCA\xFE\x00\x00\x0C"s + hello_world,
       {frame("\xCA\xFE\x00\x00\x0C"s + hello_world)}},
      {"3 bytes at the start of a 5-byte header",
       opts(100, 0, 3, 2, 0),
       "\x00\x00\x0C\xCA\xFE"s + hello_world,
       {frame("\x00\x00\x0C\xCA\xFE"s + hello_world)}},
      {"HDR1 LEN HDR2, strip HDR1 and LEN",
       opts(100, 1, 2, 1, 3),
       "\xCA\x00\x0C\xFE"s + hello_world,
       {frame("\xFE"s + hello_world)}},
      {"HDR1 LEN HDR2, LEN is the whole message",
       opts(100, 1, 2, -3, 3),
       "\xCA\x00\x10\xFE"s + hello_world,
       {frame("\xFE"s + hello_world)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::expect_events(LengthFieldDecoder(c.options), c.input + c.input, {c.expected[0], c.expected[0]});
  }
}

TEST(LengthFieldDecoder, Vectors) {
  const Case cases[] = {
      // netty LengthFieldBasedFrameDecoderTest.testDiscardTooLongFrame1/2 (fail fast), and
      // the same stream failing slow.
      {"netty discard too long frame",
       opts(16, 0, 4, 0, 0),
       netty_discard_input(),
       {error(Errc::frame_too_long), frame("\0\0\0\x01"s + "a")}},
      {"netty discard too long frame, fail slow",
       opts(16, 0, 4, 0, 0, false),
       netty_discard_input(),
       {error(Errc::frame_too_long), frame("\0\0\0\x01"s + "a")}},
      {"too long between good frames",
       opts(8, 0, 1, 0, 1),
       "\x02hi\x0a"
       "0123456789\x01z\x00"s,
       {frame("hi"), error(Errc::frame_too_long), frame("z"), frame("")}},
      {"too long between good frames, fail slow",
       opts(8, 0, 1, 0, 1, false),
       "\x02hi\x0a"
       "0123456789\x01z"s,
       {frame("hi"), error(Errc::frame_too_long), frame("z")}},
      {"too long frame not finished, fail fast",
       opts(8, 0, 1, 0, 1),
       "\x0a"
       "0123"s,
       {error(Errc::frame_too_long)}},
      {"too long frame not finished, fail slow",
       opts(8, 0, 1, 0, 1, false),
       "\x0a"
       "0123"s,
       {}},
      {"exactly max frame length",
       opts(10, 0, 1, 0, 1),
       "\x09"
       "123456789"s,
       {frame("123456789")}},
      {"max counts the header",
       opts(10, 0, 1, 0, 1),
       "\x0a"
       "1234567890"s,
       {error(Errc::frame_too_long)}},
      {"zero-length frames", opts(10, 0, 4, 0, 4), "\0\0\0\0\0\0\0\0"s, {frame(""), frame("")}},
      {"1-byte length",
       opts(300, 0, 1, 0, 1),
       "\x03"
       "abc"
       "\xff"s +
           std::string(255, 'q'),
       {frame("abc"), frame(std::string(255, 'q'))}},
      {"8-byte length", opts(100, 0, 8, 0, 8), "\0\0\0\0\0\0\0\x02hi"s, {frame("hi")}},
      {"2-byte little endian", opts(100, 0, 2, 0, 2, true, std::endian::little), "\x02\x00hi"s, {frame("hi")}},
      {"3-byte little endian", opts(100, 0, 3, 0, 3, true, std::endian::little), "\x01\x00\x00z"s, {frame("z")}},
      {"4-byte little endian", opts(100, 0, 4, 0, 4, true, std::endian::little), "\x01\0\0\0z"s, {frame("z")}},
      {"8-byte little endian",
       opts(100, 0, 8, 0, 8, true, std::endian::little),
       "\x02\0\0\0\0\0\0\0hi"s,
       {frame("hi")}},
      {"8-byte negative length",
       opts(100, 0, 8, 0, 8),
       std::string(8, '\xff') + "abc",
       {error(Errc::corrupted_frame, true)}},
      {"8-byte top bit only", opts(100, 0, 8, 0, 8), "\x80\0\0\0\0\0\0\0"s, {error(Errc::corrupted_frame, true)}},
      {"8-byte length overflows with the header",
       opts(100, 0, 8, 0, 8),
       "\x7f\xff\xff\xff\xff\xff\xff\xff"
       "abc"s,
       {error(Errc::frame_too_long)}},
      {"8-byte length overflows with the adjustment",
       opts(100, 0, 8, INT64_MAX, 8),
       "\0\0\0\0\0\0\0\x01"
       "abc"s,
       {error(Errc::frame_too_long)}},
      {"8-byte huge length, fail slow",
       opts(100, 0, 8, 0, 8, false),
       "\x7f\xff\xff\xff\xff\xff\xff\xf0"
       "abc"s,
       {}},
      {"4-byte UINT32_MAX",
       opts(100, 0, 4, 0, 4),
       "\xff\xff\xff\xff"
       "abc"s,
       {error(Errc::frame_too_long)}},
      {"adjusted length below the field's end",
       opts(100, 0, 2, -3, 2),
       "\x00\x01xyz"s,
       {error(Errc::corrupted_frame, true)}},
      {"large negative adjustment",
       opts(100, 0, 1, INT64_MIN, 1),
       "\x05"
       "abcde"s,
       {error(Errc::corrupted_frame, true)}},
      {"strip beyond the frame is skipped",
       opts(100, 0, 1, 0, 3),
       "\x01"
       "a"
       "\x02"
       "bc"s,
       {error(Errc::corrupted_frame), frame("")}},
      {"waits for the header", opts(100, 2, 4, 0, 0), "\xCA\xFE\0\0"s, {}},
      {"waits for the body",
       opts(100, 0, 4, 0, 4),
       "\0\0\0\x05"
       "abcd"s,
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::expect_events(LengthFieldDecoder(c.options), c.input, c.expected);
  }
}

TEST(LengthFieldDecoder, FailFastReportsAtOnceFailSlowAtTheEnd) {
  const std::string head =
      "\x20"
      "abcde"s;  // A 33-byte frame, 1-byte field, max 16.
  for (bool fail_fast : {true, false}) {
    SCOPED_TRACE(fail_fast ? "fail fast" : "fail slow");
    LengthFieldDecoder d(opts(16, 0, 1, 0, 0, fail_fast));
    Decoded r = d.decode(InputView(std::string_view(head)));
    EXPECT_EQ(r.kind, fail_fast ? Decoded::Kind::error : Decoded::Kind::skip);
    EXPECT_EQ(r.consumed, 6u);
    if (fail_fast) {
      EXPECT_EQ(r.error, Errc::frame_too_long);
      EXPECT_FALSE(r.fatal);
    }
    r = d.decode(InputView(std::string_view("0123456789")));
    EXPECT_EQ(r.kind, Decoded::Kind::skip);
    EXPECT_EQ(r.consumed, 10u);
    EXPECT_EQ(d.decode(InputView()).kind, Decoded::Kind::need_more);
    const std::string rest = std::string(17, 'r') + "\x00"s;
    r = d.decode(InputView(std::string_view(rest)));
    EXPECT_EQ(r.kind, fail_fast ? Decoded::Kind::skip : Decoded::Kind::error);
    EXPECT_EQ(r.consumed, 17u);
    r = d.decode(InputView(std::string_view(rest).substr(17)));
    EXPECT_EQ(r.kind, Decoded::Kind::frame);
    EXPECT_EQ(r.payload_size, 1u);
  }
}

TEST(LengthFieldDecoder, NeverWaitsForMoreThanTheFrame) {
  LengthFieldDecoder d(opts(1 << 20, 0, 4, 0, 4));
  Decoded r = d.decode(InputView("\0\0"s.substr(0, 2)));
  EXPECT_EQ(r.kind, Decoded::Kind::need_more);
  EXPECT_EQ(r.need, 2u);
  const std::string head =
      "\0\x01\0\0"
      "ab"s;
  r = d.decode(InputView(std::string_view(head)));
  EXPECT_EQ(r.kind, Decoded::Kind::need_more);
  EXPECT_EQ(r.need, 65536u - 2u);
}

TEST(LengthFieldDecoder, DiscardKeepsNothingBuffered) {
  LengthFieldDecoder d(opts(64, 0, 4, 0, 4, false));
  testing::Driver driver(d);
  driver.feed("\x00\x10\x00\x00"s);  // 1 MiB frame.
  for (int i = 0; i < 256; ++i) {
    driver.feed(std::string(4096, 'x'));
    ASSERT_EQ(driver.pending(), 0u);
  }
  driver.feed("\0\0\0\x02ok"s);
  EXPECT_EQ(driver.events(), (std::vector<Event>{error(Errc::frame_too_long), frame("ok")}));
}

TEST(LengthFieldDecoder, RejectsBadOptions) {
  EXPECT_THROW(LengthFieldDecoder(opts(100, 0, 5, 0, 0)), std::invalid_argument);
  EXPECT_THROW(LengthFieldDecoder(opts(100, 0, 0, 0, 0)), std::invalid_argument);
  EXPECT_THROW(LengthFieldDecoder(opts(0, 0, 1, 0, 0)), std::invalid_argument);
  EXPECT_THROW(LengthFieldDecoder(opts(3, 0, 4, 0, 0)), std::invalid_argument);
  EXPECT_THROW(LengthFieldDecoder(opts(10, 7, 4, 0, 0)), std::invalid_argument);
  EXPECT_THROW(LengthFieldDecoder(opts(10, SIZE_MAX, 4, 0, 0)), std::invalid_argument);
  EXPECT_THROW(LengthFieldDecoder(opts(10, 0, 4, 0, 11)), std::invalid_argument);
  EXPECT_THROW(LengthFieldDecoder(opts(SIZE_MAX, 0, 4, 0, 0)), std::invalid_argument);
  EXPECT_NO_THROW(LengthFieldDecoder(opts(10, 6, 4, 0, 10)));
  try {
    LengthFieldDecoder(opts(10, 7, 4, 0, 0));
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("length_field_offset"), std::string::npos) << e.what();
  }
}

LengthFieldPrependerOptions prepender(size_t length, int64_t adjustment = 0, bool includes = false,
                                      std::endian order = std::endian::big) {
  LengthFieldPrependerOptions o;
  o.length_field_length = length;
  o.length_adjustment = adjustment;
  o.length_includes_length_field = includes;
  o.byte_order = order;
  return o;
}

std::string encode(const LengthFieldPrepender& e, std::string_view payload, std::error_code* ec = nullptr) {
  BlockPool pool(8);
  Buffer out(pool);
  std::error_code result = e.encode(payload, out);
  if (ec != nullptr) *ec = result;
  return out.to_string();
}

TEST(LengthFieldPrepender, WritesTheField) {
  EXPECT_EQ(encode(LengthFieldPrepender(), "hi"), "\0\0\0\x02hi"s);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(1)), "hi"), "\x02hi"s);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(2, 0, true)), "hi"), "\x00\x04hi"s);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(3, 0, false, std::endian::little)), "hi"), "\x02\0\0hi"s);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(8)), "hi"), "\0\0\0\0\0\0\0\x02hi"s);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(8, 0, true, std::endian::little)), ""), "\x08\0\0\0\0\0\0\0"s);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(2, -1)), "hi"), "\x00\x01hi"s);
}

TEST(LengthFieldPrepender, RefusesWhatDoesNotFit) {
  std::error_code ec;
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(1)), std::string(255, 'a'), &ec).size(), 256u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(1)), std::string(256, 'a'), &ec), "");
  EXPECT_EQ(ec, Errc::frame_too_long);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(1, 0, true)), std::string(255, 'a'), &ec), "");
  EXPECT_EQ(ec, Errc::frame_too_long);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(2, -3)), "hi", &ec), "");
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(encode(LengthFieldPrepender(prepender(8, INT64_MAX)), "hi", &ec), "");
  EXPECT_EQ(ec, Errc::frame_too_long);
  EXPECT_THROW(LengthFieldPrepender(prepender(6)), std::invalid_argument);
}

TEST(LengthFieldCodec, PrependerAndDecoderRoundTrip) {
  for (size_t length : {1, 2, 3, 4, 8}) {
    for (std::endian order : {std::endian::big, std::endian::little}) {
      for (bool includes : {false, true}) {
        SCOPED_TRACE(std::to_string(length) + (order == std::endian::big ? " big" : " little") +
                     (includes ? " includes" : ""));
        // The decoder's adjustment undoes what the prepender added to the payload size.
        const int64_t adjustment = includes ? -static_cast<int64_t>(length) : 0;
        const LengthFieldOptions d = opts(300, 0, length, adjustment, length, true, order);
        std::unique_ptr<Codec> codec = length_field_codec(d, prepender(length, 0, includes, order))();
        BlockPool pool(4);
        Buffer wire(pool);
        std::vector<Event> expected;
        for (size_t size : {0, 1, 7, 200}) {
          std::string payload(size, static_cast<char>('a' + size % 26));
          ASSERT_FALSE(codec->encoder().encode(payload, wire));
          expected.push_back(frame(payload));
        }
        testing::expect_events(LengthFieldDecoder(d), wire.to_string(), expected);
      }
    }
  }
}

TEST(LengthFieldCodec, DefaultsPairUp) {
  std::unique_ptr<Codec> codec = length_field_codec()();
  BlockPool pool(4);
  Buffer wire(pool);
  ASSERT_FALSE(codec->encoder().encode("payload", wire));
  testing::Driver driver(codec->decoder());
  driver.feed(wire.to_string());
  EXPECT_EQ(driver.events(), std::vector<Event>{frame("payload")});
}

}  // namespace
}  // namespace weft::codec
