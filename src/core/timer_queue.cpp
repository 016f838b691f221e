#include "core/timer_queue.h"

#include <algorithm>
#include <cassert>
#include <exception>

#include "weft/core/log.h"

namespace weft::detail {
namespace {

TimerId make_id(uint32_t slot, uint32_t generation) {
  return TimerId{(static_cast<uint64_t>(generation) << 32) | slot};
}

}  // namespace

TimerId TimerQueue::add(TimePoint when, Duration period, Fn fn) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.fn = std::move(fn);
  s.period = period;
  s.state = State::queued;
  ++live_;
  push(Entry{when, next_seq_++, slot, s.generation});
  return make_id(slot, s.generation);
}

bool TimerQueue::cancel(TimerId id) {
  uint32_t slot = static_cast<uint32_t>(id.value & 0xffffffffu);
  uint32_t generation = static_cast<uint32_t>(id.value >> 32);
  if (!id || slot >= slots_.size()) return false;
  Slot& s = slots_[slot];
  if (s.generation != generation) return false;
  switch (s.state) {
    case State::queued: {
      s.state = State::stale;
      --live_;
      ++stale_entries_;
      // The slot is reused only once its heap entry is gone; the function is dropped now
      // so that whatever it captured is released promptly.
      Fn dropped = std::move(s.fn);
      if (stale_entries_ > 64 && stale_entries_ * 2 > heap_.size()) compact();
      return true;
    }
    case State::running:
      // Its heap entry is already popped. A one-shot timer has fired; a periodic one is
      // not re-armed, and its slot is freed when the callback returns.
      if (s.period == Duration::zero()) return false;
      s.state = State::dropped;
      --live_;
      return true;
    case State::free:
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
      release(e.slot);
      continue;
    }
    // Run a moved-out function so the callback may cancel or re-add freely.
    slots_[e.slot].state = State::running;
    Fn fn = std::move(slots_[e.slot].fn);
    try {
      fn();
    } catch (const std::exception& ex) {
      WEFT_LOG(LogLevel::error, "timer callback threw: %s", ex.what());
    } catch (...) {
      WEFT_LOG(LogLevel::error, "timer callback threw a non-standard exception");
    }
    Slot& s = slots_[e.slot];  // slots_ may have grown during the callback.
    if (s.state == State::running && s.period > Duration::zero()) {
      s.state = State::queued;
      s.fn = std::move(fn);
      TimePoint next = std::max(e.when + s.period, now);
      push(Entry{next, next_seq_++, e.slot, e.generation});
      continue;
    }
    if (s.state == State::running) --live_;  // A one-shot timer that fired.
    release(e.slot);
  }
}

TimePoint TimerQueue::next_deadline() {
  while (!heap_.empty() && stale(heap_.front())) {
    uint32_t slot = heap_.front().slot;
    pop();
    --stale_entries_;
    release(slot);
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

void TimerQueue::release(uint32_t slot) {
  Slot& s = slots_[slot];
  s.fn = nullptr;
  s.state = State::free;
  ++s.generation;
  if (s.generation == 0) s.generation = 1;  // Id 0 means "no timer".
  free_slots_.push_back(slot);
}

bool TimerQueue::stale(const Entry& e) const {
  // A slot is freed only once its entry has left the heap, so the generations agree.
  assert(slots_[e.slot].generation == e.generation);
  return slots_[e.slot].state == State::stale;
}

void TimerQueue::compact() {
  auto live_end = std::partition(heap_.begin(), heap_.end(), [this](const Entry& e) { return !stale(e); });
  for (auto it = live_end; it != heap_.end(); ++it) release(it->slot);
  assert(static_cast<size_t>(heap_.end() - live_end) == stale_entries_);
  heap_.erase(live_end, heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), later);
  stale_entries_ = 0;
}

}  // namespace weft::detail
