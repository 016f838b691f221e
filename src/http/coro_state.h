#pragma once
// CoroState: what the sessions of one http::CoroServer share, and its graceful stop.
//
// Per I/O loop a CoroLoop holds the same LoopState as http::Server's loops (request
// counters, the deadline lists, the pool of exchange states) and the list of the loop's
// live sessions.
//
// Stopping (stop(), or a stop signal, which this state watches itself instead of the
// coroutine runtime, whose own stop cancels every coroutine at once) is graceful, like
// http::Server's, and driven by the loops:
//   1. stop() marks the server stopping (responses from then on say Connection: close)
//      and posts begin_stop() to every I/O loop.
//   2. begin_stop() tells each session of the loop (CoroSession::on_stopping): a request
//      in progress is finished and its response closes the connection; a keep-alive
//      connection between requests waits Timeouts::idle_on_stop for one more request, or
//      closes at once without it; an upgraded connection is cancelled. Connections
//      accepted meanwhile are treated as waiting between requests.
//   3. A loop whose last session ends, or whose ServerOptions::shutdown_timeout passes,
//      reports drained; after the last loop, the coroutine runtime's stop runs (it
//      cancels what is left, then the engine closes the listeners and connections and
//      run()/wait() return).
// Each CoroLoop is touched only by its loop's thread; stop() is for any thread.

#include <atomic>
#include <memory>
#include <vector>

#include "core/intrusive_list.h"
#include "http/coro_session.h"
#include "http/server_state.h"
#include "weft/coro/coro_server.h"
#include "weft/http/options.h"
#include "weft/http/router.h"
#include "weft/http/stats.h"

namespace weft::detail {
class SignalWatcher;
}

namespace weft::http::detail {

struct CoroLoop {
  CoroLoop(EventLoop& l, RequestStats& s, const Options& o, Deadlines::Expire expire)
      : shared(l, s, o, std::move(expire)) {}
  LoopState shared;
  weft::detail::IntrusiveList<CoroSession, &CoroSession::link_> sessions;
  TimerId deadline;       // shutdown_timeout, while the stop waits for the sessions.
  bool draining = false;  // begin_stop() has run on this loop.
  bool drained = false;   // ... and this loop has reported.
};

struct CoroState {
  CoroState(const Router& r, Options o);
  ~CoroState();

  // The loop's state (the first loop's for a loop that is not the server's).
  CoroLoop& loop_of(EventLoop* loop);
  // Starts watching the stop signals and starts the runtime. Owning thread.
  void start();
  // Begins the graceful stop described above and returns at once. Any thread; idempotent.
  void stop();
  // A session of loop l ended (its destructor), on l's thread.
  void session_ended(CoroLoop& l) { check_drained(l); }

  const Router& router;
  const Options options;
  // Per I/O loop, made with the server (before its loops run); stats are read by any thread.
  std::vector<std::unique_ptr<RequestStats>> stats;
  std::vector<std::unique_ptr<CoroLoop>> loops;
  std::unique_ptr<weft::CoroServer> runtime;
  std::atomic<bool> stopping{false};

 private:
  void begin_stop(CoroLoop& l);
  void check_drained(CoroLoop& l);
  void loop_drained();

  std::vector<int> stop_signals_;
  std::unique_ptr<weft::detail::SignalWatcher> signals_;
  std::atomic<bool> started_{false};
  std::atomic<size_t> drained_loops_{0};
};

}  // namespace weft::http::detail
