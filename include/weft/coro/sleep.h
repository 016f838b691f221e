#pragma once
// co_await sleep(d): suspends the coroutine for at least d (counted from the call) on its
// loop's timer.
//
//   if (auto ec = co_await weft::sleep(100ms)) co_return;   // Errc::closed: cancelled
//
// Returns an empty error_code when the time is up, or Errc::closed if the coroutine was
// cancelled first (its connection closed, or the server is stopping); a zero or negative
// duration yields to the loop for one iteration. It works in coroutines weft runs
// (connection coroutines and CoroServer::spawn) and reports
// std::errc::operation_not_supported anywhere else. Loop thread only.

#include "weft/core/time.h"
#include "weft/coro/detail/sleep_op.h"

namespace weft {

inline detail::SleepOp sleep(Duration d) {
  return detail::SleepOp(d);
}

}  // namespace weft
