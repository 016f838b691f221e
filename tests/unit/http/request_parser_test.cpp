// The request parser against RFC 9112's rules: every vector is fed whole, one byte at a
// time and in two pieces cut at every offset, and must give the same requests and the same
// error every time. Each rejection names its status; the server's response to each status
// is tested in tests/integration/http_strictness_test.cpp.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser_driver.h"
#include "strictness_vectors.h"

namespace weft::http::testing {
namespace {

struct Vector {
  const char* name;
  std::string input;
  std::vector<std::string> expected;
  Limits limits{};
};

const char* kGetA = "GET / HTTP/1.1 path=/ query= keep-alive | Host: a | body=";

void expect_vector(const Vector& v) {
  SCOPED_TRACE(v.name);
  for (const std::vector<size_t>& cuts : all_cuts(v.input.size())) {
    ParserDriver driver(v.limits);
    ParseOutcome got = driver.run(v.input, cuts);
    if (got.events != v.expected) {
      std::string how = cuts.empty() ? "whole" : cuts.size() > 1 ? "byte by byte" : "cut at " + std::to_string(cuts[0]);
      std::string text;
      for (const std::string& e : got.events) text += "\n    " + e;
      std::string want;
      for (const std::string& e : v.expected) want += "\n    " + e;
      ADD_FAILURE() << how << "\n  got:" << text << "\n  expected:" << want;
      return;
    }
  }
}

TEST(RequestParser, AcceptsWellFormedRequests) {
  const std::vector<Vector> vectors = {
      {"simple GET", get("/"), {kGetA}},
      {"pipelined",
       get("/a?x=1") + get("/b"),
       {"GET /a?x=1 HTTP/1.1 path=/a query=x=1 keep-alive | Host: a | body=",
        "GET /b HTTP/1.1 path=/b query= keep-alive | Host: a | body="}},
      {"leading empty line", "\r\n" + get("/"), {kGetA}},
      {"content-length body",
       post("Content-Length: 3\r\n", "abc") + get("/"),
       {"POST /p HTTP/1.1 path=/p query= keep-alive | Host: a | Content-Length: 3 | length 3 | body=abc", kGetA}},
      {"chunked body with trailers",
       post("Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT1: v1 \r\nT2:\r\n\r\n") + get("/"),
       {"POST /p HTTP/1.1 path=/p query= keep-alive | Host: a | Transfer-Encoding: chunked | chunked | body=abcde"
        " | trailer T1: v1 | trailer T2: ",
        kGetA}},
      {"absolute form",
       "GET http://example.com:8080/x/y?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
       {"GET http://example.com:8080/x/y?q=1 HTTP/1.1 path=/x/y query=q=1 keep-alive | Host: example.com:8080 | "
        "body="}},
      {"absolute form without a path",
       "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
       {"GET http://example.com HTTP/1.1 path=/ query= keep-alive | Host: example.com | body="}},
      {"asterisk form",
       "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
       {"OPTIONS * HTTP/1.1 path=* query= keep-alive | Host: a | body="}},
      {"HTTP/1.0 without Host closes",
       "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n",
       {"GET / HTTP/1.0 path=/ query= close | body="}},
      {"HTTP/1.0 keep-alive",
       "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get("/"),
       {"GET / HTTP/1.0 path=/ query= keep-alive | Connection: keep-alive | body=", kGetA}},
      {"Connection: close stops",
       get("/", "Host: a\r\nConnection: close\r\n") + get("/"),
       {"GET / HTTP/1.1 path=/ query= close | Host: a | Connection: close | body="}},
      {"values trimmed, tab and obs-text kept",
       get("/", "Host: a\r\nX:  a\tb \xff\t \r\nEmpty:\r\n"),
       {"GET / HTTP/1.1 path=/ query= keep-alive | Host: a | X: a\tb \xff | Empty:  | body="}},
      {"upgrade stops",
       get("/ws", "Host: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n") + "\x81\x80",
       {"GET /ws HTTP/1.1 path=/ws query= keep-alive | Host: a | Connection: Upgrade | Upgrade: websocket | body="}},
      {"empty Host with origin form",
       get("/", "Host:\r\n"),
       {"GET / HTTP/1.1 path=/ query= keep-alive | Host:  | body="}},
      {"Expect: 100-continue",
       post("Expect: 100-Continue\r\nContent-Length: 1\r\n", "z"),
       {"POST /p HTTP/1.1 path=/p query= keep-alive | Host: a | Expect: 100-Continue | Content-Length: 1 | length 1"
        " | body=z"}},
  };
  for (const Vector& v : vectors) expect_vector(v);
}

TEST(RequestParser, RejectsWhatRfc9112Rejects) {
  for (const Rejection& r : rejections()) {
    expect_vector({r.name, r.input, {"error " + std::to_string(r.status)}});
  }
}

TEST(RequestParser, ParsesNothingAfterAnError) {
  expect_vector({"a good request, then a bad one",
                 get("/") + get("/", "Host: a\r\nX: a\r\n b\r\n") + get("/"),
                 {kGetA, "error 400"}});
}

std::string request_line_of(size_t length) {
  const std::string fixed = "GET / HTTP/1.1";
  return "GET /" + std::string(length - fixed.size(), 'a') + " HTTP/1.1";
}

TEST(RequestParser, LimitsTheRequestLine) {
  Limits limits;
  limits.max_request_line = 64;
  const std::string at_limit = request_line_of(64) + "\r\nHost: a\r\n\r\n";
  expect_vector({"at the limit",
                 at_limit,
                 {"GET /" + std::string(50, 'a') + " HTTP/1.1 path=/" + std::string(50, 'a') +
                  " query= keep-alive | Host: a | body="},
                 limits});
  expect_vector({"one byte over", request_line_of(65) + "\r\nHost: a\r\n\r\n", {"error 414"}, limits});
  expect_vector({"far over, never ending", std::string(200, 'G'), {"error 400"}, limits});
  expect_vector({"far over", "GET /" + std::string(300, 'a'), {"error 414"}, limits});
  // An error past the limit is never seen: the limit answers first, however it is split.
  expect_vector({"bad byte past the limit", "GET /" + std::string(100, 'a') + "\x01", {"error 414"}, limits});
  // The default is 8 KiB.
  expect_vector({"default", request_line_of(8 * 1024 + 1) + "\r\nHost: a\r\n\r\n", {"error 414"}});
}

TEST(RequestParser, LimitsTheHeaderSection) {
  Limits limits;
  limits.max_header_section = 64;
  // "Host: a\r\n" (9) + "X: <v>\r\n" (5 + v) + "\r\n" (2) = 64 when v is 48.
  const std::string value(48, 'v');
  expect_vector({"at the limit",
                 get("/", "Host: a\r\nX: " + value + "\r\n"),
                 {"GET / HTTP/1.1 path=/ query= keep-alive | Host: a | X: " + value + " | body="},
                 limits});
  expect_vector({"one byte over", get("/", "Host: a\r\nX: " + value + "v\r\n"), {"error 431"}, limits});
  expect_vector({"never ending", "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(100, 'v'), {"error 431"}, limits});
  expect_vector(
      {"bad byte past the limit", "GET / HTTP/1.1\r\nX: " + std::string(100, 'v') + "\x01", {"error 431"}, limits});
  Limits count;
  count.max_headers = 3;
  expect_vector({"fields at the count",
                 get("/", "Host: a\r\nA: 1\r\nB: 2\r\n"),
                 {"GET / HTTP/1.1 path=/ query= keep-alive | Host: a | A: 1 | B: 2 | body="},
                 count});
  expect_vector({"one field too many", get("/", "Host: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n"), {"error 431"}, count});
  Limits large;
  large.max_header_section = Limits::kMaxHeaderSection;
  const std::string big(70 * 1024, 'b');
  ParserDriver driver(large);
  EXPECT_EQ(driver.run(get("/", "Host: a\r\nBig: " + big + "\r\n"), {}).error, 0);
  ParserDriver by_default;
  EXPECT_EQ(by_default.run(get("/", "Host: a\r\nBig: " + big + "\r\n"), {}).error, 431);
}

TEST(RequestParser, LimitsTheBodyBeforeReadingIt) {
  Limits limits;
  limits.max_body = 10;
  expect_vector(
      {"length at the limit",
       post("Content-Length: 10\r\n", "0123456789"),
       {"POST /p HTTP/1.1 path=/p query= keep-alive | Host: a | Content-Length: 10 | length 10 | body=0123456789"},
       limits});
  // Rejected at the head: the body need not have arrived.
  expect_vector({"length over the limit", post("Content-Length: 11\r\n", ""), {"error 413"}, limits});
  expect_vector({"chunks at the limit",
                 post("Transfer-Encoding: chunked\r\n", "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n"),
                 {"POST /p HTTP/1.1 path=/p query= keep-alive | Host: a | Transfer-Encoding: chunked | chunked"
                  " | body=0123456789"},
                 limits});
  expect_vector(
      {"chunks over the limit", post("Transfer-Encoding: chunked\r\n", "5\r\n01234\r\n6\r\n"), {"error 413"}, limits});
  expect_vector(
      {"one huge chunk", post("Transfer-Encoding: chunked\r\n", "ffffffffffffff\r\n"), {"error 413"}, limits});
  expect_vector({"long chunk extensions",
                 post("Transfer-Encoding: chunked\r\n", "1;a=" + std::string(5000, 'x') + "\r\nz\r\n0\r\n\r\n"),
                 {"error 400"}});
}

}  // namespace
}  // namespace weft::http::testing
