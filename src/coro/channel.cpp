#include <cassert>

#include "weft/core/event_loop.h"
#include "weft/coro/detail/channel_waiter.h"

namespace weft::detail {

// Shared by a posted wake-up and its waiter; touched only on the waiter's loop thread once
// posted. Freed by whichever lets go last.
struct WakeNode {
  ChannelWaiter* waiter;
  int refs = 2;  // The posted task's and the waiter's.
};

namespace {

void release(WakeNode* node) {
  if (--node->refs == 0) delete node;
}

// The posted task. EventLoop::Task is a std::function, so it must be copyable; a copy
// takes its own reference. A task the loop drops unrun (it stopped) still lets go.
class WakeTask {
 public:
  explicit WakeTask(WakeNode* node) : node_(node) {}
  WakeTask(const WakeTask& other) : node_(other.node_) { ++node_->refs; }
  WakeTask(WakeTask&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  WakeTask& operator=(const WakeTask&) = delete;
  WakeTask& operator=(WakeTask&&) = delete;
  ~WakeTask() {
    if (node_ != nullptr) release(node_);
  }
  void operator()() const { run_wake(node_); }

 private:
  WakeNode* node_;
};

}  // namespace

void run_wake(WakeNode* node) {
  ChannelWaiter* w = node->waiter;
  if (w == nullptr) return;  // It left first (cancelled or destroyed).
  node->waiter = nullptr;
  w->wake_ = nullptr;
  w->suspended_ = false;
  release(node);  // The waiter's reference.
  w->unwatch();
  w->handle_.resume();
}

void WaiterQueue::push(ChannelWaiter* w) {
  w->queue_ = this;
  w->prev_ = tail_;
  w->next_ = nullptr;
  if (tail_ != nullptr) {
    tail_->next_ = w;
  } else {
    head_ = w;
  }
  tail_ = w;
}

void WaiterQueue::remove(ChannelWaiter* w) {
  (w->prev_ != nullptr ? w->prev_->next_ : head_) = w->next_;
  (w->next_ != nullptr ? w->next_->prev_ : tail_) = w->prev_;
  w->prev_ = w->next_ = nullptr;
  w->queue_ = nullptr;
}

ChannelWaiter* WaiterQueue::pop() {
  ChannelWaiter* w = head_;
  if (w != nullptr) remove(w);
  return w;
}

void ChannelCore::close() {
  std::lock_guard lock(mutex);
  if (closed) return;
  closed = true;
  for (WaiterQueue* q : {&senders, &receivers}) {
    while (ChannelWaiter* w = q->pop()) {
      w->ec = make_error_code(Errc::closed);
      w->wake();
    }
  }
}

ChannelWaiter::~ChannelWaiter() {
  if (suspended_) {
    // Destroyed with its coroutine while suspended (a forced stop): leave the queue, or
    // tell the posted wake-up to do nothing.
    std::lock_guard lock(core->mutex);
    if (queue_ != nullptr) queue_->remove(this);
    if (wake_ != nullptr) {
      wake_->waiter = nullptr;
      release(wake_);
    }
  }
  unwatch();
}

bool ChannelWaiter::can_suspend(std::coroutine_handle<> h, CoroContext* ctx) {
  if (ctx == nullptr || ctx->loop == nullptr) {
    ec = std::make_error_code(std::errc::operation_not_supported);
    return false;
  }
  if (ctx->cancelled) {
    ec = make_error_code(Errc::closed);
    return false;
  }
  handle_ = h;
  loop_ = ctx->loop;
  ctx_ = ctx;
  return true;
}

void ChannelWaiter::enqueue(WaiterQueue& queue) {
  queue.push(this);
  suspended_ = true;
  watch(ctx_);
}

void ChannelWaiter::wake() {
  assert(wake_ == nullptr);
  wake_ = new WakeNode{this};
  // Posted even on the waiter's own loop: the waker may be inside its own await, and a
  // resumption from the loop keeps stacks flat. A stopped loop drops the task; its
  // coroutine is destroyed by the stop, and the waiter's destructor lets the node go.
  loop_->post(WakeTask(wake_));
}

void ChannelWaiter::cancel_op(Waiter* self, std::error_code error) {
  auto* w = static_cast<ChannelWaiter*>(self);
  {
    std::lock_guard lock(w->core->mutex);
    if (w->queue_ != nullptr) {
      w->queue_->remove(w);
      w->ec = error;
    } else if (w->wake_ != nullptr) {
      // Already completed by a peer (its value moved, or its send taken): resume now with
      // that result, so nothing is lost, and let the posted task do nothing.
      w->wake_->waiter = nullptr;
      release(w->wake_);
      w->wake_ = nullptr;
    }
  }
  w->suspended_ = false;
  w->unwatch();
  w->handle_.resume();
}

}  // namespace weft::detail
