#pragma once
// WakeUp: the eventfd that interrupts a loop's poll when another thread posts a task or
// asks it to quit. Posters write only when no wake-up is already pending, so a burst of
// posts costs one write and one read.

#include <atomic>

#include "weft/core/detail/io_object.h"

namespace weft {
class EventLoop;
}

namespace weft::detail {

class WakeUp final : public IoObject {
 public:
  explicit WakeUp(EventLoop& loop);
  ~WakeUp();
  WakeUp(const WakeUp&) = delete;
  WakeUp& operator=(const WakeUp&) = delete;

  // Any thread.
  void notify();
  int fd() const { return fd_; }
  void on_io(uint32_t events) override;

 private:
  EventLoop& loop_;
  int fd_;
  std::atomic<bool> pending_{false};
};

}  // namespace weft::detail
