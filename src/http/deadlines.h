#pragma once
// Deadlines: the HTTP timeouts of one loop's connections, one TimeoutList per kind of
// wait (each kind has one duration, from Timeouts). A connection waits for one thing at a
// time, so one hook serves them all. Loop thread only.

#include <array>
#include <functional>

#include "http/timeout_list.h"
#include "weft/http/options.h"

namespace weft::http::detail {

class Deadlines {
 public:
  enum Kind : uint8_t {
    header,    // From the first byte of a request to the end of its head (and a new connection).
    body,      // Between two reads of a body.
    idle,      // A keep-alive connection between requests.
    handler,   // A request handed to its handler, until its response is complete.
    stopping,  // A keep-alive connection between requests once the server stops.
    kinds,
  };
  using Hook = TimeoutHook;
  using Expire = std::function<void(Hook&, Kind)>;

  Deadlines(EventLoop& loop, const Timeouts& timeouts, Expire expire);

  // Starts (or restarts) waiting for kind; a kind without a timeout only leaves.
  void enter(Hook& hook, Kind kind) { lists_[kind].enter(hook); }
  void leave(Hook& hook) { TimeoutList::leave(hook); }

 private:
  Expire expire_;
  std::array<TimeoutList, kinds> lists_;
};

}  // namespace weft::http::detail
