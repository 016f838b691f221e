// Steady-state allocations of the HTTP server: after a warm-up, thousands of keep-alive
// requests (one at a time and pipelined, with routing parameters and a body) allocate
// nothing anywhere in the process, counted by the operator new of counting_new.h.

#include <gtest/gtest.h>

#include <string>

#include "counting_new.h"
#include "http_support.h"
#include "weft/http/router.h"

namespace weft::test {
namespace {

// Sends `request` n times in batches of `batch` and reads the replies, each exactly
// reply_size bytes, into a preallocated buffer. False on any failure.
bool exchange(LoopbackClient& client, std::string_view batch_bytes, size_t batch, size_t n, size_t reply_size,
              std::string& in) {
  for (size_t sent = 0; sent < n; sent += batch) {
    if (!client.send_all(batch_bytes).ok()) return false;
    if (!client.read_exact(in.data(), reply_size * batch).ok()) return false;
  }
  return true;
}

// The size of the reply to one request, found with a warm-up exchange.
size_t reply_size_of(LoopbackClient& client, const std::string& request) {
  std::string pending;
  if (!client.send_all(request).ok()) return 0;
  auto reply = read_reply(client, pending);
  return reply ? reply->raw.size() : 0;
}

http::Router make_router(bool coro) {
  http::Router router;
  router.get("/", [](http::Request&, http::Response& res) { res.send(200, "hello"); });
  router.get("/users/:id/posts/:post", [](http::Request& req, http::Response& res) {
    res.header("X-Post", req.param("post")).send(200, req.param("id"));
  });
  router.post("/echo", [](http::Request& req, http::Response& res) { res.send(200, req.body()); });
  router.get("/allocate", [](http::Request&, http::Response& res) {
    delete new int(1);
    res.send(200, "x");
  });
  if (coro) {
    router.get("/coro", [](http::Request&, http::Response& res) -> Task<> {
      res.send(200, "from a coroutine");
      co_return;
    });
  }
  return router;
}

// Runs the cases on a server at address; `coro` adds a coroutine route's case.
void expect_no_allocations(const Address& address, bool coro) {
  LoopbackClient client(address);
  ASSERT_TRUE(client.connected());
  std::string in(1 << 20, '\0');

  const std::string get = "GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: weft-test\r\nAccept: */*\r\n\r\n";
  const std::string params = "GET /users/42/posts/7?x=1 HTTP/1.1\r\nHost: bench\r\n\r\n";
  const std::string post = "POST /echo HTTP/1.1\r\nHost: bench\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b');
  const std::string allocate = "GET /allocate HTTP/1.1\r\nHost: bench\r\n\r\n";
  const std::string from_coro = "GET /coro HTTP/1.1\r\nHost: bench\r\n\r\n";
  std::string pipelined;
  for (int i = 0; i < 16; ++i) pipelined += get;

  struct Case {
    const char* name;
    const std::string& bytes;
    size_t batch;
    size_t reply;
  };
  std::vector<Case> cases = {
      {"one at a time", get, 1, reply_size_of(client, get)},
      {"pipelined by 16", pipelined, 16, reply_size_of(client, get)},
      {"routing parameters", params, 1, reply_size_of(client, params)},
      {"content-length body", post, 1, reply_size_of(client, post)},
  };
  if (coro) cases.push_back({"coroutine handler", from_coro, 1, reply_size_of(client, from_coro)});
  const size_t allocate_reply = reply_size_of(client, allocate);

  // The counter sees what the loop thread allocates.
  g_allocations.store(0);
  g_counting.store(true);
  const bool probe = exchange(client, allocate, 1, 1, allocate_reply, in);
  g_counting.store(false);
  ASSERT_TRUE(probe);
  ASSERT_GE(g_allocations.load(), 1u) << "allocations on the loop thread are not counted";

  for (const Case& c : cases) {
    ASSERT_GT(c.reply, 0u) << c.name;
    ASSERT_TRUE(exchange(client, c.bytes, c.batch, 2000, c.reply, in)) << c.name << ": warm-up failed";
    g_allocations.store(0);
    g_counting.store(true);
    const bool ok = exchange(client, c.bytes, c.batch, 10000, c.reply, in);
    g_counting.store(false);
    ASSERT_TRUE(ok) << c.name;
    EXPECT_EQ(g_allocations.load(), 0u) << g_allocations.load() << " allocations in 10000 requests, " << c.name;
  }
}

TEST(HttpAllocations, CallbackServerRequestsAllocateNothing) {
  http::Router router = make_router(false);
  http::Options options;
  options.net.loops = 1;
  HttpFixture server(router, options);
  expect_no_allocations(server.address(), false);
}

TEST(HttpAllocations, CoroutineServerRequestsAllocateNothing) {
  http::Router router = make_router(true);
  http::Options options;
  options.net.loops = 1;
  CoroHttpFixture server(router, options);
  expect_no_allocations(server.address(), true);
}

}  // namespace
}  // namespace weft::test
