// co_await pool.acquire() and PoolLease: a request and its reply through a pooled
// connection from coroutines on other loops (an echo server, and a RESP PING to a real
// redis-server), the connection reused by the next coroutine, the pool's and an explicit
// acquire deadline, a stopping pool (ending a lease's read and a waiting acquire) and a
// stopped one, a coroutine cancelled while it waits (the connection then goes back to the
// pool), a read that times out (the connection is then closed, not reused), and a
// connection the peer closes failing the lease's read after its last bytes.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "coro_fixture.h"
#include "external_server.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/coro/coro.h"
#include "weft/coro/pool_lease.h"
#include "weft/net/pool.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

Task<> no_service(Stream) {
  co_return;
}

template <class F>
auto on_loop(Pool& pool, F fn) -> decltype(fn()) {
  return *call_on_loop(pool.loop(), std::move(fn));
}

// Waits, without sleeping, until pred() holds on the pool's loop (each check is a round
// trip to the loop); false after the bound.
template <class F>
bool until_on_loop(Pool& pool, F pred, Duration bound = kWait) {
  const auto end = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < end) {
    if (on_loop(pool, pred)) return true;
  }
  return false;
}

// Takes a connection through the callback API and holds it: null if none came.
Conn* hold_one(Pool& pool) {
  auto held = std::make_shared<OnceValue<Conn*>>();
  pool.loop().post([&pool, held] { pool.acquire([held](Conn* c, std::error_code) { held->set(c); }); });
  return held->wait().value_or(nullptr);
}

// One request, one reply line, through a leased connection; the reply or why none came.
Task<std::string> ask(Pool& pool, std::string request) {
  auto lease = co_await pool.acquire();
  if (!lease) co_return "acquire: " + lease.error().message();
  if (auto ec = co_await lease->write(std::move(request))) co_return "write: " + ec.message();
  auto reply = co_await with_timeout(5s, lease->read_until("\r\n"));
  if (!reply) co_return "read: " + reply.error().message();
  co_return *reply;
}

TEST(CoroPool, RequestAndReplyFromTwoLoopsReuseOneConnection) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Pool pool({server.address().to_string()}, {.max_per_endpoint = 1});
  pool.start();
  CoroServer client(no_service, coro_options(2));
  client.start();
  for (size_t loop = 0; loop < 2; ++loop) {
    std::string request = "PING " + std::to_string(loop) + "\r\n";
    auto got = run_on_loop(
        client, [&pool, request]() -> Task<std::string> { co_return co_await ask(pool, request); }, loop);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, request);
  }
  // Released both times, in step: the one connection went back and was reused.
  PoolStats s = on_loop(pool, [&] { return pool.stats(0); });
  EXPECT_EQ(s.idle, 1u);
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(echo.opened.value(), 1u);
  EXPECT_EQ(echo.closed.value(), 0u);
  client.stop();
  client.wait();
  pool.stop();
  pool.wait();
}

TEST(CoroPool, RespPingToRedisThroughThePool) {
  auto redis = start_redis();
  if (!redis) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_TRUE(redis->ready());
  Pool pool({redis->address().to_string()}, {.max_per_endpoint = 2});
  pool.start();
  CoroServer client(no_service, coro_options(1));
  client.start();
  auto got = run_on_loop(client, [&pool]() -> Task<std::string> {
    std::string replies;
    for (int i = 0; i < 3; ++i) replies += co_await ask(pool, "*1\r\n$4\r\nPING\r\n");
    co_return replies;
  });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "+PONG\r\n+PONG\r\n+PONG\r\n");
  EXPECT_EQ(on_loop(pool, [&] { return pool.stats(0).open; }), 1u);
  client.stop();
  client.wait();
  pool.stop();
  pool.wait();
}

TEST(CoroPool, AcquireDeadlines) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Pool pool({server.address().to_string()}, {.max_per_endpoint = 1, .acquire_timeout = 50ms});
  pool.start();
  Conn* held = hold_one(pool);  // The only connection.
  ASSERT_NE(held, nullptr);
  CoroServer client(no_service, coro_options(1));
  client.start();
  // The pool's deadline.
  auto pools = run_on_loop(client, [&pool]() -> Task<std::error_code> {
    auto lease = co_await pool.acquire();
    co_return lease.error();
  });
  EXPECT_EQ(pools, std::error_code(Errc::timeout));
  // An explicit one, longer: the coroutine outlasts a callback waiter queued after it
  // with the pool's deadline, then gets the connection when it comes back.
  OnceValue<std::string> longer;
  client.spawn([&pool, &longer]() -> Task<> {
    auto lease = co_await pool.acquire(20s);
    longer.set(lease ? "leased" : lease.error().message());
  });
  ASSERT_TRUE(until_on_loop(pool, [&] { return pool.stats(0).waiting == 1; }));
  OnceValue<std::error_code> second;
  pool.loop().post([&] { pool.acquire([&](Conn*, std::error_code ec) { second.set(ec); }); });
  EXPECT_EQ(second.wait(), std::error_code(Errc::timeout));
  EXPECT_FALSE(longer.peek().has_value());
  pool.loop().post([&pool, held] { pool.release(*held); });
  EXPECT_EQ(longer.wait(), "leased");
  client.stop();
  client.wait();
  pool.stop();
  pool.wait();
}

TEST(CoroPool, AStoppedPoolFailsAcquireWithShutdown) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Pool pool({server.address().to_string()});
  pool.start();
  pool.stop();
  pool.wait();
  CoroServer client(no_service, coro_options(1));
  client.start();
  auto got = run_on_loop(client, [&pool]() -> Task<std::error_code> {
    auto lease = co_await pool.acquire();
    co_return lease.error();
  });
  EXPECT_EQ(got, std::error_code(Errc::shutdown));
  client.stop();
  client.wait();
}

