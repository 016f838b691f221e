#pragma once
// Outbound: what a connection has accepted for sending and not yet handed to the kernel.
//
//   bytes_ (pooled blocks, owned)   [ b0 b1 b2 | b3 b4 | b5 ... ]
//   pieces (rare, in extras_)              ^ shared   ^ file range or pipe
//                                          after=3    after=5
//
// Invariants:
// - The queue is one ordered stream: the owned bytes, with shared buffers (SharedBytes),
//   file ranges and pipe contents slotted in between them. A piece's `after` counts the
//   owned bytes queued before it (from the same origin as extras_->consumed), so the owned
//   bytes before it are sent first; owned bytes may be appended through bytes() directly.
// - size() counts the bytes held for the connection (owned, shared and waiting in pipes),
//   which the water marks and the output limit apply to; file ranges wait in the file,
//   not in memory, and only keep the queue non-empty.
// - The done callbacks of ConnHandle::send (the tracker) complete in queue order as the
//   bytes before their end are sent.
// - A connection that never uses pieces or done callbacks pays one null pointer for them.
// Loop thread only.

#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <system_error>

#include "weft/core/buffer.h"
#include "weft/core/shared_bytes.h"
#include "weft/net/conn_handle.h"
#include "weft/net/detail/send_tracker.h"

struct iovec;

namespace weft::detail {

class Transport;

class Outbound {
 public:
  explicit Outbound(BlockPool& pool) : bytes_(pool) {}
  ~Outbound();
  Outbound(const Outbound&) = delete;
  Outbound& operator=(const Outbound&) = delete;

  // Bytes held in memory (owned and shared) and in pipes for this connection.
  size_t size() const {
    return extras_ == nullptr ? bytes_.size() : bytes_.size() + extras_->shared + extras_->piped;
  }
  // Every byte still to send, file ranges included.
  uint64_t pending() const { return extras_ == nullptr ? bytes_.size() : size() + extras_->file_left; }
  bool empty() const { return bytes_.empty() && (extras_ == nullptr || extras_->pieces.empty()); }

  Buffer& bytes() { return bytes_; }
  void append(std::string_view b) { bytes_.append(b); }
  void append(SharedBytes shared);
  // Takes ownership of file: it is closed once its range is sent or the queue is dropped.
  void append_file(int file, uint64_t offset, uint64_t length);
  // `length` bytes waiting in the pipe whose read end is `pipe` (the caller's: never
  // closed here), spliced to the socket.
  void append_pipe(int pipe, uint64_t length);

  // Hands as much as the kernel takes to the transport. Returns 0 when the queue is
  // empty, -EAGAIN when the kernel is full, or another -errno (the queue is kept).
  long flush(Transport& transport, int fd);

  // done runs once everything queued so far has been sent (see SendTracker).
  void track(ConnHandle::Done done);
  // Completes the callbacks whose bytes are sent; fails the rest with error if given.
  void complete_tracked();
  void fail_tracked(std::error_code error);
  // Drops everything queued (the connection is gone).
  void clear();

  // Water marks, for the connection to report: +1 when size() rose above high, -1 when
  // it fell back to low after that, 0 otherwise.
  int water_event(size_t high, size_t low) {
    size_t n = size();
    if (!high_water_ && n > high) {
      high_water_ = true;
      return 1;
    }
    if (high_water_ && n <= low) {
      high_water_ = false;
      return -1;
    }
    return 0;
  }
  bool above_high_water() const { return high_water_; }

 private:
  struct Piece {
    uint64_t after;     // Owned bytes appended before this piece.
    uint64_t done = 0;  // Bytes of it already sent.
    uint64_t length;
    SharedBytes shared;  // A shared buffer, or
    int file = -1;       // a file range from offset, or a pipe's read end (pipe).
    uint64_t offset = 0;
    bool pipe = false;
  };
  struct Extras {
    std::deque<Piece> pieces;
    uint64_t consumed = 0;   // Owned bytes sent since the extras exist.
    size_t shared = 0;       // Unsent bytes of shared pieces.
    uint64_t file_left = 0;  // Unsent bytes of file ranges.
    size_t piped = 0;        // Unsent bytes of pipe pieces.
    std::unique_ptr<SendTracker> tracker;
  };
  Extras& extras();
  long flush_pieces(Transport& transport, int fd);
  int fill_pieces(iovec* iov, int max) const;
  void consume(size_t n);
  long send_file_piece(Transport& transport, int fd, Piece& p, size_t& requested);
  long send_pipe_piece(Transport& transport, int fd, Piece& p, size_t& requested);
  void sent(size_t n);

  Buffer bytes_;
  std::unique_ptr<Extras> extras_;
  bool high_water_ = false;

 public:
  // Flush bookkeeping of the connection: in the loop's flush list; waiting for
  // writability (the kernel was full).
  bool dirty = false;
  bool waiting_writable = false;
};

}  // namespace weft::detail
