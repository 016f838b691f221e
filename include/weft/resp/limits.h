#pragma once
// RequestLimits: how large a Redis request may be. The defaults are Redis's own
// (proto-max-bulk-len, the multibulk count bound, PROTO_INLINE_MAX_SIZE, and the stricter
// bounds for a client that has not authenticated yet). RequestParser checks them once, in
// its constructor, and throws std::invalid_argument naming the field that is wrong.
//
// What each limit bounds, and the reply a peer gets when it crosses it:
//   max_bulk_length     one argument's declared length   "Protocol error: invalid bulk length"
//   max_arguments       one multibulk's declared count   "Protocol error: invalid multibulk length"
//   max_line_length     an inline request, or the count  "Protocol error: too big inline request",
//                       or length line of a multibulk    "... too big mbulk count string",
//                                                        "... too big bulk count string"
//   max_request_length  all the bytes of one request     "Protocol error: too big request"
//   unauthenticated_*   the same two declared values     "Protocol error: unauthenticated
//                       while authentication is due      multibulk length" / "... bulk length"
// Declared counts and lengths are never used to preallocate: memory follows the bytes
// that actually arrive, so a connection holds at most max_request_length bytes of a
// request it has not finished sending.

#include <cstddef>

namespace weft::resp {

struct RequestLimits {
  size_t max_bulk_length = 512 * 1024 * 1024;
  size_t max_arguments = 2147483647;  // INT_MAX, as Redis.
  size_t max_line_length = 64 * 1024;
  // About Redis's client-query-buffer-limit (1 GiB): Redis closes such a client silently,
  // weft answers with a protocol error first.
  size_t max_request_length = 1024 * 1024 * 1024;
  size_t unauthenticated_max_arguments = 10;
  size_t unauthenticated_max_bulk_length = 16 * 1024;
};

// Throws std::invalid_argument naming the first field that is out of range: every limit
// must be at least 1, max_line_length at least 16 (room for any count line), and
// max_request_length at least max_line_length.
void validate(const RequestLimits& limits);

}  // namespace weft::resp
