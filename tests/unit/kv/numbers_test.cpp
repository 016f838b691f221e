#include "numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace weft::kv {
namespace {

TEST(Numbers, IntegersAsRedisReadsThem) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("-1"), -1);
  EXPECT_EQ(parse_int("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_int("-9223372036854775808"), INT64_MIN);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "9223372036854775808", "1.0", "0x10"}) {
    EXPECT_FALSE(parse_int(bad)) << bad;
  }
}

TEST(Numbers, Floats) {
  EXPECT_EQ(parse_double("1.5"), 1.5);
  EXPECT_EQ(parse_double("-inf"), -INFINITY);
  EXPECT_FALSE(parse_double("nan"));
  EXPECT_FALSE(parse_double(" 1"));
  EXPECT_FALSE(parse_double("1e999"));
  EXPECT_FALSE(parse_double("1x"));
  char buf[5200];
  EXPECT_EQ(std::string(buf, format_long_double(10.5L, buf, sizeof buf)), "10.5");
  EXPECT_EQ(std::string(buf, format_long_double(3.0e3L, buf, sizeof buf)), "3000");
  EXPECT_EQ(std::string(buf, format_long_double(-0.0L, buf, sizeof buf)), "0");
  EXPECT_EQ(std::string(buf, format_long_double(INFINITY, buf, sizeof buf)), "inf");
}

}  // namespace
}  // namespace weft::kv
