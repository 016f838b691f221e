#pragma once
// with_timeout(d, op): bounds one weft operation in time.
//
//   auto line = co_await weft::with_timeout(5s, s.read_until("\n"));
//   if (line.error() == weft::Errc::timeout) ...   // the stream is still usable
//
// op is any cancellable weft awaitable: the Stream reads and writes, sleep(), dial(). If
// it has not completed after d, it completes with Errc::timeout and the coroutine resumes
// with op's usual result type carrying that error. A read that times out has consumed
// nothing (read_exact into a buffer reports what it had copied), so the stream can be
// read again; a write that times out has still queued its bytes. An operation that
// completes at once never arms a timer. offload() cannot be bounded: the function it runs
// cannot be interrupted.

#include <utility>

#include "weft/core/time.h"
#include "weft/coro/detail/timeout_op.h"

namespace weft {

template <detail::Cancellable Op>
detail::TimeoutOp<Op> with_timeout(Duration d, Op&& op) {
  return detail::TimeoutOp<Op>(d, std::move(op));
}

}  // namespace weft
