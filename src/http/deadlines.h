#pragma once
// Deadlines: the HTTP timeouts of one loop's connections without a timer per connection.
// There is one list per kind of wait; a connection enters a list when it starts waiting
// and is appended at the tail, so each list is ordered by deadline (one duration per
// list). A sweep every period expires what is due from the heads. Entering, leaving and
// touching are O(1). Loop thread only; destroyed after its loop has been (the server's
// engine goes first), so it never cancels its timer.

#include <cstdint>
#include <functional>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/http/options.h"

namespace weft::http::detail {

class Deadlines {
 public:
  enum Kind : uint8_t {
    header,   // From the first byte of a request to the end of its head (and a new connection).
    body,     // Between two reads of a body.
    idle,     // A keep-alive connection between requests.
    handler,  // A request handed to its handler, until its response is complete.
    kinds,
  };

  class Hook {
   public:
    Kind kind() const { return kind_; }
    bool waiting() const { return kind_ != kinds; }

   private:
    friend class Deadlines;
    Hook* prev_ = nullptr;
    Hook* next_ = nullptr;
    TimePoint since_{};
    Kind kind_ = kinds;
  };

  using Expire = std::function<void(Hook&, Kind)>;

  Deadlines(EventLoop& loop, const Timeouts& timeouts, Expire expire);
  ~Deadlines();
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;

  EventLoop& loop() const { return loop_; }
  // Starts (or restarts) waiting for kind: the deadline is now + its timeout. A kind
  // whose timeout is zero only leaves the current list.
  void enter(Hook& hook, Kind kind);
  void leave(Hook& hook);

 private:
  void sweep();
  void start_timer();

  EventLoop& loop_;
  Duration timeouts_[kinds];
  Expire expire_;
  Hook* head_[kinds] = {};
  Hook* tail_[kinds] = {};
  TimerId timer_;
  Duration period_{};
};

}  // namespace weft::http::detail
