// Every request weft must reject, over a socket: sent whole, one byte per send, and in two
// sends cut at every offset, the server answers with exactly one error response carrying
// "Connection: close", calls no handler, and closes. (The parser test cuts the bytes
// exactly; here the kernel may merge sends, which is what real clients meet.)

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "http_support.h"
#include "strictness_vectors.h"
#include "weft/http/router.h"
#include "weft/http/status.h"

namespace weft::test {
namespace {

using http::testing::Rejection;

std::string error_response(int status) {
  const std::string reason(http::reason_phrase(status));
  const std::string body = std::to_string(status) + " " + reason + "\n";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nServer: weft\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

class Strictness : public ::testing::Test {
 protected:
  Strictness() {
    router_.any("/*rest", [this](http::Request&, http::Response& res) {
      handled_.fetch_add(1);
      res.send(200, "handled");
    });
    router_.any("/", [this](http::Request&, http::Response& res) {
      handled_.fetch_add(1);
      res.send(200, "handled");
    });
  }

  // Sends the pieces (cut before each offset in cuts) and expects the error response, then
  // the end of the connection.
  void expect_rejected(const Address& server, const std::string& input, const std::vector<size_t>& cuts, int status,
                       const std::string& how) {
    LoopbackClient client(server);
    ASSERT_TRUE(client.connected());
    const int one = 1;
    ::setsockopt(client.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t from = 0;
    for (size_t i = 0; i <= cuts.size(); ++i) {
      const size_t to = i < cuts.size() ? cuts[i] : input.size();
      // Once the server has answered and closed, sends may fail: that is fine.
      if (!client.send_all(std::string_view(input).substr(from, to - from)).ok()) break;
      from = to;
    }
    std::string all;
    IoResult end = client.read_to_eof(all);
    EXPECT_EQ(end.outcome, Outcome::eof) << how << ": " << end.describe();
    EXPECT_EQ(without_date(all), error_response(status)) << how;
  }

  void expect_all_ways(const Address& server, const Rejection& r) {
    SCOPED_TRACE(r.name);
    expect_rejected(server, r.input, {}, r.status, "whole");
    std::vector<size_t> bytewise;
    for (size_t i = 1; i < r.input.size(); ++i) bytewise.push_back(i);
    expect_rejected(server, r.input, bytewise, r.status, "byte by byte");
    for (size_t i = 1; i < r.input.size(); ++i) {
      expect_rejected(server, r.input, {i}, r.status, "cut at " + std::to_string(i));
      if (HasFailure()) return;
    }
  }

  http::Router router_;
  std::atomic<int> handled_{0};
};

TEST_F(Strictness, RejectsEveryRuleWithOneResponseAndAClose) {
  HttpFixture server(router_);
  for (const Rejection& r : http::testing::rejections()) {
    expect_all_ways(server.address(), r);
    if (HasFailure()) return;
  }
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(Strictness, EnforcesLimitsWithTheirStatus) {
  http::Options options;
  options.limits.max_request_line = 32;
  options.limits.max_header_section = 64;
  options.limits.max_headers = 3;
  options.limits.max_body = 16;
  HttpFixture server(router_, options);
  const std::vector<Rejection> limits = {
      {"request line", "GET /" + std::string(40, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
      {"header section", "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(60, 'v') + "\r\n\r\n", 431},
      {"header count", "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431},
      {"content length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n", 413},
      {"chunk sizes", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n9\r\n", 413},
  };
  for (const Rejection& r : limits) {
    expect_all_ways(server.address(), r);
    if (HasFailure()) return;
  }
  EXPECT_EQ(handled_.load(), 0);
  // Right at the limits the request is served.
  auto ok = fetch(server.address(), "POST /" + std::string(16, 'a') +
                                        " HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n" + std::string(16, 'b'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(Strictness, AnswersABadRequestAfterGoodOnesOnTheSameConnection) {
  HttpFixture server(router_);
  LoopbackClient client(server.address());
  ASSERT_TRUE(client
                  .send_all("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n"
                            "GET /c HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\nGET /d HTTP/1.1\r\nHost: a\r\n\r\n")
                  .ok());
  std::string pending;
  EXPECT_EQ(read_reply(client, pending)->body, "handled");
  EXPECT_EQ(read_reply(client, pending)->body, "handled");
  std::string rest;
  ASSERT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
  EXPECT_EQ(without_date(pending + rest), error_response(400));
  EXPECT_EQ(handled_.load(), 2);
}

}  // namespace
}  // namespace weft::test
