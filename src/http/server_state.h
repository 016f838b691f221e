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
