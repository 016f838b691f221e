#pragma once
// CoroContext: what every coroutine of one weft coroutine tree shares. Machinery behind
// weft's awaitables; applications do not use it.
//
// A root coroutine (one per connection, or one spawned on a CoroServer) owns a
// CoroContext, and every Task it awaits, directly or not, sees the same context: it tells
// an awaitable which loop to use and lets the tree be cancelled. While the tree is
// suspended on a weft operation, `pending` points at that operation's Waiter, so closing
// the connection or stopping the server completes it with Errc::closed. A tree awaits one
// thing at a time, so one pointer is enough.
//
// Everything here is for the root's loop thread.

#include <concepts>
#include <coroutine>
#include <cstdint>

namespace weft {
class EventLoop;
}

namespace weft::detail {

class CoroRuntime;
class Waiter;

class CoroContext {
 public:
  // Marks the tree cancelled (later awaits fail at once with Errc::closed) and completes
  // the operation it is suspended on, if any. Resumes the tree: touch nothing afterwards.
  void cancel();

  EventLoop* loop = nullptr;
  CoroRuntime* runtime = nullptr;
  Waiter* pending = nullptr;
  bool cancelled = false;
  uint32_t offloads = 0;  // Offloads in flight: such a tree is never destroyed by force.
  // The hook of the runtime's list of live roots on this loop (once it started there).
  struct RootsHook {
    CoroContext* prev = nullptr;
    CoroContext* next = nullptr;
  } roots_hook;
  std::coroutine_handle<> root;
};

// The context of the coroutine behind h, or null if it is not a weft coroutine.
template <class P>
CoroContext* context_of(std::coroutine_handle<P> h) {
  if constexpr (requires(P & p) {
                  { p.context() } -> std::convertible_to<CoroContext*>;
                }) {
    return h.promise().context();
  } else {
    return nullptr;
  }
}

}  // namespace weft::detail