// Answers nothing to "slow", echoes the rest; closes after echoing "bye".
class Picky : public RecordingHandler {
 public:
  void on_traffic(Conn& c) override {
    std::string_view in = c.read();
    if (in.starts_with("slow")) return;
    c.write(in);
    if (in.starts_with("bye")) c.close();
  }
};

TEST(CoroPool, StoppingThePoolEndsALeasesReadAndAWaitingAcquire) {
  Picky server_side;
  ServerFixture server(server_side);
  Pool pool({server.address().to_string()}, {.max_per_endpoint = 1, .acquire_timeout = 60s});
  pool.start();
  CoroServer client(no_service, coro_options(2));
  client.start();
  OnceValue<bool> leased;
  OnceValue<std::string> reader;
  client.spawn(
      [&pool, &leased, &reader]() -> Task<> {
        auto lease = co_await pool.acquire();
        leased.set(lease.ok());
        if (!lease) co_return;
        if (auto ec = co_await lease->write("slow\r\n")) {  // The stop may come first.
          reader.set("write: " + ec.message());
          co_return;
        }
        auto reply = co_await lease->read_some();  // Never answered.
        reader.set(reply ? "answered" : reply.error().message());
      },
      0);
  ASSERT_EQ(leased.wait(), true);
  OnceValue<std::error_code> waiter;
  client.spawn(
      [&pool, &waiter]() -> Task<> {
        auto lease = co_await pool.acquire();
        waiter.set(lease.error());
      },
      1);
  ASSERT_TRUE(until_on_loop(pool, [&] { return pool.stats(0).waiting == 1; }));
  pool.stop();
  EXPECT_EQ(waiter.wait(), std::error_code(Errc::shutdown));
  auto read = reader.wait();
  ASSERT_TRUE(read.has_value());
  EXPECT_NE(*read, "answered");
  pool.wait();
  client.stop();
  client.wait();
}

TEST(CoroPool, ACancelledWaiterGivesTheConnectionBack) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Pool pool({server.address().to_string()}, {.max_per_endpoint = 1, .acquire_timeout = 60s});
  pool.start();
  Conn* held = hold_one(pool);
  ASSERT_NE(held, nullptr);
  CoroServer client(no_service, coro_options(1));
  client.start();
  OnceValue<std::error_code> result;
  client.spawn([&pool, &result]() -> Task<> {
    auto lease = co_await pool.acquire();
    result.set(lease.error());
  });
  ASSERT_TRUE(until_on_loop(pool, [&] { return pool.stats(0).waiting == 1; }));
  // Stopping its server cancels the waiting coroutine.
  client.stop();
  client.wait();
  EXPECT_EQ(result.wait(), std::error_code(Errc::closed));
  // The pool still has its waiter: the released connection goes to it, and from it
  // straight back to the pool, idle.
  EXPECT_TRUE(on_loop(pool, [&] {
    pool.release(*held);
    PoolStats s = pool.stats(0);
    return s.idle == 1 && s.in_use == 0 && s.waiting == 0;
  }));
  pool.stop();
  pool.wait();
}

TEST(CoroPool, AReadThatTimedOutClosesTheConnectionInsteadOfReusingIt) {
  Picky server_side;
  ServerFixture server(server_side);
  Pool pool({server.address().to_string()}, {.max_per_endpoint = 1});
  pool.start();
  CoroServer client(no_service, coro_options(1));
  client.start();
  auto got = run_on_loop(client, [&pool]() -> Task<std::string> {
    auto lease = co_await pool.acquire();
    if (!lease) co_return lease.error().message();
    if (co_await lease->write("slow\r\n")) co_return "write failed";
    auto reply = co_await with_timeout(50ms, lease->read_some());
    co_return reply ? "answered" : reply.error().message();
  });
  EXPECT_EQ(got, std::error_code(Errc::timeout).message());
  // The lease went out of scope after a failed read: the pool closed the connection.
  ASSERT_TRUE(server_side.closed.wait_for(1));
  EXPECT_TRUE(until_on_loop(pool, [&] { return pool.stats(0).open == 0; }));  // It lingered until the peer's close.
  EXPECT_EQ(server_side.opened.value(), 1u);
  client.stop();
  client.wait();
  pool.stop();
  pool.wait();
}

TEST(CoroPool, APeerCloseEndsReadsAfterTheLastBytes) {
  Picky server_side;
  ServerFixture server(server_side);
  Pool pool({server.address().to_string()});
  pool.start();
  CoroServer client(no_service, coro_options(1));
  client.start();
  auto got = run_on_loop(client, [&pool]() -> Task<std::string> {
    auto lease = co_await pool.acquire();
    if (!lease) co_return lease.error().message();
    if (co_await lease->write("bye\r\n")) co_return "write failed";
    auto reply = co_await with_timeout(5s, lease->read_exact(5));
    if (!reply) co_return "no reply: " + reply.error().message();
    auto after = co_await with_timeout(5s, lease->read_some());
    if (after) co_return "more: " + *after;
    auto write = co_await lease->write("again");
    co_return *reply + "|" + (after.error() == Errc::timeout ? "timeout" : "closed") + "|" +
        (write ? "write failed" : "write ok");
  });
  EXPECT_EQ(got, "bye\r\n|closed|write failed");
  client.stop();
  client.wait();
  pool.stop();
  pool.wait();
}

}  // namespace
}  // namespace weft::test
