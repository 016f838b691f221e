// The callback HTTP server over real sockets: exact responses, keep-alive, pipelining in
// order, HTTP/1.0 rules, HEAD, routing errors, bodies in and out, 100-continue, deferred
// answers from other threads, handler failures, stopping (with and without
// timeouts.idle_on_stop).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "http_support.h"
#include "weft/http/router.h"

namespace weft::test {
namespace {

using http::Request;
using http::Response;

http::Router make_router() {
  http::Router router;
  router.get("/", [](Request&, Response& res) { res.send(200, "hello\n"); })
      .get("/path/*rest", [](Request& req, Response& res) { res.send(200, std::string(req.path())); })
      .get("/users/:id", [](Request& req, Response& res) { res.send(200, "user " + std::string(req.param("id"))); })
      .get("/users/me", [](Request&, Response& res) { res.send(200, "me"); })
      .post("/users/:id", [](Request& req, Response& res) { res.send(201, std::string(req.param("id"))); })
      .any("/echo",
           [](Request& req, Response& res) {
             res.header("X-Method", req.method_name()).content_type("application/octet-stream").send(req.body());
           })
      .get("/stream",
           [](Request& req, Response& res) {
             res.begin();
             for (int i = 0; i < 3; ++i) res.write("part" + std::to_string(i) + ";");
             res.end();
             (void)req;
           })
      .get("/empty", [](Request&, Response& res) { res.send(204, ""); })
      .get("/throw", [](Request&, Response&) { throw std::runtime_error("boom"); })
      .get("/forget", [](Request&, Response&) {});
  return router;
}

TEST(HttpServer, AnswersWithExactBytes) {
  http::Router router = make_router();
  HttpFixture server(router);
  auto reply = fetch(server.address(), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(without_date(reply->raw),
            "HTTP/1.1 200 OK\r\nServer: weft\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 6\r\n\r\nhello\n");
  // The Date header is an IMF-fixdate.
  EXPECT_EQ(reply->header("Date").size(), 29u);
  EXPECT_EQ(reply->header("Date").substr(25), " GMT");
}

TEST(HttpServer, KeepsConnectionsAliveAndPipelinesInOrder) {
  http::Router router = make_router();
  HttpFixture server(router);
  LoopbackClient client(server.address());
  std::string pending;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send_all("GET /users/" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    auto reply = read_reply(client, pending);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->body, "user " + std::to_string(i));
    EXPECT_FALSE(reply->has_header("Connection"));
  }
  // 50 requests in one send: 50 answers, in order.
  std::string batch;
  for (int i = 0; i < 50; ++i) batch += "GET /path/" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_TRUE(client.send_all(batch).ok());
  for (int i = 0; i < 50; ++i) {
    auto reply = read_reply(client, pending);
    ASSERT_TRUE(reply) << i;
    EXPECT_EQ(reply->body, "/path/" + std::to_string(i));
  }
}

TEST(HttpServer, RoutesLiteralsBeforeParametersAndReports404And405) {
  http::Router router = make_router();
  HttpFixture server(router);
  EXPECT_EQ(fetch(server.address(), "GET /users/me HTTP/1.1\r\nHost: a\r\n\r\n")->body, "me");
  EXPECT_EQ(fetch(server.address(), "GET /users/7 HTTP/1.1\r\nHost: a\r\n\r\n")->body, "user 7");
  EXPECT_EQ(fetch(server.address(), "GET /path/ HTTP/1.1\r\nHost: a\r\n\r\n")->body, "/path/");
  auto missing = fetch(server.address(), "GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(missing);
  EXPECT_EQ(without_date(missing->raw),
            "HTTP/1.1 404 Not Found\r\nServer: weft\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 14\r\n\r\n404 Not Found\n");
  auto wrong = fetch(server.address(), "DELETE /users/7 HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("Allow"), "GET, HEAD, POST");
  // A routing error keeps the connection: the next request is answered.
  LoopbackClient client(server.address());
  std::string pending;
  ASSERT_TRUE(client.send_all("GET /no HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  EXPECT_EQ(read_reply(client, pending)->status, 404);
  EXPECT_EQ(read_reply(client, pending)->body, "hello\n");
}

TEST(HttpServer, FollowsHttp10AndConnectionClose) {
  http::Router router = make_router();
  HttpFixture server(router);
  {
    LoopbackClient client(server.address());
    ASSERT_TRUE(client.send_all("GET / HTTP/1.0\r\n\r\n").ok());
    std::string all;
    ASSERT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
    EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << all;
    EXPECT_NE(all.find("\r\n\r\nhello\n"), std::string::npos);
  }
  {
    LoopbackClient client(server.address());
    std::string pending;
    ASSERT_TRUE(client.send_all("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ok());
    auto reply = read_reply(client, pending);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->header("Connection"), "keep-alive");
    // A streamed body to HTTP/1.0 has no chunked coding: it ends with the connection.
    ASSERT_TRUE(client.send_all("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ok());
    std::string rest;
    ASSERT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
    rest = pending + rest;
    EXPECT_NE(rest.find("Connection: close\r\n"), std::string::npos) << rest;
    EXPECT_EQ(rest.find("Transfer-Encoding"), std::string::npos) << rest;
    EXPECT_NE(rest.find("\r\n\r\npart0;part1;part2;"), std::string::npos) << rest;
  }
  {
    LoopbackClient client(server.address());
    ASSERT_TRUE(
        client.send_all("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .ok());
    std::string all;
    ASSERT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
    // One response only: nothing after Connection: close is read.
    EXPECT_EQ(all.find("HTTP/1.1", 1), std::string::npos) << all;
  }
}

TEST(HttpServer, AnswersHeadWithoutBodyAnd204WithoutLength) {
  http::Router router = make_router();
  HttpFixture server(router);
  LoopbackClient client(server.address());
  std::string pending;
  ASSERT_TRUE(client.send_all("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /empty HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  auto head = read_reply(client, pending, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("Content-Length"), "6");
  EXPECT_EQ(head->body, "");
  auto empty = read_reply(client, pending);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 204);
  EXPECT_FALSE(empty->has_header("Content-Length"));
  EXPECT_FALSE(empty->has_header("Content-Type"));
  EXPECT_TRUE(pending.empty());
}

TEST(HttpServer, ReadsBodiesWithLengthOrChunked) {
  http::Router router = make_router();
  HttpFixture server(router);
  LoopbackClient client(server.address());
  std::string pending;
  ASSERT_TRUE(client.send_all("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").ok());
  auto r1 = read_reply(client, pending);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->body, "hello");
  EXPECT_EQ(r1->header("X-Method"), "POST");
  ASSERT_TRUE(client
                  .send_all("PUT /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n")
                  .ok());
  auto r2 = read_reply(client, pending);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "abcdefg");
  // A body larger than one read and one buffer block, sent slowly in pieces.
  std::string big(300 * 1024, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(
      client.send_all("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n")
          .ok());
  BackgroundSend sender(client, big);
  auto r3 = read_reply(client, pending);
  ASSERT_TRUE(sender.wait().ok());
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->body.size(), big.size());
  EXPECT_TRUE(r3->body == big);
  // Routes with parameters see the body too.
  ASSERT_TRUE(client.send_all("POST /users/9 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nz").ok());
  auto r4 = read_reply(client, pending);
  ASSERT_TRUE(r4);
  EXPECT_EQ(r4->status, 201);
  EXPECT_EQ(r4->body, "9");
}

TEST(HttpServer, SendsContinueOnlyWhenTheBodyIsAwaited) {
  http::Router router = make_router();
  HttpFixture server(router);
  LoopbackClient client(server.address());
  std::string pending;
  ASSERT_TRUE(
      client.send_all("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n").ok());
  auto cont = read_reply(client, pending);
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->raw, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.send_all("data").ok());
  auto reply = read_reply(client, pending);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "data");
  // The body came with the head: no 100 Continue.
  ASSERT_TRUE(
      client.send_all("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok").ok());
  auto direct = read_reply(client, pending);
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->status, 200);
  EXPECT_EQ(direct->body, "ok");
  // No route: the client is told at once, and the connection closes.
  LoopbackClient other(server.address());
  ASSERT_TRUE(
      other.send_all("POST /nowhere HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n").ok());
  std::string all;
  ASSERT_EQ(other.read_to_eof(all).outcome, Outcome::eof);
  EXPECT_EQ(all.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << all;
  EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos);
}

TEST(HttpServer, StreamsChunkedResponses) {
  http::Router router = make_router();
  HttpFixture server(router);
  auto reply = fetch(server.address(), "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(reply->body, "part0;part1;part2;");
  EXPECT_NE(reply->raw.find("\r\n\r\n6\r\npart0;\r\n"), std::string::npos) << reply->raw;
  EXPECT_EQ(reply->raw.substr(reply->raw.size() - 5), "0\r\n\r\n");
}

TEST(HttpServer, AnswersDeferredResponsesInRequestOrder) {
  http::Router router;
  std::vector<std::thread> threads;
  std::mutex mutex;
  router.get("/slow", [&](Request& req, Response& res) {
    std::string tag(req.query());
    std::lock_guard lock(mutex);
    threads.emplace_back([tag, later = res.defer()]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      later.send(200, "slow " + tag);
    });
  });
  router.get("/fast", [](Request& req, Response& res) { res.send(200, "fast " + std::string(req.query())); });
  {
    HttpFixture server(router);
    LoopbackClient client(server.address());
    std::string pending;
    ASSERT_TRUE(client
                    .send_all("GET /slow?1 HTTP/1.1\r\nHost: a\r\n\r\nGET /fast?2 HTTP/1.1\r\nHost: a\r\n\r\n"
                              "GET /slow?3 HTTP/1.1\r\nHost: a\r\n\r\nGET /fast?4 HTTP/1.1\r\nHost: a\r\n\r\n")
                    .ok());
    for (const char* want : {"slow 1", "fast 2", "slow 3", "fast 4"}) {
      auto reply = read_reply(client, pending);
      ASSERT_TRUE(reply);
      EXPECT_EQ(reply->body, want);
    }
    std::lock_guard lock(mutex);
    for (std::thread& t : threads) t.join();
    threads.clear();
  }
}

TEST(HttpServer, ReportsDeferredAnswersToAClosedConnection) {
  http::Router router;
  OnceValue<bool> parked;
  http::Responder later;
  router.get("/park", [&](Request&, Response& res) {
    later = res.defer();
    parked.set(true);
  });
  HttpFixture server(router);
  {
    LoopbackClient client(server.address());
    ASSERT_TRUE(client.send_all("GET /park HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    ASSERT_TRUE(parked.wait());
    // A reset: after a mere end of file the server would still wait to answer (the
    // client may only have shut its writing side).
    client.reset();
  }
  ASSERT_TRUE(eventually([&] { return server.server().net().connection_count() == 0; }));
  // The client left: answering is harmless, and reported once.
  OnceValue<std::error_code> result;
  Counter calls;
  later.send(200, "late", {}, [&](std::error_code ec) {
    calls.add();
    result.set(ec);
  });
  auto ec = result.wait();
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, Errc::closed);
  EXPECT_TRUE(later.empty());
  ASSERT_TRUE(sync_with_loop(server.server().net().loop(0)));
  EXPECT_EQ(calls.value(), 1u);
}

TEST(HttpServer, FinishesResponsesInProgressWhenStopping) {
  http::Router router = make_router();
  OnceValue<bool> parked;
  http::Responder later;
  router.get("/park", [&](Request&, Response& res) {
    later = res.defer();
    parked.set(true);
  });
  HttpFixture server(router);
  LoopbackClient idle(server.address());
  std::string pending;
  ASSERT_TRUE(idle.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  auto first = read_reply(idle, pending);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "hello\n");
  LoopbackClient busy(server.address());
  ASSERT_TRUE(busy.send_all("GET /park HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  ASSERT_TRUE(parked.wait());
  server.server().stop();
  // The idle keep-alive connection closes at once; the busy one waits for its answer,
  // which says the connection closes.
  EXPECT_EQ(idle.wait_closed().outcome, Outcome::eof);
  later.send(200, "finished");
  std::string all;
  ASSERT_EQ(busy.read_to_eof(all).outcome, Outcome::eof);
  EXPECT_NE(all.find("\r\nConnection: close\r\n"), std::string::npos) << all;
  EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\n")) << all;
  EXPECT_TRUE(all.ends_with("\r\n\r\nfinished")) << all;
}

TEST(HttpServer, AnswersOneMoreRequestOnAKeepAliveConnectionWithIdleOnStop) {
  http::Router router = make_router();
  http::Options options;
  options.net.loops = 1;
  options.timeouts.idle_on_stop = std::chrono::seconds(2);
  HttpFixture server(router, options);
  LoopbackClient next(server.address());
  LoopbackClient silent(server.address());
  for (LoopbackClient* c : {&next, &silent}) {
    std::string pending;
    ASSERT_TRUE(c->send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    ASSERT_TRUE(read_reply(*c, pending));
  }
  server.server().stop();
  ASSERT_TRUE(sync_with_loop(server.server().net().loop(0)));  // The stop has begun.
  // A request sent after the stop began, as a busy client's next one is, gets its answer,
  // which says the connection closes; then the connection closes.
  ASSERT_TRUE(next.send_all("GET /users/7 HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  std::string all;
  ASSERT_EQ(next.read_to_eof(all).outcome, Outcome::eof);
  EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\n")) << all;
  EXPECT_NE(all.find("\r\nConnection: close\r\n"), std::string::npos) << all;
  EXPECT_TRUE(all.ends_with("\r\n\r\nuser 7")) << all;
  // One that sends nothing is closed once idle_on_stop has passed.
  EXPECT_EQ(silent.wait_closed().outcome, Outcome::eof);
}

TEST(HttpServer, AnswersAClientThatShutItsSide) {
  http::Router router = make_router();
  std::thread worker;
  router.get("/later", [&](Request&, Response& res) {
    worker = std::thread([later = res.defer()]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      later.send(200, "late");
    });
  });
  HttpFixture server(router);
  LoopbackClient client(server.address());
  ASSERT_TRUE(client.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /later HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  client.shutdown_write();
  std::string all;
  ASSERT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
  worker.join();
  const size_t second = all.find("HTTP/1.1 200 OK", 1);
  ASSERT_NE(second, std::string::npos) << all;
  EXPECT_EQ(all.substr(all.size() - 4), "late");
}

TEST(HttpServer, Answers500WhenAHandlerThrowsOrForgets) {
  http::Router router = make_router();
  HttpFixture server(router);
  for (const char* path : {"/throw", "/forget"}) {
    LoopbackClient client(server.address());
    ASSERT_TRUE(client.send_all(std::string("GET ") + path + " HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    std::string all;
    ASSERT_EQ(client.read_to_eof(all).outcome, Outcome::eof) << path;
    EXPECT_EQ(all.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u) << all;
    EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos);
  }
}

TEST(HttpServer, ClosesAfterMaxRequestsPerConnection) {
  http::Router router = make_router();
  http::Options options;
  options.max_requests_per_connection = 2;
  HttpFixture server(router, options);
  LoopbackClient client(server.address());
  ASSERT_TRUE(client
                  .send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
                            "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                  .ok());
  std::string all;
  ASSERT_EQ(client.read_to_eof(all).outcome, Outcome::eof);
  const size_t second = all.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(all.find("HTTP/1.1 200", second + 1), std::string::npos);
  EXPECT_NE(all.find("Connection: close\r\n", second), std::string::npos);
}

}  // namespace
}  // namespace weft::test
