#pragma once
// The operations a Stream returns (weft/coro/stream.h), one class each: the reads that
// copy (ReadSomeOp, ReadExactOp), the reads that return a view of the input (ViewOp and
// its kinds), the frame read, and the write. Each supplies try_read, which completes it
// from the connection's buffered input when it can. Machinery; applications co_await
// what the Stream's methods return.

#include <cstddef>
#include <span>
#include <string_view>

#include "weft/codec/codec.h"
#include "weft/coro/detail/stream_op.h"
#include "weft/coro/result.h"

namespace weft {
class Stream;
}

namespace weft::detail {

class ReadSomeOp final : public StreamOp {
 public:
  IoResult await_resume() const { return {n_, ec_}; }

 private:
  friend class weft::Stream;
  friend class StreamOp;  // Names the call in thread asserts.
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
  friend class StreamOp;  // Names the call in thread asserts.
  explicit ReadViewOp(StreamState* s) : ViewOp(s, &try_read) {}
  static bool try_read(StreamOp* self, Conn& conn);
};

class ReadExactOp final : public StreamOp {
 public:
  IoResult await_resume() const { return {filled_, ec_}; }

 private:
  friend class weft::Stream;
  friend class StreamOp;  // Names the call in thread asserts.
  ReadExactOp(StreamState* s, std::span<char> buffer) : StreamOp(s, Side::read, &try_read), buffer_(buffer) {}
  static bool try_read(StreamOp* self, Conn& conn);
  std::span<char> buffer_;
  size_t filled_ = 0;
};

class ReadExactViewOp final : public ViewOp {
 private:
  friend class weft::Stream;
  friend class StreamOp;  // Names the call in thread asserts.
  ReadExactViewOp(StreamState* s, size_t n) : ViewOp(s, &try_read), n_(n) {}
  static bool try_read(StreamOp* self, Conn& conn);
  size_t n_;
};

class ReadUntilOp final : public ViewOp {
 private:
  friend class weft::Stream;
  friend class StreamOp;  // Names the call in thread asserts.
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

}  // namespace weft::detail
