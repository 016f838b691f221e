// RESP PINGs through a connection pool from coroutines: COUNT coroutines on two loops
// share at most four connections to a Redis-compatible server, each borrowing one for a
// PING and its +PONG, then giving it back for the next.
//
//   redis-server --port 6379 &        (or build/bin/weft-kv --addr tcp://127.0.0.1:6379)
//   build/bin/example_pool_ping_coro tcp://127.0.0.1:6379 20
//
// Exit status: 0 when every PING was answered with +PONG, 1 otherwise.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "weft/coro/coro.h"
#include "weft/net/pool.h"

using namespace std::chrono_literals;

// One PING through a borrowed connection: "+PONG" or why not.
weft::Task<std::string> ping(weft::Pool& pool) {
  auto lease = co_await pool.acquire();  // Waits (up to acquire_timeout) while all four are busy.
  if (!lease) co_return "acquire: " + lease.error().message();
  if (auto ec = co_await lease->write("*1\r\n$4\r\nPING\r\n")) co_return "write: " + ec.message();
  auto reply = co_await weft::with_timeout(2s, lease->read_until("\r\n"));
  if (!reply) co_return "read: " + reply.error().message();
  co_return reply->substr(0, reply->size() - 2);
}  // The lease goes back to the pool here (or is closed, had anything failed).

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "tcp://127.0.0.1:6379";
  const int count = argc > 2 ? std::max(1, std::atoi(argv[2])) : 10;
  try {
    weft::Pool pool({url}, {.max_per_endpoint = 4, .min_idle = 1, .acquire_timeout = 2s});
    pool.start();
    // A CoroServer that listens nowhere runs client coroutines.
    weft::CoroServer client([](weft::Stream) -> weft::Task<> { co_return; }, {.loops = 2});
    std::atomic<int> left{count};
    std::atomic<int> answered{0};
    for (int i = 0; i < count; ++i) {
      client.spawn([&pool, &client, &left, &answered, i]() -> weft::Task<> {
        std::string reply = co_await ping(pool);
        std::printf("%d: %s\n", i, reply.c_str());
        if (reply == "+PONG") answered.fetch_add(1);
        if (left.fetch_sub(1) == 1) client.stop();
      });
    }
    client.run();  // Until the last coroutine stops it.
    pool.stop();
    pool.wait();
    std::printf("%d/%d PINGs answered\n", answered.load(), count);
    return answered.load() == count ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pool_ping_coro: %s\n", e.what());
    return 1;
  }
}
