#pragma once
// CoroServer: a Server whose connections are each served by one coroutine, Go style.
//
//   weft::Task<> echo(weft::Stream s) {
//     for (;;) {
//       auto data = co_await s.read_some();
//       if (!data || co_await s.write(*data)) co_return;
//     }
//   }
//   int main() {
//     weft::CoroServer server(echo, {.loops = 2, .stop_signals = {SIGINT, SIGTERM}});
//     server.listen("tcp://127.0.0.1:7000");
//     server.run();
//   }
//
// For every accepted connection the server calls serve(Stream) on the connection's loop
// and runs the coroutine there; the loop resumes it inline when its awaited bytes arrive.
//
// Lifetime rules:
//   1. The coroutine owns its Stream: when the coroutine ends (or drops the Stream) the
//      connection is flushed and closed.
//   2. When the connection closes (the peer left, an error, the server stops) everything
//      the coroutine awaits completes with Errc::closed, and so does anything it awaits
//      later (except offload, which waits for its function).
//   3. An exception escaping the coroutine is logged (WEFT_LOG, error), its connection is
//      closed, and the server goes on.
//   4. Stopping (stop(), a stop signal, or the destructor) first cancels every coroutine,
//      spawned ones included, as in rule 2, while connections are still open, and each
//      loop waits for its own up to ServerOptions::shutdown_timeout without blocking:
//      loops keep running, new connections are closed at once. Any left after that
//      (ignoring errors) are destroyed, except those in an offload, which are reported.
//      Then the Server's graceful stop runs (flush, close) and run()/wait() return.
//      The CoroServer watches ServerOptions::stop_signals itself (server().options()
//      shows none); a stop through server().stop() skips the grace period.
//   5. serve is stored in the server and called once per connection; a lambda's captures
//      live as long as the server. See docs/coroutines.md on lambdas that capture.
//
// Threads: the constructor, listen(), start(), run() and wait() are for the owning
// thread; stop() and spawn() are safe from any thread, and stop() returns at once.

#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weft/core/address.h"
#include "weft/coro/detail/spawn.h"
#include "weft/coro/stream.h"
#include "weft/coro/task.h"
#include "weft/coro/worker_pool.h"
#include "weft/net/server.h"
#include "weft/net/server_options.h"

namespace weft {

struct CoroOptions {
  // Threads of the pool that runs offload() (started by the first offload).
  size_t workers = 4;
};

class CoroServer {
 public:
  using Serve = std::function<Task<>(Stream)>;
  static constexpr size_t kAnyLoop = static_cast<size_t>(-1);

  // Throws std::invalid_argument for inconsistent options or an empty serve.
  explicit CoroServer(Serve serve, ServerOptions options = {}, CoroOptions coro = {});
  ~CoroServer();
  CoroServer(const CoroServer&) = delete;
  CoroServer& operator=(const CoroServer&) = delete;

  // As Server::listen.
  CoroServer& listen(std::string_view url);
  void start();
  void run();
  void wait();
  void stop();

  // Runs a coroutine that no connection started (a client, a periodic job) on I/O loop
  // `loop` (kAnyLoop: round robin), in the next loop iteration, or once the server starts.
  // It is cancelled when the server stops, like a connection's. Pass the callable
  // that makes the Task rather than the Task: the callable is kept alive with the
  // coroutine (see docs/coroutines.md). Returns false once the server is stopping.
  template <class F>
  requires std::invocable<F&> && std::same_as<std::invoke_result_t<F&>, Task<>>
  bool spawn(F fn, size_t loop = kAnyLoop) { return start_root(detail::run_callable(std::move(fn)), loop); }
  bool spawn(Task<> task, size_t loop = kAnyLoop) { return start_root(detail::run_task(std::move(task)), loop); }

  const Address& address(size_t i = 0) const;
  size_t loop_count() const;
  Server& server();
  WorkerPool& workers();
  // Coroutines alive (connections' and spawned ones).
  size_t coroutine_count() const;

 private:
  bool start_root(detail::Root root, size_t loop);

  std::unique_ptr<detail::CoroRuntime> runtime_;
};

}  // namespace weft
