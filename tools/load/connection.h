#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "codec.h"
#include "histogram.h"
#include "stats.h"
#include "weft/core/address.h"

namespace weft_load {

// Growable byte queue with uninitialised append; consumed from the front.
class ByteBuffer {
 public:
  char* append(std::size_t n);
  const char* data() const noexcept { return buf_.get() + head_; }
  std::size_t size() const noexcept { return tail_ - head_; }
  void consume(std::size_t n) noexcept;
  void clear() noexcept { head_ = tail_ = 0; }

 private:
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

// FIFO of timestamps (power-of-two ring that grows on demand).
class StampQueue {
 public:
  void push(std::uint64_t v);
  std::uint64_t pop() noexcept;                                  // precondition: size() > 0
  std::uint64_t front() const noexcept { return ring_[head_]; }  // precondition: size() > 0
  std::size_t size() const noexcept { return size_; }
  void clear() noexcept { head_ = size_ = 0; }

 private:
  std::unique_ptr<std::uint64_t[]> ring_;
  std::size_t cap_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// Where connections report verified echoes and errors (one per worker thread).
struct Sink {
  const Codec& codec;
  Histogram& hist;
  Counters& counters;
  std::uint64_t window_begin;
  std::uint64_t window_end;
};

// One client connection: non-blocking connect, pipelined sends, streaming
// verification of the echo. Messages are "due" at a timestamp (the send time
// in closed-loop mode, the intended send time in fixed-rate mode) and written
// once fewer than `pipeline` are in flight; latency runs from that timestamp.
class Connection {
 public:
  enum class State { closed, connecting, open };

  explicit Connection(std::uint32_t id) noexcept : id_(id) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  State state() const noexcept { return state_; }
  std::uint32_t id() const noexcept { return id_; }
  std::uint64_t deadline() const noexcept { return deadline_; }
  // Stamp of the oldest message written but not yet echoed, if any.
  std::optional<std::uint64_t> oldest_inflight() const noexcept {
    if (inflight_ == 0) return std::nullopt;
    return stamps_.front();
  }

  // Starts a non-blocking connect and registers with epoll. Returns 0 or an
  // errno; EAGAIN means "try again soon" (full unix-socket backlog).
  int start_connect(const weft::Address& ep, int epfd, std::uint64_t deadline);
  // Completes a connect once epoll reported the socket. Returns 0 or the errno.
  int finish_connect(int epfd);
  // Closes the socket and forgets all in-flight and due messages.
  void close() noexcept;

  void add_due(std::uint64_t stamp) {
    stamps_.push(stamp);
    ++due_;
  }
  // Encodes due messages up to the pipeline limit and writes what the socket
  // takes, arming EPOLLOUT while bytes remain. False: the connection failed.
  bool pump(int epfd, const Codec& codec, unsigned pipeline, Counters& counters);
  bool on_writable(int epfd, Counters& counters) { return flush(epfd, counters); }
  // Reads and verifies everything available. Adds the number of echoes
  // completed to `completed`. False: an error was counted; close the connection.
  bool on_readable(Sink& sink, char* scratch, std::size_t cap, std::uint64_t& completed);

 private:
  bool flush(int epfd, Counters& counters);
  bool set_epollout(int epfd, bool on) noexcept;
  bool consume(Sink& sink, const char* data, std::size_t n, std::uint64_t now, std::uint64_t& completed);
  bool check(Sink& sink, const char* msg, std::uint64_t now);

  std::uint32_t id_;
  State state_ = State::closed;
  int fd_ = -1;
  bool epollout_ = false;
  std::uint64_t deadline_ = 0;
  std::uint32_t send_seq_ = 0;
  std::uint32_t recv_seq_ = 0;
  std::uint32_t inflight_ = 0;  // encoded, echo not yet verified
  std::uint64_t due_ = 0;       // due but not yet encoded (pipeline full)
  StampQueue stamps_;           // inflight_ stamps, then due_ stamps
  ByteBuffer out_;
  std::unique_ptr<char[]> partial_;  // an incomplete echoed message
  std::size_t partial_len_ = 0;
};

}  // namespace weft_load
