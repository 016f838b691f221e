// What the HTTP layer counts (weft/http/stats.h), after a scripted run with known
// answers: responses by status class, exactly, for handlers, routing errors, malformed
// requests and pipelined requests; latency recorded for every request whose head was read;
// and the same numbers in /metrics, read by prometheus_client's parser. For both servers.

#include <gtest/gtest.h>

#include <string>

#include "http_support.h"
#include "loopback_client.h"
#include "metrics_client.h"
#include "weft/metrics/admin.h"
#include "weft/ws/socket.h"
#include "weft/ws/websocket.h"

namespace weft {
namespace {

http::Router routes() {
  http::Router r;
  r.get("/ok", [](http::Request&, http::Response& res) { res.send(200, "ok\n"); });
  r.get("/moved", [](http::Request&, http::Response& res) { res.header("Location", "/ok").send(301, ""); });
  r.get("/broken", [](http::Request&, http::Response& res) { res.send(503, "later\n"); });
  r.get("/throws", [](http::Request&, http::Response&) { throw std::runtime_error("no"); });
  return r;
}

std::string get(const std::string& path, bool close = true) {
  return "GET " + path + " HTTP/1.1\r\nHost: a\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

// The scripted run: 4 x 200 (one alone, three pipelined on one connection), 301, 503,
// 500 (a handler that throws), 404 (no route), 405 (wrong method), 400 (malformed; its
// head never parsed, so it is not timed).
template <class Fixture>
void run_script(Fixture& f) {
  for (auto [request, status] : {std::pair{get("/ok"), 200},
                                 {get("/moved"), 301},
                                 {get("/broken"), 503},
                                 {get("/throws"), 500},
                                 {get("/nowhere"), 404},
                                 {"DELETE /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 405},
                                 {"GET /ok HTTP/1.1\r\nHost a\r\n\r\n", 400}}) {
    auto reply = test::fetch(f.address(), request);
    ASSERT_TRUE(reply.has_value()) << request;
    EXPECT_EQ(reply->status, status) << request;
  }
  test::LoopbackClient c(f.address());
  ASSERT_TRUE(c.send_all(get("/ok", false) + get("/ok", false) + get("/ok")).ok());
  std::string all;
  ASSERT_EQ(c.read_to_eof(all).outcome, test::Outcome::eof);
  size_t answers = 0;
  for (size_t at = all.find("HTTP/1.1 200"); at != std::string::npos; at = all.find("HTTP/1.1 200", at + 1)) ++answers;
  EXPECT_EQ(answers, 3u) << all;
}

template <class Server>
void check_counts(Server& server, const std::string& admin) {
  // A server-written error response is counted before the connection closes, and a
  // client may see the close first: wait until the last one is in.
  ASSERT_TRUE(test::eventually([&] { return server.stats(0).total() == 10; })) << server.stats(0).total();
  const http::RequestStats& s = server.stats(0);
  EXPECT_EQ(s.responses[0].get(), 0u);  // 1xx
  EXPECT_EQ(s.responses[1].get(), 4u);  // 2xx
  EXPECT_EQ(s.responses[2].get(), 1u);  // 3xx
  EXPECT_EQ(s.responses[3].get(), 3u);  // 4xx: 404, 405, 400
  EXPECT_EQ(s.responses[4].get(), 2u);  // 5xx: 503, 500
  HistogramSnapshot latency = s.latency_ns.snapshot();
  EXPECT_EQ(latency.count(), 9u);  // All but the malformed request.
  EXPECT_GT(latency.sum, 0u);

  auto m = test::scrape(admin);
  for (auto [code, n] : {std::pair{"1xx", 0}, {"2xx", 4}, {"3xx", 1}, {"4xx", 3}, {"5xx", 2}}) {
    EXPECT_EQ(m["weft_http_responses_total{code=\"" + std::string(code) + "\",loop=\"0\",server=\"web\"}"], n) << code;
  }
  EXPECT_EQ(m["weft_http_request_seconds_count{loop=\"0\",server=\"web\"}"], 9);
  EXPECT_EQ(m["weft_http_request_seconds_bucket{le=\"+Inf\",loop=\"0\",server=\"web\"}"], 9);
  EXPECT_EQ(test::total(m, "weft_connections_accepted_total", "server=\"web\""), 8);
}

http::Options one_loop() {
  http::Options o;
  o.net.loops = 1;
  return o;
}

// The script against a server of one loop, its counts read directly and through an Admin.
template <class Fixture>
void script_and_check() {
  if (!test::have_program("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  http::Router r = routes();
  Fixture f(r, one_loop());
  metrics::Registry registry;
  registry.watch(f.server(), "web");
  metrics::Admin admin(registry);
  admin.listen("tcp://127.0.0.1:0").start();
  run_script(f);
  check_counts(f.server(), test::host_port(admin.address()));
}

TEST(MetricsHttpLayer, CallbackServerCountsEveryResponse) {
  script_and_check<test::HttpFixture>();
}

TEST(MetricsHttpLayer, CoroutineServerCountsEveryResponse) {
  script_and_check<test::CoroHttpFixture>();
}

class WsQuiet final : public ws::Handler {
 public:
  void on_message(ws::WebSocket&, ws::MessageType, std::string_view) override {}
};

Task<> ws_quiet(ws::Socket& ws) {
  while (co_await ws.read()) {
  }
}

// A WebSocket handshake's 101 is written by the upgrade, not through a Response: it is
// counted as a 1xx all the same (on the coroutine server once the WebSocket ends).
template <class Fixture>
void upgrade_is_counted(http::Router& r) {
  Fixture f(r, one_loop());
  {
    test::LoopbackClient c(f.address());
    ASSERT_TRUE(c.send_all("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .ok());
    std::string head;
    ASSERT_TRUE(c.read_exact(head, 12).ok());
    EXPECT_EQ(head, "HTTP/1.1 101");
  }
  ASSERT_TRUE(test::eventually([&] { return f.server().stats(0).total() == 1; }));
  EXPECT_EQ(f.server().stats(0).responses[0].get(), 1u);
}

TEST(MetricsHttpLayer, CallbackUpgradeCountsAs1xx) {
  WsQuiet handler;
  http::Router r;
  ws::route(r, "/ws", handler);
  upgrade_is_counted<test::HttpFixture>(r);
}

TEST(MetricsHttpLayer, CoroutineUpgradeCountsAs1xx) {
  http::Router r;
  ws::route(r, "/ws", ws_quiet);
  upgrade_is_counted<test::CoroHttpFixture>(r);
}

}  // namespace
}  // namespace weft
