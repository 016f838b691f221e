#include "http/coro_state.h"

#include <cstring>

#include "http/coro_session.h"
#include "net/signal_watcher.h"
#include "weft/core/log.h"

namespace weft::http::detail {
CoroState::CoroState(const Router& r, Options o)
    : router(r), options(std::move(o)), stop_signals_(options.net.stop_signals) {}

CoroState::~CoroState() {
  signals_.reset();
  runtime.reset();  // Its sessions go first: they point into loops.
}

CoroLoop& CoroState::loop_of(EventLoop* loop) {
  for (auto& l : loops) {
    if (l->shared.loop == loop) return *l;
  }
  return *loops.front();
}

void CoroState::start() {
  if (!stop_signals_.empty() && !signals_) {
    // Made on the owning thread before the loops' threads exist, so they inherit the
    // blocked signals (as the runtime does with its own watcher).
    signals_ =
        std::make_unique<weft::detail::SignalWatcher>(runtime->server().loop(0), stop_signals_, [this](int signo) {
          WEFT_LOG(LogLevel::info, "received %s, stopping", ::strsignal(signo));
          stop();
        });
    signals_->start();
  }
  started_.store(true);
  runtime->start();
}

void CoroState::stop() {
  if (stopping.exchange(true)) return;
  if (!started_.load()) {
    runtime->stop();
    return;
  }
  // As http::Server's stop: nothing new is accepted (a hot restart's next generation
  // takes the connections that arrive from now on), and the loops begin once the
  // connections accepted before have reached them.
  runtime->server().stop_accepting([this] {
    for (auto& l : loops) {
      CoroLoop* cl = l.get();
      if (!cl->shared.loop->post([this, cl] { begin_stop(*cl); })) loop_drained();
    }
  });
}

void CoroState::begin_stop(CoroLoop& l) {
  l.draining = true;
  std::vector<CoroSession*> all;
  for (CoroSession* s = l.sessions.front(); s != nullptr; s = decltype(l.sessions)::next(*s)) all.push_back(s);
  // A session told to stop may end at once (an upgraded one is cancelled and resumed
  // inline); ending one never ends another, so the snapshot stays valid.
  for (CoroSession* s : all) s->on_stopping();
  if (!l.drained && !l.sessions.empty()) {
    l.deadline = l.shared.loop->run_after(options.net.shutdown_timeout, [this, &l] {
      l.deadline = {};
      if (l.drained) return;
      WEFT_LOG(LogLevel::warn, "%zu HTTP connections still busy after shutdown_timeout; cancelling them",
               l.sessions.size());
      l.drained = true;
      loop_drained();
    });
  }
  check_drained(l);
}

void CoroState::check_drained(CoroLoop& l) {
  if (!l.draining || l.drained || !l.sessions.empty()) return;
  l.drained = true;
  if (l.deadline) {
    l.shared.loop->cancel(l.deadline);
    l.deadline = {};
  }
  loop_drained();
}

void CoroState::loop_drained() {
  // The runtime's stop next: it cancels what still runs (coroutines spawned by the user),
  // then the engine closes what is left.
  if (drained_loops_.fetch_add(1) + 1 == loops.size()) runtime->stop();
}

}  // namespace weft::http::detail
