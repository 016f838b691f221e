#include "http/deadlines.h"

#include <algorithm>

namespace weft::http::detail {

Deadlines::Deadlines(EventLoop& loop, const Timeouts& t, Expire expire)
    : loop_(loop), timeouts_{t.header, t.body, t.idle, t.handler}, expire_(std::move(expire)) {
  // A sweep every eighth of the shortest timeout: a deadline is met within 12.5 %.
  Duration shortest = Duration::max();
  for (Duration d : timeouts_) {
    if (d > Duration::zero()) shortest = std::min(shortest, d);
  }
  if (shortest != Duration::max()) {
    period_ = std::clamp<Duration>(shortest / 8, std::chrono::milliseconds(5), std::chrono::seconds(1));
  }
}

// The loop, and the sweep timer with it, is gone by now (see the header).
Deadlines::~Deadlines() = default;

void Deadlines::start_timer() {
  if (timer_ || period_ == Duration::zero()) return;
  timer_ = loop_.run_every(period_, [this] { sweep(); });
}

void Deadlines::enter(Hook& hook, Kind kind) {
  leave(hook);
  if (timeouts_[kind] <= Duration::zero()) return;
  start_timer();
  hook.kind_ = kind;
  hook.since_ = loop_.now();
  hook.prev_ = tail_[kind];
  hook.next_ = nullptr;
  if (tail_[kind] != nullptr) {
    tail_[kind]->next_ = &hook;
  } else {
    head_[kind] = &hook;
  }
  tail_[kind] = &hook;
}

void Deadlines::leave(Hook& hook) {
  if (hook.kind_ == kinds) return;
  const Kind k = hook.kind_;
  if (hook.prev_ != nullptr) {
    hook.prev_->next_ = hook.next_;
  } else {
    head_[k] = hook.next_;
  }
  if (hook.next_ != nullptr) {
    hook.next_->prev_ = hook.prev_;
  } else {
    tail_[k] = hook.prev_;
  }
  hook.prev_ = hook.next_ = nullptr;
  hook.kind_ = kinds;
}

void Deadlines::sweep() {
  const TimePoint now = loop_.now();
  for (int k = 0; k < kinds; ++k) {
    const Kind kind = static_cast<Kind>(k);
    while (head_[kind] != nullptr && now - head_[kind]->since_ >= timeouts_[kind]) {
      Hook& due = *head_[kind];
      leave(due);
      expire_(due, kind);  // May close the connection; the hook is no longer listed.
    }
  }
}

}  // namespace weft::http::detail
