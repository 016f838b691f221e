#pragma once
// co_await offload(fn): runs a blocking function on the server's WorkerPool and resumes
// the coroutine on its own loop thread with fn's result.
//
//   std::string page = co_await weft::offload([&] { return read_file(path); });
//
// An exception fn throws is rethrown by the co_await. offload is not cancelled when the
// connection closes (fn may be using the coroutine's locals, so the coroutine waits for
// it); the stream operations after it report Errc::closed. It works in coroutines a
// CoroServer runs; elsewhere, or once the pool is stopping, the co_await throws
// std::system_error (std::errc::operation_not_supported, or Errc::shutdown).

#include <type_traits>
#include <utility>

#include "weft/coro/detail/offload_op.h"

namespace weft {

template <class F>
detail::OffloadOp<std::decay_t<F>> offload(F&& fn) {
  return detail::OffloadOp<std::decay_t<F>>(std::forward<F>(fn));
}

}  // namespace weft
