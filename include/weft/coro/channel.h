#pragma once
// Channel<T>: a bounded queue between coroutines on any loops (Go's buffered channel).
//
//   weft::Channel<std::string> lines(64);
//   // producer, on any loop:       if (co_await lines.send(std::string(*line))) co_return;
//   // consumer, on any loop:       auto line = co_await lines.recv();
//   //                              if (!line) co_return;      // closed and drained
//   lines.close();                  // any thread
//
// send(v) completes at once while fewer than capacity values wait, or when a receiver is
// already waiting (the value goes straight to it); otherwise the sender suspends, holding
// its value, until a receiver makes room. recv() takes the oldest value, suspending while
// there is none. Values of one sender arrive in the order it sent them; waiting senders and
// receivers are served first come, first served.
//
// Waking. A suspended coroutine is resumed on its own loop (by a posted task), whichever
// thread completed it, so a channel needs no locking from its users.
//
// Closing. close() (any thread, idempotent) fails every waiting send and any later send
// with Errc::closed (the value is dropped); receivers first drain the values already
// queued, then get Errc::closed.
//
// Cancellation. A send or recv is cancelled like any weft operation: when the
// coroutine's connection closes or its server stops it completes with Errc::closed, and
// with_timeout() bounds it (Errc::timeout). A cancelled send has not delivered its value;
// a cancelled recv has taken none, unless a sender had already handed it one, which it
// then returns. A coroutine destroyed while waiting leaves the channel cleanly.
//
// Rules: send and recv are awaited from weft coroutines (a CoroServer's, or spawned on
// one); elsewhere they fail with std::errc::operation_not_supported unless they complete at
// once. The channel must outlive every operation on it, and T must be default
// constructible and movable. try_send, try_recv, close and the observers are safe from any
// thread, coroutine or not.

#include <cstddef>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "weft/core/error.h"
#include "weft/coro/detail/channel_waiter.h"
#include "weft/coro/result.h"

namespace weft {

template <class T>
class Channel {
 public:
  class [[nodiscard]] SendOp final : public detail::ChannelWaiter {
   public:
    bool await_ready() {
      std::lock_guard lock(core->mutex);
      return channel_->try_send_locked(*this);
    }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      if (!can_suspend(h, detail::context_of(h))) return false;
      std::lock_guard lock(core->mutex);
      if (channel_->try_send_locked(*this)) return false;  // Room appeared meanwhile.
      enqueue(core->senders);
      return true;
    }
    // Success once the value is in the channel (or handed to a receiver).
    std::error_code await_resume() const { return ec; }

   private:
    friend class Channel;
    SendOp(Channel* c, T value) : ChannelWaiter(&c->core_), channel_(c), value_(std::move(value)) {}
    Channel* channel_;
    T value_;
  };

  class [[nodiscard]] RecvOp final : public detail::ChannelWaiter {
   public:
    bool await_ready() {
      std::lock_guard lock(core->mutex);
      return channel_->try_recv_locked(*this);
    }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      if (!can_suspend(h, detail::context_of(h))) return false;
      std::lock_guard lock(core->mutex);
      if (channel_->try_recv_locked(*this)) return false;
      enqueue(core->receivers);
      return true;
    }
    // The oldest value, or Errc::closed once the channel is closed and drained.
    Result<T> await_resume() {
      if (ec) return ec;
      return std::move(value_);
    }

   private:
    friend class Channel;
    explicit RecvOp(Channel* c) : ChannelWaiter(&c->core_), channel_(c) {}
    Channel* channel_;
    T value_{};
  };

  // Throws std::invalid_argument for a capacity of 0.
  explicit Channel(size_t capacity) : ring_(checked(capacity)) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // co_await it from a weft coroutine; see above.
  SendOp send(T value) { return SendOp(this, std::move(value)); }
  RecvOp recv() { return RecvOp(this); }

  // Without waiting: Errc::closed, or std::errc::resource_unavailable_try_again when full
  // (value is then left as it was). Any thread.
  std::error_code try_send(T& value) {
    std::lock_guard lock(core_.mutex);
    if (core_.closed) return make_error_code(Errc::closed);
    if (!deliver_locked(value)) return std::make_error_code(std::errc::resource_unavailable_try_again);
    return {};
  }
  // The oldest value if there is one. Any thread.
  std::optional<T> try_recv() {
    std::lock_guard lock(core_.mutex);
    if (count_ == 0) return std::nullopt;
    return take_locked();
  }
  // Any thread; idempotent.
  void close() { core_.close(); }

  bool closed() const {
    std::lock_guard lock(core_.mutex);
    return core_.closed;
  }
  // Values queued now.
  size_t size() const {
    std::lock_guard lock(core_.mutex);
    return count_;
  }
  size_t capacity() const { return ring_.size(); }

 private:
  static size_t checked(size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("Channel: capacity must be at least 1");
    return capacity;
  }

  // Under the lock: hands value to a waiting receiver, or queues it if there is room.
  bool deliver_locked(T& value) {
    if (detail::ChannelWaiter* r = core_.receivers.pop()) {
      static_cast<RecvOp*>(r)->value_ = std::move(value);
      r->wake();
      return true;
    }
    if (count_ == ring_.size()) return false;
    ring_[(head_ + count_) % ring_.size()] = std::move(value);
    ++count_;
    return true;
  }
  // Under the lock, count_ > 0: the oldest value; a waiting sender's value takes its place.
  T take_locked() {
    T value = std::move(ring_[head_]);
    head_ = (head_ + 1) % ring_.size();
    --count_;
    if (detail::ChannelWaiter* s = core_.senders.pop()) {
      ring_[(head_ + count_) % ring_.size()] = std::move(static_cast<SendOp*>(s)->value_);
      ++count_;
      s->wake();
    }
    return value;
  }
  bool try_send_locked(SendOp& op) {
    if (core_.closed) {
      op.ec = make_error_code(Errc::closed);
      return true;
    }
    return deliver_locked(op.value_);
  }
  bool try_recv_locked(RecvOp& op) {
    if (count_ > 0) {
      op.value_ = take_locked();
      return true;
    }
    if (core_.closed) {
      op.ec = make_error_code(Errc::closed);
      return true;
    }
    return false;
  }

  mutable detail::ChannelCore core_;
  std::vector<T> ring_;  // count_ values from head_, wrapping.
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace weft
