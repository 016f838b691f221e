#include "weft/codec/fixed_length.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expect_feedings.h"

namespace weft::codec {
namespace {

using namespace std::string_literals;
using testing::Event;
using testing::frame;

using Case = testing::Vector<size_t>;

TEST(FixedLengthDecoder, Vectors) {
  const Case cases[] = {
      {"netty: ABC DEF GHI", 3, "ABCDEFGHI", {frame("ABC"), frame("DEF"), frame("GHI")}},
      {"remainder waits", 4, "abcdefgh12", {frame("abcd"), frame("efgh")}},
      {"one byte frames", 1, "a\0b"s, {frame("a"), frame("\0"s), frame("b")}},
      {"nothing yet", 8, "1234567", {}},
      {"one long frame", 1000, std::string(2500, 'z'), {frame(std::string(1000, 'z')), frame(std::string(1000, 'z'))}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::expect_events(FixedLengthDecoder(c.options), c.input, c.expected, 20);
  }
}

TEST(FixedLengthDecoder, SaysHowMuchIsMissing) {
  FixedLengthDecoder d(10);
  Decoded r = d.decode(InputView(std::string_view("abc")));
  EXPECT_EQ(r.kind, Decoded::Kind::need_more);
  EXPECT_EQ(r.need, 7u);
  EXPECT_EQ(d.max_buffered(), 10u);
}

TEST(FixedLengthDecoder, RejectsZero) {
  EXPECT_THROW(FixedLengthDecoder(0), std::invalid_argument);
  EXPECT_THROW(FixedLengthEncoder(0), std::invalid_argument);
  EXPECT_THROW(fixed_length_codec(0), std::invalid_argument);
}

TEST(FixedLengthEncoder, ChecksTheSize) {
  BlockPool pool(16);
  Buffer out(pool);
  FixedLengthEncoder e(3);
  EXPECT_EQ(e.encode("ab", out), std::errc::invalid_argument);
  EXPECT_EQ(e.encode("abcd", out), std::errc::invalid_argument);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(e.encode("abc", out));
  EXPECT_EQ(out.to_string(), "abc");
}

TEST(FixedLengthCodec, FactoryRoundTrips) {
  std::unique_ptr<Codec> codec = fixed_length_codec(2)();
  BlockPool pool(3);
  Buffer wire(pool);
  ASSERT_FALSE(codec->encoder().encode("hi", wire));
  ASSERT_FALSE(codec->encoder().encode("yo", wire));
  testing::Driver driver(codec->decoder());
  driver.feed(wire.to_string());
  EXPECT_EQ(driver.events(), (std::vector<Event>{frame("hi"), frame("yo")}));
}

}  // namespace
}  // namespace weft::codec
