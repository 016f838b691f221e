// Request's helpers: query values, percent decoding, case-insensitive names.
#include "weft/http/request.h"

#include <gtest/gtest.h>

#include <string>

#include "parser_driver.h"

namespace weft::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndRejectsMalformedOnes) {
  std::string out;
  EXPECT_TRUE(percent_decode("a%20b%2Fc", out));
  EXPECT_EQ(out, "a b/c");
  EXPECT_TRUE(percent_decode("a+b", out));
  EXPECT_EQ(out, "a+b");
  EXPECT_TRUE(percent_decode("a+b%2b", out, true));
  EXPECT_EQ(out, "a b+");
  EXPECT_TRUE(percent_decode("%00", out));
  EXPECT_EQ(out, std::string(1, '\0'));
  EXPECT_FALSE(percent_decode("%", out));
  EXPECT_FALSE(percent_decode("%4", out));
  EXPECT_FALSE(percent_decode("%zz", out));
  EXPECT_FALSE(percent_decode("ab%4", out));
}

TEST(Iequals, ComparesAsciiWithoutCase) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_FALSE(iequals("Content-Length", "content-lengt"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(iequals("", ""));
}

TEST(Request, LooksUpHeadersQueryValuesAndTrailers) {
  detail::RequestParser parser{Limits{}};
  const std::string input =
      "POST /p?a=1&b=&c&a=2 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\nx-one: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\nz\r\n0\r\nChecksum: abc\r\n\r\n";
  std::string_view rest = input;
  detail::RequestParser::Step step;
  do {
    step = parser.feed(rest);
    rest.remove_prefix(step.used);
  } while (step.event != detail::RequestParser::Event::message_end &&
           step.event != detail::RequestParser::Event::error);
  ASSERT_EQ(step.event, detail::RequestParser::Event::message_end);
  Request& r = parser.request();
  detail::RequestAccess::set_head(r, input.data(), "z");
  EXPECT_EQ(r.method(), Method::post);
  EXPECT_EQ(r.method_name(), "POST");
  EXPECT_EQ(r.header("X-ONE"), "1");
  EXPECT_TRUE(r.has_header("host"));
  EXPECT_FALSE(r.has_header("cookie"));
  EXPECT_EQ(r.header("cookie"), "");
  EXPECT_EQ(r.header_count(), 4u);
  EXPECT_EQ(r.query_value("a"), "1");
  EXPECT_EQ(r.query_value("b"), "");
  EXPECT_EQ(r.query_value("c"), "");
  EXPECT_EQ(r.query_value("d"), "");
  EXPECT_EQ(r.trailer("checksum"), "abc");
  EXPECT_EQ(r.trailer_count(), 1u);
  size_t n = 0;
  for (HeaderField f : r.headers()) {
    if (iequals(f.name, "x-one")) ++n;
  }
  EXPECT_EQ(n, 2u);
  EXPECT_TRUE(r.chunked());
  EXPECT_FALSE(r.content_length().has_value());
}

TEST(Method, NamesRoundTrip) {
  for (size_t i = 0; i < kMethodCount; ++i) {
    const auto m = static_cast<Method>(i);
    EXPECT_EQ(method_from_string(to_string(m)), m) << to_string(m);
  }
  EXPECT_EQ(method_from_string("get"), Method::other);
  EXPECT_EQ(to_string(Method::msearch), "M-SEARCH");
}

}  // namespace
}  // namespace weft::http
