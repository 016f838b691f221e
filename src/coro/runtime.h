#pragma once
// CoroRuntime: what a CoroServer is made of. It owns the Server and the handler that
// turns connection events into coroutine resumptions, the worker pool, and the list of
// live root coroutines on each loop, so that a stop can cancel and wait for them.

#include <atomic>
#include <condition_variable>
#include <coroutine>
#include <mutex>
#include <utility>
#include <vector>

#include "core/intrusive_list.h"
#include "coro/stream_state.h"
#include "weft/coro/detail/root.h"
#include "weft/coro/coro_server.h"
#include "weft/coro/worker_pool.h"
#include "weft/net/conn.h"
#include "weft/net/handler.h"
#include "weft/net/server.h"

namespace weft::detail {

class CoroRuntime;

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
  // Queues a spawned root for its loop (any thread).
  bool start_root(Root root, size_t loop);
  // Starts the loops and releases roots spawned before.
  void start();
  // A root ended or was destroyed (root_finished).
  void root_ended(CoroContext& ctx) noexcept;
  // The server has closed every connection (on_shutdown, main loop thread): cancel and
  // wait for every live coroutine.
  void drain();

 private:
  using RootList = IntrusiveList<CoroContext, &CoroContext::roots_hook>;
  struct LoopRoots {
    EventLoop* loop;
    RootList roots;
    StreamState* adopting = nullptr;  // The stream of the socket adopt() is adding.
  };
  LoopRoots& roots_of(EventLoop* loop);
  void link(CoroContext& ctx);
  void post_root(Root::Handle root, EventLoop& loop);
  void cancel_all(EventLoop* loop);
  void destroy_all(EventLoop* loop);
  bool wait_idle(Duration timeout);

  CoroServer::Serve serve_;
  CoroHandler handler_;
  WorkerPool workers_;
  Server server_;
  std::vector<LoopRoots> loops_;  // Each entry touched only by its loop's thread.
  std::atomic<size_t> live_{0};
  std::atomic<size_t> next_loop_{0};

  std::mutex mutex_;
  std::condition_variable idle_;
  bool started_ = false;  // Guarded by mutex_.
  std::atomic<bool> stopping_{false};
  std::vector<std::pair<Root::Handle, size_t>> early_;  // Spawned before start(); mutex_.

  friend class CoroHandler;
};

}  // namespace weft::detail
