#pragma once
// CoroRuntime: what a CoroServer is made of. It owns the Server and the handler that
// turns connection events into coroutine resumptions, the worker pool, and the list of
// live root coroutines on each loop, so that a stop can cancel and wait for them.
//
// Stopping (stop(), or a stop signal, which the runtime watches itself on I/O loop 0) is
// driven by the loops, never by a thread that sleeps:
//   1. Each I/O loop gets a posted task that cancels its live roots and arms a timer at
//      shutdown_timeout. Connections stay open meanwhile, so a coroutine that ends flushes
//      and closes its own; new connections are closed at once.
//   2. A loop whose last root ends (or whose timer fires: the roots left are destroyed,
//      except those in an offload, which are given one more second and then abandoned)
//      reports that it is drained.
//   3. When the last loop has reported, the Server's graceful stop runs (listeners close,
//      output is flushed, connections close), and run()/wait() return after it.

#include <atomic>
#include <coroutine>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/intrusive_list.h"
#include "coro/stream_state.h"
#include "weft/coro/coro_server.h"
#include "weft/coro/detail/root.h"
#include "weft/coro/worker_pool.h"
#include "weft/dns/resolver.h"
#include "weft/net/conn.h"
#include "weft/net/handler.h"
#include "weft/net/server.h"

namespace weft::detail {

class CoroRuntime;
class SignalWatcher;

class CoroHandler final : public Handler {
 public:
  explicit CoroHandler(CoroRuntime& runtime) : runtime_(runtime) {}
  void on_open(Conn& conn) override;
  void on_traffic(Conn& conn) override {
    if (auto* s = StreamAttachment::of(conn)) s->on_traffic(conn);
  }
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override;
  void on_high_water(Conn& conn) override {
    if (auto* s = StreamAttachment::of(conn)) s->on_high_water();
  }
  void on_low_water(Conn& conn) override {
    if (auto* s = StreamAttachment::of(conn)) s->on_low_water();
  }
  void on_shutdown(Server& server) override;

 private:
  CoroRuntime& runtime_;
};

class CoroRuntime {
 public:
  CoroRuntime(CoroServer::Serve serve, ServerOptions options, const CoroOptions& coro);
  ~CoroRuntime();

  Server& server() { return server_; }
  WorkerPool& workers() { return workers_; }
  const ServerOptions& options() const { return server_.options(); }
  size_t live() const { return live_.load(std::memory_order_relaxed); }

  // Starts the coroutine for an accepted connection (from on_open).
  void serve_connection(Conn& conn);
  // Adds a connected socket to the calling I/O loop, `loop` (dial), with state as its
  // stream. Returns false, with fd closed, if the server refused it.
  bool adopt(int fd, EventLoop& loop, StreamState& state);
  // The name resolver of `loop` (dns::default_resolver(), made on first use). That loop's
  // thread only.
  dns::Resolver& resolver(EventLoop& loop);
  // Queues a spawned root for its loop (any thread).
  bool start_root(Root root, size_t loop);
  // Starts the loops and releases roots spawned before.
  void start();
  // A root ended or was destroyed (root_finished).
  void root_ended(CoroContext& ctx) noexcept;
  // Begins the stop described above and returns at once. Any thread; idempotent.
  void stop();
  // The server has closed every connection and is about to stop its loops (on_shutdown,
  // main loop thread). Roots the drain did not see (started after it, or a Server::stop
  // that bypassed the runtime) are cancelled, then destroyed, by tasks the loops run as
  // they stop. Does not wait.
  void cancel_stragglers();

 private:
  using RootList = IntrusiveList<CoroContext, &CoroContext::roots_hook>;
  struct LoopRoots {
    explicit LoopRoots(EventLoop& l) : loop(&l) {}
    EventLoop* loop;
    RootList roots;
    StreamState* adopting = nullptr;  // The stream of the socket adopt() is adding.
    bool draining = false;            // The stop's task has run on this loop.
    bool drained = false;             // ... and this loop has reported.
    TimerId deadline;
    std::unique_ptr<dns::Resolver> resolver;
  };
  LoopRoots& roots_of(EventLoop* loop);
  void link(CoroContext& ctx);
  void post_root(Root::Handle root, EventLoop& loop);
  void cancel_all(LoopRoots& r);
  void destroy_all(LoopRoots& r);
  // On loop r's thread: the steps of the drain.
  void begin_drain(LoopRoots& r);
  void drain_deadline(LoopRoots& r);
  void check_drained(LoopRoots& r);
  void loop_drained();

  CoroServer::Serve serve_;
  CoroHandler handler_;
  WorkerPool workers_;
  Server server_;
  // Built once; each entry is touched only by its loop's thread.
  std::vector<LoopRoots> loops_;
  std::atomic<size_t> live_{0};
  std::atomic<size_t> next_loop_{0};

  std::vector<int> stop_signals_;
  std::unique_ptr<SignalWatcher> signals_;
  std::atomic<size_t> drained_loops_{0};

  std::mutex mutex_;
  bool started_ = false;  // Guarded by mutex_.
  std::atomic<bool> stopping_{false};
  std::vector<std::pair<Root::Handle, size_t>> early_;  // Spawned before start(); mutex_.

  friend class CoroHandler;
};

}  // namespace weft::detail
