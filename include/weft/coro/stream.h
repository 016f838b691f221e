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
// completes with closed), Errc::timeout through with_timeout(), Errc::frame_too_long for
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
// operation belong to the connection's loop thread.

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

#include "weft/codec/codec.h"
#include "weft/core/address.h"
#include "weft/coro/context.h"
#include "weft/coro/result.h"

namespace weft {

class Conn;
class Stream;

namespace detail {

class StreamState;

// What every Stream operation shares: completion at once when possible, otherwise
// registration with the stream (and with the coroutine's context, for cancellation).
class StreamOp : public Waiter {
 public:
  StreamOp(StreamOp&& other) noexcept;  // Only before it is awaited.
  StreamOp& operator=(StreamOp&&) = delete;
  ~StreamOp() {
    if (registered_ || ctx_ != nullptr) leave();
  }

  bool await_ready() { return start(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return suspend(h, context_of(h));
  }
  // For with_timeout when the operation cannot be bounded: completes it with error
  // without suspending (called instead of await_suspend).
  void fail_now(std::error_code error) { ec_ = error; }

 protected:
  enum class Side : uint8_t { read, write };
  using TryFn = bool (*)(StreamOp*, Conn&);

  StreamOp(StreamState* state, Side side, TryFn try_fn)
      : Waiter(&cancel_op), state_(state), try_(try_fn), side_(side) {}

  bool start();
  bool suspend(std::coroutine_handle<> h, CoroContext* ctx);

  StreamState* state_;
  std::error_code ec_ = detail::kNoError;

 private:
  friend class StreamState;
  static void cancel_op(Waiter* self, std::error_code error);
  // Leaves the stream's slot and the coroutine's context.
  void leave();
  // Completes: leaves the stream's slot and the context, then resumes the coroutine.
  void complete();

  std::coroutine_handle<> handle_;
  TryFn try_;
  Side side_;
  bool registered_ = false;
};

class ReadSomeOp final : public StreamOp {
 public:
  IoResult await_resume() const { return {n_, ec_}; }

 private:
  friend class weft::Stream;
  ReadSomeOp(StreamState* s, std::span<char> buffer) : StreamOp(s, Side::read, &try_read), buffer_(buffer) {}
  static bool try_read(StreamOp* self, Conn& conn);
  std::span<char> buffer_;
  size_t n_ = 0;
};

// The reads that complete with a view of the connection's input.
class ViewOp : public StreamOp {
 public:
  Result<std::string_view> await_resume() const {
    if (ec_) return ec_;
    return view_;
  }

 protected:
  ViewOp(StreamState* s, TryFn try_fn) : StreamOp(s, Side::read, try_fn) {}
  std::string_view view_;
};

class ReadViewOp final : public ViewOp {
 private:
  friend class weft::Stream;
  explicit ReadViewOp(StreamState* s) : ViewOp(s, &try_read) {}
  static bool try_read(StreamOp* self, Conn& conn);
};

class ReadExactOp final : public StreamOp {
 public:
  IoResult await_resume() const { return {filled_, ec_}; }

 private:
  friend class weft::Stream;
  ReadExactOp(StreamState* s, std::span<char> buffer) : StreamOp(s, Side::read, &try_read), buffer_(buffer) {}
  static bool try_read(StreamOp* self, Conn& conn);
  std::span<char> buffer_;
  size_t filled_ = 0;
};

class ReadExactViewOp final : public ViewOp {
 private:
  friend class weft::Stream;
  ReadExactViewOp(StreamState* s, size_t n) : ViewOp(s, &try_read), n_(n) {}
  static bool try_read(StreamOp* self, Conn& conn);
  size_t n_;
};

class ReadUntilOp final : public ViewOp {
 private:
  friend class weft::Stream;
  ReadUntilOp(StreamState* s, std::string_view delimiter, size_t max_length)
      : ViewOp(s, &try_read), delimiter_(delimiter), max_length_(max_length) {}
  static bool try_read(StreamOp* self, Conn& conn);
  std::string_view delimiter_;
  size_t max_length_;
  size_t scanned_ = 0;  // Bytes already searched without a match.
};

class ReadFrameOp final : public StreamOp {
 public:
  Result<codec::Frame> await_resume() const {
    if (ec_) return ec_;
    return frame_;
  }

 private:
  friend class weft::Stream;
  ReadFrameOp(StreamState* s, codec::Decoder& decoder) : StreamOp(s, Side::read, &try_read), decoder_(&decoder) {}
  static bool try_read(StreamOp* self, Conn& conn);
  codec::Decoder* decoder_;
  codec::Frame frame_;
};

class WriteOp final : public StreamOp {
 public:
  bool await_ready();
  std::error_code await_resume() const { return ec_; }

 private:
  friend class weft::Stream;
  WriteOp(StreamState* s, std::string_view bytes) : StreamOp(s, Side::write, nullptr), bytes_(bytes) {}
  WriteOp(StreamState* s, std::span<const std::string_view> parts) : StreamOp(s, Side::write, nullptr), parts_(parts) {}
  std::string_view bytes_;
  std::span<const std::string_view> parts_;
};

}  // namespace detail

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

  bool is_open() const;
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
