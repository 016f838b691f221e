#include "core/timer_queue.h"

#include <algorithm>
#include <cassert>

#include "core/guarded_call.h"

namespace weft::detail {
namespace {

TimerId make_id(uint32_t slot, uint32_t generation) {
  return TimerId{(static_cast<uint64_t>(generation) << 32) | slot};
}

}  // namespace

TimerId TimerQueue::add(TimePoint when, Duration period, Fn fn) {
  uint32_t generation;
  uint32_t slot = timers_.reserve(generation);
  Timer& t = timers_[slot];
  t.fn = std::move(fn);
  t.period = period;
  t.state = State::queued;
  ++live_;
  push(Entry{when, next_seq_++, slot, generation});
  return make_id(slot, generation);
}

bool TimerQueue::cancel(TimerId id) {
  Timer* t = timers_.find(static_cast<uint32_t>(id.value & 0xffffffffu), static_cast<uint32_t>(id.value >> 32));
  if (t == nullptr) return false;
  switch (t->state) {
    case State::queued: {
      t->state = State::stale;
      --live_;
      ++stale_entries_;
      // The slot is reused only once its heap entry is gone; the function is dropped now
      // so that whatever it captured is released promptly.
      Fn dropped = std::move(t->fn);
      if (stale_entries_ > 64 && stale_entries_ * 2 > heap_.size()) compact();
      return true;
    }
    case State::running:
      // Its heap entry is already popped. A one-shot timer has fired; a periodic one is
      // not re-armed, and its slot is freed when the callback returns.
      if (t->period == Duration::zero()) return false;
      t->state = State::dropped;
      --live_;
      return true;
    case State::stale:
    case State::dropped: return false;
  }
  return false;
}

void TimerQueue::run_due(TimePoint now) {
  const uint64_t limit = next_seq_;
  while (!heap_.empty() && heap_.front().when <= now && heap_.front().seq < limit) {
    Entry e = heap_.front();
    pop();
    if (stale(e)) {
      --stale_entries_;
      timers_.release(e.slot);
      continue;
    }
    // Run a moved-out function so the callback may cancel or re-add freely.
    timers_[e.slot].state = State::running;
    Fn fn = std::move(timers_[e.slot].fn);
    guarded_call("timer callback", fn);
    Timer& t = timers_[e.slot];  // The slab may have grown during the callback.
    if (t.state == State::running && t.period > Duration::zero()) {
      t.state = State::queued;
      t.fn = std::move(fn);
      TimePoint next = std::max(e.when + t.period, now);
      push(Entry{next, next_seq_++, e.slot, e.generation});
      continue;
    }
    if (t.state == State::running) --live_;  // A one-shot timer that fired.
    timers_.release(e.slot);
  }
}

TimePoint TimerQueue::next_deadline() {
  while (!heap_.empty() && stale(heap_.front())) {
    uint32_t slot = heap_.front().slot;
    pop();
    --stale_entries_;
    timers_.release(slot);
  }
  return heap_.empty() ? TimePoint::max() : heap_.front().when;
}

void TimerQueue::push(Entry e) {
  heap_.push_back(e);
  std::push_heap(heap_.begin(), heap_.end(), later);
}

void TimerQueue::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
}

bool TimerQueue::stale(const Entry& e) const {
  // A slot is freed only once its entry has left the heap, so the generations agree.
  assert(timers_.generation(e.slot) == e.generation);
  return timers_[e.slot].state == State::stale;
}

void TimerQueue::compact() {
  auto live_end = std::partition(heap_.begin(), heap_.end(), [this](const Entry& e) { return !stale(e); });
  assert(static_cast<size_t>(heap_.end() - live_end) == stale_entries_);
  for (auto it = live_end; it != heap_.end(); ++it) timers_.release(it->slot);
  heap_.erase(live_end, heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), later);
  stale_entries_ = 0;
}

}  // namespace weft::detail
