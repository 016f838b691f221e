#pragma once
// Stream: one connection as a coroutine sees it. The coroutine server hands each accepted
// connection to `Task<> serve(Stream s)`; dial() returns one for an outgoing connection.
//
//   for (;;) {
//     auto line = co_await s.read_until("\n");
//     if (!line) co_return;                       // closed, too long, timed out...
//     if (auto ec = co_await s.write(*line)) co_return;
//   }
//
// Operations (each returns an awaitable; co_await it at once):
//   read_some(buf)        IoResult         at least one byte copied into buf
//   read_some()           Result<view>     at least one byte, without copying
//   read_exact(buf)       IoResult         fills buf completely
//   read_exact(n)         Result<view>     exactly n bytes
//   read_until(delim)     Result<view>     up to and including delim
//   read_frame(decoder)   Result<Frame>    one frame of a codec
//   write(bytes)          error_code       queued; waits only above the high water mark
//   writev(parts)         error_code       the same for several pieces
//
// Completion. A read whose bytes are already buffered completes without suspending.
// Otherwise the coroutine suspends and the connection's loop resumes it inline, from the
// read event, as soon as enough bytes have arrived. write() copies the bytes into the
// connection's output (sent with the loop's next flush) and completes at once, unless the
// unsent output is above ServerOptions::high_water_mark: then it waits until the output
// has drained to low_water_mark.
//
// Views. A view returned by a read points into the connection's input and is valid until
// the next read on this stream, or until the coroutine awaits anything other than a
// write, whichever comes first. Copy what you keep longer (std::string(view)). Writing a
// view straight back (an echo) is safe: write() copies before it can suspend.
//
// Errors are status values, never exceptions: Errc::closed once the connection is closed
// (by the peer, by close(), or because the server stops: a pending operation then
// completes with closed; close_reason() then says which), Errc::timeout through with_timeout(), Errc::frame_too_long for
// read_until/read_exact beyond their limit, codec errors from read_frame, and
// std::errc::operation_in_progress for a second read (or write) while one is pending from
// another coroutine. A timed-out read consumed nothing (read_exact(buf) reports in n what
// it had copied), so the stream stays usable.
//
// Flow control: while no read is pending and more than kPauseThreshold bytes are buffered,
// the stream stops reading from the socket, so a coroutine that is busy elsewhere makes
// its peer wait (TCP flow control) instead of growing memory.
//
// Ownership and threads. A Stream owns its connection: destroying it closes the
// connection (after flushing what was written). It is move-only, and it and every
// operation belong to the connection's loop thread: debug builds abort, naming the call,
// when one is used on another thread.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "weft/codec/codec.h"
#include "weft/core/address.h"
#include "weft/coro/detail/stream_ops.h"
#include "weft/coro/stream_handle.h"
#include "weft/net/handler.h"

namespace weft {

class EventLoop;

class Stream {
 public:
  static constexpr size_t kDefaultMaxLine = 64 * 1024;
  static constexpr size_t kPauseThreshold = 64 * 1024;

  // An empty stream: every operation reports Errc::closed.
  Stream() = default;
  // Machinery: takes over one reference to state.
  explicit Stream(detail::StreamState* state) noexcept : state_(state) {}
  Stream(Stream&& other) noexcept : state_(other.state_) { other.state_ = nullptr; }
  Stream& operator=(Stream&& other) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  // Closes the connection (flushing what was written) unless it is already closed.
  ~Stream();

  // At least one byte, at most buffer.size(), copied into buffer.
  detail::ReadSomeOp read_some(std::span<char> buffer) { return {state_, buffer}; }
  // At least one byte, as a view of the input (one contiguous run of it), no copy.
  detail::ReadViewOp read_some() { return detail::ReadViewOp(state_); }
  // Fills buffer completely, copying as bytes arrive (suits large reads).
  detail::ReadExactOp read_exact(std::span<char> buffer) { return {state_, buffer}; }
  // Exactly n bytes as one view (copied once if they span buffer blocks). n above
  // ServerOptions::max_inbound fails with Errc::frame_too_long.
  detail::ReadExactViewOp read_exact(size_t n) { return {state_, n}; }
  // The bytes up to and including the first delimiter. A line longer than max_length
  // (delimiter not counted) fails with Errc::frame_too_long and consumes nothing.
  // The delimiter's bytes must stay valid until the read completes.
  detail::ReadUntilOp read_until(std::string_view delimiter, size_t max_length = kDefaultMaxLine) {
    return {state_, delimiter, max_length};
  }
  // One frame decoded by decoder (which must outlive the read). A codec error is returned
  // as the result's error; after a fatal one (see codec::Decoded) close the stream.
  detail::ReadFrameOp read_frame(codec::Decoder& decoder) { return {state_, decoder}; }
  detail::WriteOp write(std::string_view bytes) { return {state_, bytes}; }
  detail::WriteOp writev(std::span<const std::string_view> parts) { return {state_, parts}; }

  // Flushes what was written, then closes. Later operations report Errc::closed.
  void close();
  // Flushes what was written, then shuts down the writing side; reading goes on.
  void shutdown_write();

  // A handle to this stream's connection for other coroutines, connections and threads
  // (send, close, abort); empty once the stream is closed. See stream_handle.h.
  StreamHandle handle() const;

  bool is_open() const;
  // Why the connection closed, once it is closing (a read or write reported Errc::closed):
  // peer_closed, reset, idle, local (close(), or a handle's close), error, shutdown or
  // overflow. peer_closed also once a read reported Errc::end_of_input (the connection
  // then stays open for writing). Empty while the connection is open and the peer may
  // still send; `local` for an empty Stream.
  // close_error() gives the error code that goes with reset, error, idle and shutdown.
  std::optional<CloseReason> close_reason() const;
  std::error_code close_error() const;
  // Bytes received and not read yet.
  size_t buffered() const;
  // Bytes written and not yet handed to the kernel.
  size_t unsent() const;
  // Addresses of an open stream; empty (not valid()) once it is closed.
  Address local_address() const;
  Address remote_address() const;
  EventLoop* loop() const;

 private:
  detail::StreamState* state_ = nullptr;
};

}  // namespace weft
