#pragma once
// TimeoutList: things waiting with one fixed timeout, on one loop, without a timer each.
// A waiter enters at the tail, so the list stays ordered by deadline; a sweep every eighth
// of the timeout expires what is due from the head. Entering, leaving and touching (enter
// again) are O(1). Loop thread only. A list is destroyed after its loop (the server's
// engine goes first), so it never cancels its timer.

#include <functional>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"

namespace weft::http::detail {

class TimeoutList;

// What a waiter embeds; in at most one list at a time.
class TimeoutHook {
 public:
  bool waiting() const { return list_ != nullptr; }
  TimeoutList* list() const { return list_; }

 private:
  friend class TimeoutList;
  TimeoutHook* prev_ = nullptr;
  TimeoutHook* next_ = nullptr;
  TimePoint since_{};
  TimeoutList* list_ = nullptr;
};

class TimeoutList {
 public:
  using Expire = std::function<void(TimeoutHook&)>;

  // A zero or negative timeout makes a list that nothing enters.
  TimeoutList(EventLoop& loop, Duration timeout, Expire expire);
  TimeoutList(const TimeoutList&) = delete;
  TimeoutList& operator=(const TimeoutList&) = delete;

  Duration timeout() const { return timeout_; }
  // Starts waiting now (leaving any list the hook is in); a disabled list only leaves.
  void enter(TimeoutHook& hook);
  // Stops waiting, in whichever list the hook is.
  static void leave(TimeoutHook& hook);

 private:
  void remove(TimeoutHook& hook);
  void sweep();

  EventLoop& loop_;
  Duration timeout_;
  Expire expire_;
  TimeoutHook* head_ = nullptr;
  TimeoutHook* tail_ = nullptr;
  TimerId timer_;
};

}  // namespace weft::http::detail
