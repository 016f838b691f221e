#pragma once
// The bodies of the roots CoroServer::spawn starts (weft/coro/coro_server.h): they await
// the spawned work and log what escapes it. Machinery; applications call spawn().

#include "weft/coro/detail/root.h"
#include "weft/coro/task.h"

namespace weft::detail {

// The bodies of spawned roots. A callable is kept in the root's own frame, so a lambda's
// captures live as long as the coroutine it starts.
template <class F>
Root run_callable(F fn) {
  try {
    co_await fn();
  } catch (...) {
    log_root_exception("spawned coroutine");
  }
}

Root run_task(Task<> task);

}  // namespace weft::detail
