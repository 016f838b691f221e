#pragma once
// What the sessions of one HTTP server share: the router, the options, and per loop the
// deadline lists. Built before the loops start; afterwards each LoopState is touched only
// by its own loop's thread, and the rest is read-only.

#include <atomic>
#include <memory>
#include <vector>

#include "http/deadlines.h"
#include "weft/http/options.h"
#include "weft/http/router.h"

namespace weft::http::detail {

struct LoopState {
  LoopState(EventLoop& l, const Timeouts& t, Deadlines::Expire expire) : loop(&l), deadlines(l, t, std::move(expire)) {}
  EventLoop* loop;
  Deadlines deadlines;
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
  std::atomic<bool> stopping{false};
};

}  // namespace weft::http::detail
