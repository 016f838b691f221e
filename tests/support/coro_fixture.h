#pragma once
// Helpers for the coroutine tests (unit and integration): a CoroServer running in the
// background for the length of a test, and a way to run a Task to completion on a loop
// and wait for its result with a bound.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "sync.h"
#include "weft/coro/coro.h"
#include "weft/net/server_options.h"

namespace weft::test {

inline ServerOptions coro_options(size_t loops = 2) {
  ServerOptions o;
  o.loops = loops;
  return o;
}

// A CoroServer listening on url (port 0 by default) and started. The destructor stops it;
// a server that does not stop within the bound aborts the process (a hung server cannot
// be recovered from inside it).
class CoroFixture {
 public:
  explicit CoroFixture(CoroServer::Serve serve, ServerOptions options = coro_options(),
                       const std::string& url = "tcp://127.0.0.1:0")
      : server_(std::move(serve), std::move(options)) {
    if (!url.empty()) server_.listen(url);
    server_.start();
  }
  ~CoroFixture() { stop(); }
  CoroFixture(const CoroFixture&) = delete;
  CoroFixture& operator=(const CoroFixture&) = delete;

  CoroServer& server() { return server_; }
  const Address& address() const { return server_.address(); }

  void stop(Duration timeout = kWait) {
    if (stopped_) return;
    stopped_ = true;
    server_.stop();
    auto done = std::async(std::launch::async, [this] { server_.wait(); });
    if (done.wait_for(timeout) != std::future_status::ready) {
      std::fprintf(stderr, "CoroFixture: the server did not stop in time\n");
      std::abort();
    }
  }

 private:
  CoroServer server_;
  bool stopped_ = false;
};

// Spawns body() on the server's loop `loop` and waits for the value its Task returns.
template <class F>
auto run_on_loop(CoroServer& server, F body, size_t loop = 0, Duration timeout = kWait)
    -> std::optional<typename decltype(body())::Awaiter::value_type> {
  using T = typename decltype(body())::Awaiter::value_type;
  auto result = std::make_shared<OnceValue<T>>();
  bool spawned =
      server.spawn([result, body = std::move(body)]() mutable -> Task<> { result->set(co_await body()); }, loop);
  if (!spawned) return std::nullopt;
  return result->wait(timeout);
}

}  // namespace weft::test
