// The coroutine HTTP server: coroutine handlers that await sleep, offload, dial and the
// request body, beside callback handlers on the same router; pipelined answers in order;
// the same strict parser (every rejection gets the same response as from http::Server);
// streaming with flush; the handler deadline; and stopping (a response in progress is
// finished, timeouts.idle_on_stop answers a keep-alive connection's next request).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "http_support.h"
#include "strictness_vectors.h"
#include "weft/coro/dial.h"
#include "weft/coro/offload.h"
#include "weft/coro/sleep.h"
#include "weft/http/router.h"
#include "weft/http/status.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;
using http::Request;
using http::Response;

Task<> slow(Request& req, Response& res) {
  std::string tag(req.query());  // Views stay valid across the awaits, but a copy is cheap.
  if (co_await weft::sleep(20ms)) co_return;
  res.send(200, "slow " + tag);
}

Task<> work(Request& req, Response& res) {
  const std::string input(req.param("n"));
  const std::thread::id loop_thread = std::this_thread::get_id();
  std::string doubled = co_await weft::offload(
      [&] { return std::this_thread::get_id() != loop_thread ? input + input : std::string("same thread"); });
  res.send(200, doubled);
}

Task<> upload(Request& req, Response& res) {
  size_t total = 0;
  size_t pieces = 0;
  for (;;) {
    Result<std::string_view> piece = co_await req.read_body();
    if (!piece) co_return;
    if (piece->empty()) break;
    total += piece->size();
    ++pieces;
  }
  res.send(200, std::to_string(total) + (pieces > 1 ? " in pieces" : " in one"));
}

Task<> big(Request&, Response& res) {
  res.begin(8 * 1024 * 1024);
  const std::string chunk(64 * 1024, 'z');
  for (int i = 0; i < 128; ++i) {
    res.write(chunk);
    if (co_await res.flush()) co_return;
  }
  res.end();
}

http::Router make_router(const Address* self) {
  http::Router router;
  router.get("/", [](Request&, Response& res) { res.send(200, "hello\n"); })
      .get("/slow", slow)
      .get("/work/:n", work)
      .post("/echo",
            [](Request& req, Response& res) -> Task<> {
              res.send(200, req.body());
              co_return;
            })
      .put("/upload", upload, {.stream_body = true})
      .get("/big", big)
      .get("/proxy", [self](Request&, Response& res) -> Task<> {
        Result<Stream> peer = co_await weft::dial(self->to_string(), std::chrono::seconds(5));
        if (!peer) co_return;
        if (co_await peer->write("GET / HTTP/1.1\r\nHost: self\r\nConnection: close\r\n\r\n")) co_return;
        std::string all;
        for (;;) {
          Result<std::string_view> got = co_await peer->read_some();
          if (!got) break;
          all += *got;
        }
        res.send(200, "proxied " + std::to_string(all.find("hello\n") != std::string::npos));
      });
  return router;
}

TEST(HttpCoro, ServesCoroutineAndCallbackHandlersInOrder) {
  Address self;
  http::Router router = make_router(&self);
  CoroHttpFixture server(router);
  self = server.address();
  LoopbackClient client(server.address());
  std::string pending;
  ASSERT_TRUE(client
                  .send_all("GET /slow?1 HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
                            "GET /slow?3 HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n"
                            "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\nDELETE / HTTP/1.1\r\nHost: a\r\n\r\n")
                  .ok());
  EXPECT_EQ(read_reply(client, pending)->body, "slow 1");
  EXPECT_EQ(read_reply(client, pending)->body, "hello\n");
  EXPECT_EQ(read_reply(client, pending)->body, "slow 3");
  auto head = read_reply(client, pending, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("Content-Length"), "6");
  EXPECT_EQ(read_reply(client, pending)->status, 404);
  auto wrong = read_reply(client, pending);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("Allow"), "GET, HEAD");
}

