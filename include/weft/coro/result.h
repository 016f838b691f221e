#pragma once
// Status values for coroutine I/O: operations never throw on the I/O path.
//
//   auto [n, ec] = co_await stream.read_some(buf);     // IoResult
//   auto line = co_await stream.read_until("\n");      // Result<std::string_view>
//   if (!line) log(line.error().message()); else use(*line);

#include <cstddef>
#include <system_error>
#include <utility>

#include "weft/core/error.h"

namespace weft {

// How many bytes an operation moved, and how it ended. n may be non-zero with an error
// (read_exact into a buffer that timed out part-way reports what it did copy).
struct IoResult {
  size_t n = 0;
  std::error_code ec;
};

// A value or the error that prevented it.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}           // NOLINT: implicit on purpose.
  Result(std::error_code error) : error_(error) {}        // NOLINT
  Result(Errc error) : error_(make_error_code(error)) {}  // NOLINT

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  std::error_code error() const { return error_; }

  // The value; meaningful only when ok().
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }
  T& operator*() & { return value_; }
  const T& operator*() const& { return value_; }
  T&& operator*() && { return std::move(value_); }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }

 private:
  T value_{};
  std::error_code error_;
};

}  // namespace weft
