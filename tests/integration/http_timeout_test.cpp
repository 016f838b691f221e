// HTTP timeouts over real sockets: a head that trickles in (slowloris) gets 408, a silent
// new connection and an idle keep-alive connection are closed quietly, a stalled body
// gets 408, and a handler that never answers gets 503. Each wait is bounded by the
// client's own deadline; only lower bounds on the time taken are asserted.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "http_support.h"
#include "weft/http/router.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

http::Options short_timeouts() {
  http::Options o;
  o.timeouts.header = 200ms;
  o.timeouts.body = 200ms;
  o.timeouts.idle = 200ms;
  o.timeouts.handler = 200ms;
  return o;
}

http::Router router() {
  http::Router r;
  r.get("/", [](http::Request&, http::Response& res) { res.send(200, "ok"); });
  r.post("/", [](http::Request& req, http::Response& res) { res.send(200, req.body()); });
  return r;
}

TEST(HttpTimeouts, AnswersASlowHeadWith408) {
  http::Router r = router();
  HttpFixture server(r, short_timeouts());
  LoopbackClient client(server.address());
  const auto start = Clock::now();
  // One byte every 20 ms: the head would take over 2 s to arrive.
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    const std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + std::string(100, 'z') + "\r\n\r\n";
    for (char c : head) {
      if (stop || !client.send_all(std::string_view(&c, 1)).ok()) return;
      std::this_thread::sleep_for(20ms);
    }
  });
  std::string all;
  const IoResult end = client.read_to_eof(all);
  stop = true;
  trickle.join();
  EXPECT_EQ(end.outcome, Outcome::eof) << end.describe();
  EXPECT_EQ(all.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << all;
  EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos);
  EXPECT_GE(Clock::now() - start, 150ms);
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(HttpTimeouts, ClosesSilentAndIdleConnectionsQuietly) {
  http::Router r = router();
  HttpFixture server(r, short_timeouts());
  {
    LoopbackClient silent(server.address());
    std::string all;
    EXPECT_EQ(silent.read_to_eof(all).outcome, Outcome::eof);
    EXPECT_EQ(all, "");
  }
  {
    LoopbackClient client(server.address());
    std::string pending;
    ASSERT_TRUE(client.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    ASSERT_TRUE(read_reply(client, pending));
    const auto start = Clock::now();
    std::string rest;
    EXPECT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
    EXPECT_EQ(rest, "");
    EXPECT_GE(Clock::now() - start, 150ms);
  }
}

TEST(HttpTimeouts, AnswersAStalledBodyWith408) {
  http::Router r = router();
  HttpFixture server(r, short_timeouts());
  LoopbackClient client(server.address());
  ASSERT_TRUE(client.send_all("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab").ok());
  std::string all;
  EXPECT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
  EXPECT_EQ(all.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << all;
}

TEST(HttpTimeouts, Answers503WhenAHandlerTakesTooLong) {
  http::Router r;
  std::vector<http::Responder> parked;
  r.get("/never", [&](http::Request&, http::Response& res) { parked.push_back(res.defer()); });
  {
    HttpFixture server(r, short_timeouts());
    LoopbackClient client(server.address());
    ASSERT_TRUE(client.send_all("GET /never HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    std::string all;
    EXPECT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
    EXPECT_EQ(all.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << all;
    EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos);
    parked.clear();  // Responders must not outlive the server; these find nothing to answer.
  }
}

}  // namespace
}  // namespace weft::test
