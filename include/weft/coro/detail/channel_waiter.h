#pragma once
// ChannelCore and ChannelWaiter: the part of Channel<T> (weft/coro/channel.h) that does
// not depend on T: the lock, the queues of suspended senders and receivers, and waking a
// waiter on its own loop. Machinery; applications use Channel<T>.
//
// A waiter is linked in a queue while suspended. Whoever completes it (a peer operation or
// close(), on any thread, holding the lock) unlinks it, stores its result and posts its
// resumption to the waiter's loop through a small WakeNode. The node, shared by the posted
// task and the waiter and touched only on the waiter's loop thread once posted, lets a
// waiter that leaves first (cancelled, timed out, or destroyed with its coroutine) tell
// the task to do nothing.

#include <coroutine>
#include <mutex>
#include <system_error>

#include "weft/core/error.h"
#include "weft/coro/detail/waiter.h"

namespace weft::detail {

class ChannelWaiter;

// A FIFO of suspended waiters, linked through the waiters themselves. Under the lock.
class WaiterQueue {
 public:
  bool empty() const { return head_ == nullptr; }
  ChannelWaiter* front() const { return head_; }
  void push(ChannelWaiter* w);
  void remove(ChannelWaiter* w);
  ChannelWaiter* pop();

 private:
  ChannelWaiter* head_ = nullptr;
  ChannelWaiter* tail_ = nullptr;
};

struct ChannelCore {
  std::mutex mutex;
  WaiterQueue senders;    // Suspended on a full channel, each holding its value.
  WaiterQueue receivers;  // Suspended on an empty channel.
  bool closed = false;

  // Marks the channel closed and completes every waiter with Errc::closed. Takes the lock.
  void close();
};

struct WakeNode;
// Runs a posted wake-up on the waiter's loop (channel.cpp).
void run_wake(WakeNode* node);

class [[nodiscard]] ChannelWaiter : public Waiter {
 public:
  ChannelWaiter(const ChannelWaiter&) = delete;
  ChannelWaiter& operator=(const ChannelWaiter&) = delete;
  // For with_timeout when the operation cannot be bounded.
  void fail_now(std::error_code error) { ec = error; }

  // Checks the coroutine can suspend here (a weft coroutine with a loop, not cancelled);
  // false, with ec set, if not. Loop thread, before taking the lock.
  bool can_suspend(std::coroutine_handle<> h, CoroContext* ctx);
  // Under the lock: joins `queue` and registers for cancellation.
  void enqueue(WaiterQueue& queue);
  // Under the lock, any thread: the waiter was taken off its queue and its result is set;
  // its coroutine resumes on its own loop.
  void wake();

  ChannelCore* core;
  std::error_code ec = kNoError;

 protected:
  explicit ChannelWaiter(ChannelCore* c) : Waiter(&cancel_op), core(c) {}
  ChannelWaiter(ChannelWaiter&& other) noexcept : Waiter(other), core(other.core) {}  // Before awaiting.
  // Leaves the queue, or a posted wake-up, if the coroutine is destroyed while suspended.
  ~ChannelWaiter();

 private:
  friend class WaiterQueue;
  static void cancel_op(Waiter* self, std::error_code error);
  friend void run_wake(WakeNode* node);

  ChannelWaiter* prev_ = nullptr;
  ChannelWaiter* next_ = nullptr;
  WaiterQueue* queue_ = nullptr;  // Linked in it (under the lock).
  WakeNode* wake_ = nullptr;      // A wake-up is posted (set under the lock).
  bool suspended_ = false;        // Enqueued and not resumed yet; loop thread only.
  std::coroutine_handle<> handle_;
  EventLoop* loop_ = nullptr;
};

}  // namespace weft::detail
