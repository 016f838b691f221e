#pragma once
// The one place where weft catches what user code throws and carries on: posted tasks,
// timers, done callbacks, worker tasks and handler calls run through guarded_call, and
// coroutine bodies (which cannot be wrapped in a callable) log from their catch block
// with log_current_exception.
//
//   if (guarded_call("posted task", task)) ...   // it threw; already logged
//
// The log line is "<label> threw: <what()>", or "<label> threw a non-standard exception"
// for anything that is not a std::exception, at LogLevel::error.

#include <exception>
#include <utility>

#include "weft/core/log.h"

namespace weft::detail {

// Logs the exception being handled; call it only inside a catch block (or a coroutine
// promise's unhandled_exception). `then`, if not null, is appended ("; closing ...").
[[gnu::cold, gnu::noinline]] inline void log_current_exception(const char* label, const char* then = nullptr) noexcept {
  const char* sep = then != nullptr ? "; " : "";
  const char* tail = then != nullptr ? then : "";
  try {
    throw;
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "%s threw: %s%s%s", label, e.what(), sep, tail);
  } catch (...) {
    WEFT_LOG(LogLevel::error, "%s threw a non-standard exception%s%s", label, sep, tail);
  }
}

// Runs fn(); an exception it throws is logged with label and goes no further. Returns
// true if fn threw.
template <class F>
bool guarded_call(const char* label, F&& fn) noexcept {
  try {
    std::forward<F>(fn)();
    return false;
  } catch (...) {
    log_current_exception(label);
    return true;
  }
}

}  // namespace weft::detail