TEST(HttpCoro, HandlersAwaitOffloadDialAndTheBody) {
  Address self;
  http::Router router = make_router(&self);
  http::Options options;
  options.limits.max_body = 16 * 1024 * 1024;
  CoroHttpFixture server(router, options);
  self = server.address();
  EXPECT_EQ(fetch(server.address(), "GET /work/ab HTTP/1.1\r\nHost: a\r\n\r\n")->body, "abab");
  EXPECT_EQ(fetch(server.address(), "GET /proxy HTTP/1.1\r\nHost: a\r\n\r\n")->body, "proxied 1");
  EXPECT_EQ(fetch(server.address(), "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")->body, "abc");
  EXPECT_EQ(fetch(server.address(),
                  "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n")
                ->body,
            "abc");
  // A streamed body, larger than one read.
  LoopbackClient client(server.address());
  const std::string body(3 * 1024 * 1024, 'u');
  ASSERT_TRUE(
      client.send_all("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n")
          .ok());
  BackgroundSend sender(client, body);
  std::string pending;
  auto reply = read_reply(client, pending);
  ASSERT_TRUE(sender.wait().ok());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, std::to_string(body.size()) + " in pieces");
  // And a large response flushed as it is written.
  ASSERT_TRUE(client.send_all("GET /big HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  auto large = read_reply(client, pending);
  ASSERT_TRUE(large);
  EXPECT_EQ(large->body.size(), 8u * 1024 * 1024);
}

TEST(HttpCoro, TheCallbackServerRefusesCoroutineRoutes) {
  Address self;
  http::Router router = make_router(&self);
  EXPECT_TRUE(router.has_coroutines());
  EXPECT_THROW(http::Server server(router), std::invalid_argument);
}

TEST(HttpCoro, RejectsWhatTheCallbackServerRejects) {
  Address self;
  http::Router router = make_router(&self);
  CoroHttpFixture server(router);
  for (const http::testing::Rejection& r : http::testing::rejections()) {
    LoopbackClient client(server.address());
    ASSERT_TRUE(client.send_all(r.input).ok()) << r.name;
    std::string all;
    EXPECT_EQ(client.read_to_eof(all).outcome, Outcome::eof) << r.name;
    EXPECT_EQ(
        all.rfind("HTTP/1.1 " + std::to_string(r.status) + " " + std::string(http::reason_phrase(r.status)) + "\r\n",
                  0),
        0u)
        << r.name << ": " << all;
    EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << r.name;
  }
}

TEST(HttpCoro, AnswersALateHandlerWith503AndCancelsIt) {
  http::Router router;
  std::atomic<bool> cancelled{false};
  router.get("/stuck", [&](Request&, Response& res) -> Task<> {
    std::error_code ec = co_await weft::sleep(30s);
    cancelled = ec == Errc::closed;
    res.send(200, "too late");
  });
  http::Options options;
  options.timeouts.handler = 100ms;
  CoroHttpFixture server(router, options);
  LoopbackClient client(server.address());
  ASSERT_TRUE(client.send_all("GET /stuck HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  std::string all;
  ASSERT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
  EXPECT_EQ(all.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << all;
  EXPECT_EQ(all.find("too late"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return cancelled.load(); }));
}

TEST(HttpCoro, TimesOutSlowHeadsAndIdleConnections) {
  Address self;
  http::Router router = make_router(&self);
  http::Options options;
  options.timeouts.header = 150ms;
  options.timeouts.idle = 150ms;
  CoroHttpFixture server(router, options);
  {
    LoopbackClient client(server.address());
    ASSERT_TRUE(client.send_all("GET / HTTP/1.1\r\nHost: a\r\n").ok());
    std::string all;
    ASSERT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
    EXPECT_EQ(all.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << all;
  }
  {
    LoopbackClient client(server.address());
    std::string pending;
    ASSERT_TRUE(client.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    ASSERT_TRUE(read_reply(client, pending));
    std::string rest;
    EXPECT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
    EXPECT_EQ(rest, "");
  }
}

// A graceful stop as http::Server's: the idle keep-alive connection closes at once, the
// handler in progress is not cancelled and its answer says Connection: close, and the
// server exits well within its shutdown timeout.
TEST(HttpCoro, FinishesResponsesInProgressWhenStopping) {
  Address self;
  http::Router router = make_router(&self);
  OnceValue<bool> parked;
  router.get("/park", [&](Request&, Response& res) -> Task<> {
    parked.set(true);
    // The stop begins meanwhile; a cancelled sleep would report closed.
    if (co_await weft::sleep(300ms)) co_return;
    res.send(200, "finished");
  });
  http::Options options;
  options.net.loops = 1;
  options.net.shutdown_timeout = 5s;
  http::CoroServer server(router, options);
  server.listen("tcp://127.0.0.1:0");
  server.start();
  LoopbackClient idle(server.address());
  std::string pending;
  ASSERT_TRUE(idle.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  auto first = read_reply(idle, pending);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "hello\n");
  LoopbackClient busy(server.address());
  ASSERT_TRUE(busy.send_all("GET /park HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  ASSERT_TRUE(parked.wait());
  const auto stop_at = Clock::now();
  server.stop();
  EXPECT_EQ(idle.wait_closed().outcome, Outcome::eof);
  std::string all;
  ASSERT_EQ(busy.read_to_eof(all).outcome, Outcome::eof);
  EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\n")) << all;
  EXPECT_NE(all.find("\r\nConnection: close\r\n"), std::string::npos) << all;
  EXPECT_TRUE(all.ends_with("\r\n\r\nfinished")) << all;
  // The clients leave, so no close lingers for them.
  idle.close();
  busy.close();
  server.wait();
  EXPECT_LT(Clock::now() - stop_at, options.net.shutdown_timeout);
}

TEST(HttpCoro, AnswersOneMoreRequestOnAKeepAliveConnectionWithIdleOnStop) {
  Address self;
  http::Router router = make_router(&self);
  http::Options options;
  options.net.loops = 1;
  options.net.shutdown_timeout = 5s;
  options.timeouts.idle_on_stop = 1s;
  http::CoroServer server(router, options);
  server.listen("tcp://127.0.0.1:0");
  server.start();
  LoopbackClient next(server.address());
  LoopbackClient silent(server.address());
  for (LoopbackClient* c : {&next, &silent}) {
    std::string pending;
    ASSERT_TRUE(c->send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    ASSERT_TRUE(read_reply(*c, pending));
  }
  const auto stop_at = Clock::now();
  server.stop();
  ASSERT_TRUE(sync_with_loop(server.runtime().server().loop(0)));  // The stop has begun.
  // A request sent after the stop began, as a busy client's next one is, gets its answer,
  // which says the connection closes; then the connection closes.
  ASSERT_TRUE(next.send_all("GET /slow?late HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  std::string all;
  ASSERT_EQ(next.read_to_eof(all).outcome, Outcome::eof);
  EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\n")) << all;
  EXPECT_NE(all.find("\r\nConnection: close\r\n"), std::string::npos) << all;
  EXPECT_TRUE(all.ends_with("\r\n\r\nslow late")) << all;
  // One that sends nothing is closed once idle_on_stop has passed, and the server exits.
  EXPECT_EQ(silent.wait_closed().outcome, Outcome::eof);
  EXPECT_GE(Clock::now() - stop_at, options.timeouts.idle_on_stop);
  next.close();
  silent.close();
  server.wait();
  EXPECT_LT(Clock::now() - stop_at, options.net.shutdown_timeout);
}

// Without idle_on_stop a connection between requests closes at once, without an answer.
TEST(HttpCoro, ClosesIdleConnectionsAtOnceWithoutIdleOnStop) {
  Address self;
  http::Router router = make_router(&self);
  http::Options options;
  options.net.loops = 1;
  http::CoroServer server(router, options);
  server.listen("tcp://127.0.0.1:0");
  server.start();
  LoopbackClient idle(server.address());
  std::string pending;
  ASSERT_TRUE(idle.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  ASSERT_TRUE(read_reply(idle, pending));
  server.stop();
  std::string rest;
  EXPECT_EQ(idle.read_to_eof(rest).outcome, Outcome::eof);
  EXPECT_EQ(rest, "");
  idle.close();
  server.wait();
}

}  // namespace
}  // namespace weft::test
