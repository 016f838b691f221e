#include "core/wake_up.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "weft/core/event_loop.h"

namespace weft::detail {

WakeUp::WakeUp(EventLoop& loop) : loop_(loop), fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::system_category(), "eventfd");
}

WakeUp::~WakeUp() { ::close(fd_); }

void WakeUp::notify() {
  if (pending_.exchange(true, std::memory_order_acq_rel)) return;
  uint64_t one = 1;
  // EAGAIN means the counter is saturated, which still wakes the loop.
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);
}

void WakeUp::on_io(uint32_t) {
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof count);
  // Cleared before the loop takes the task queue, so a post racing with it wakes again.
  pending_.store(false, std::memory_order_release);
}

}  // namespace weft::detail
