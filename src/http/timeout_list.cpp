#include "http/timeout_list.h"

#include <algorithm>

namespace weft::http::detail {

TimeoutList::TimeoutList(EventLoop& loop, Duration timeout, Expire expire)
    : loop_(loop), timeout_(timeout), expire_(std::move(expire)) {}

void TimeoutList::enter(TimeoutHook& hook) {
  leave(hook);
  if (timeout_ <= Duration::zero()) return;
  if (!timer_) {
    // A deadline is met within an eighth of the timeout.
    const Duration period = std::clamp<Duration>(timeout_ / 8, std::chrono::milliseconds(5), std::chrono::seconds(1));
    timer_ = loop_.run_every(period, [this] { sweep(); });
  }
  hook.list_ = this;
  hook.since_ = loop_.now();
  hook.prev_ = tail_;
  hook.next_ = nullptr;
  if (tail_ != nullptr) {
    tail_->next_ = &hook;
  } else {
    head_ = &hook;
  }
  tail_ = &hook;
}

void TimeoutList::leave(TimeoutHook& hook) {
  if (hook.list_ != nullptr) hook.list_->remove(hook);
}

void TimeoutList::remove(TimeoutHook& hook) {
  if (hook.prev_ != nullptr) {
    hook.prev_->next_ = hook.next_;
  } else {
    head_ = hook.next_;
  }
  if (hook.next_ != nullptr) {
    hook.next_->prev_ = hook.prev_;
  } else {
    tail_ = hook.prev_;
  }
  hook.prev_ = hook.next_ = nullptr;
  hook.list_ = nullptr;
}

void TimeoutList::sweep() {
  const TimePoint now = loop_.now();
  while (head_ != nullptr && now - head_->since_ >= timeout_) {
    TimeoutHook& due = *head_;
    remove(due);
    expire_(due);  // May enter a list again, or close the connection.
  }
}

}  // namespace weft::http::detail
