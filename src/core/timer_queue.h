#pragma once
// TimerQueue: a binary heap of deadlines over a Slab of timers. Cancel is O(1): it
// marks the slot, and the heap entry is dropped when it reaches the top (or when
// cancelled entries make up half the heap, which is then rebuilt). Ties on the deadline
// are broken by insertion order. Loop thread only.
//
// A TimerId is the timer's slab name (generation << 32 | slot); generations in use are
// odd, so no timer's id is 0. A timer in use is in one of these states; only `queued` and
// `stale` ones have a heap entry, so stale_entries() is exactly the number of `stale` ones:
//   queued   armed, its entry in the heap
//   stale    cancelled; its entry is still in the heap, and the slot is freed with it
//   running  its callback is on the stack (its entry was popped)
//   dropped  cancelled from inside its own callback; freed when the callback returns
// A one-shot timer counts as fired once its callback starts: cancelling it from there
// returns false. A periodic one cancelled from its callback is not re-armed.

#include <cstdint>
#include <functional>
#include <vector>

#include "core/slab.h"
#include "weft/core/time.h"

namespace weft::detail {

class TimerQueue {
 public:
  using Fn = std::function<void()>;

  TimerId add(TimePoint when, Duration period, Fn fn);
  bool cancel(TimerId id);
  // Runs every timer due at now. Timers added while running (even with zero delay) wait for
  // the next call.
  void run_due(TimePoint now);
  // The earliest live deadline, or TimePoint::max() when there is none.
  TimePoint next_deadline();
  // Timers armed (periodic ones until cancelled).
  size_t size() const { return live_; }
  // Heap entries of cancelled timers, not yet dropped; and all heap entries.
  size_t stale_entries() const { return stale_entries_; }
  size_t heap_size() const { return heap_.size(); }

 private:
  struct Entry {
    TimePoint when;
    uint64_t seq;
    uint32_t slot;
    uint32_t generation;
  };
  enum class State : uint8_t { queued, stale, running, dropped };
  struct Timer {
    Fn fn;
    Duration period{};
    State state = State::queued;
    void reset() { fn = nullptr; }  // Cheaper than assigning Timer{} (the Slab calls it).
  };
  static bool later(const Entry& a, const Entry& b) {
    return a.when != b.when ? a.when > b.when : a.seq > b.seq;
  }
  void push(Entry e);
  void pop();
  bool stale(const Entry& e) const;
  void compact();

  std::vector<Entry> heap_;
  Slab<Timer> timers_;
  uint64_t next_seq_ = 0;
  size_t live_ = 0;
  size_t stale_entries_ = 0;
};

}  // namespace weft::detail
