#pragma once
// What the sessions of one HTTP server share: the router, the options, and per loop the
// deadline lists, the request counters and the pool of exchange states. Built before the
// loops start; afterwards each LoopState is touched only by its own loop's thread, and the
// rest is read-only.

#include <atomic>
#include <memory>
#include <vector>

#include "http/deadlines.h"
#include "http/exchange_state.h"
#include "weft/http/options.h"
#include "weft/http/request.h"
#include "weft/http/router.h"
#include "weft/http/stats.h"

namespace weft::http::detail {

struct LoopState {
  LoopState(EventLoop& l, RequestStats& s, const Options& o, Deadlines::Expire expire)
      : loop(&l), stats(&s), deadlines(l, o.timeouts, std::move(expire)), exchanges(o.limits) {}
  EventLoop* loop;
  RequestStats* stats;
  Deadlines deadlines;
  ExchangePool exchanges;
};

// Whether the response to req may leave its connection open: the client allows it, the
// server is not stopping, and the connection stays below max_requests_per_connection
// (answered: the requests answered on it before this one).
inline bool keeps_alive(const Options& options, bool stopping, const Request& req, uint64_t answered) {
  return req.keep_alive() && !stopping &&
         (options.max_requests_per_connection == 0 || answered + 1 < options.max_requests_per_connection);
}

struct ServerState {
  ServerState(const Router& r, Options o) : router(r), options(std::move(o)) {}

  // The state of the loop the caller runs on.
  LoopState& loop_state(EventLoop& loop) {
    for (auto& s : loops) {
      if (s->loop == &loop) return *s;
    }
    return *loops.front();
  }

  const Router& router;
  const Options options;
  std::vector<std::unique_ptr<LoopState>> loops;
  // One per I/O loop, made with the server (before its loops run), read by any thread.
  std::vector<std::unique_ptr<RequestStats>> stats;
  std::atomic<bool> stopping{false};
};

}  // namespace weft::http::detail
