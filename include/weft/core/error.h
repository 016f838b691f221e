#pragma once
// weft's error codes. I/O paths report std::error_code values in weft's own category;
// set-up calls (bad address, bad options) throw std::system_error or std::invalid_argument
// with a message that names what was wrong.

#include <system_error>

namespace weft {

enum class Errc {
  closed = 1,        // The connection is closed, or closed before the operation completed.
  timeout,           // A deadline passed.
  frame_too_long,    // A decoded frame exceeds the codec's maximum length.
  corrupted_frame,   // A frame header is invalid (for example a negative length).
  protocol_error,    // The peer broke the protocol (wrong magic, unsupported version, ...).
  shutdown,          // The server is stopping.
  inbound_overflow,  // Unconsumed input grew past the connection's inbound limit.
  idle_timeout,      // The connection was idle for longer than the idle timeout.
  handler_error,     // A handler threw; the connection was closed.
  outbound_overflow, // Output beyond the connection's limit; the connection was closed.
  end_of_input,      // The peer closed its side; every byte before it has been read.
  heartbeat_timeout, // Nothing was read from the peer for the heartbeat's allowed misses.
  read_deadline,     // The connection's read deadline passed (Conn::set_read_deadline).
  write_deadline,    // Output was still unsent at the write deadline (Conn::set_write_deadline).
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

namespace detail {
// Success. A default-constructed std::error_code looks its category up in libstdc++ each
// time; per-message paths copy this one instead.
inline const std::error_code kNoError{};
}  // namespace detail

}  // namespace weft

template <>
struct std::is_error_code_enum<weft::Errc> : std::true_type {};
