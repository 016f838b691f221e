#include "pipe_pool.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace weft::proxy {

PipePool::~PipePool() {
  for (Pipe& p : idle_) close(p);
}

bool PipePool::acquire(Pipe& pipe) {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      pipe = idle_.back();
      idle_.pop_back();
      return true;
    }
  }
  if (open_.fetch_add(1, std::memory_order_relaxed) >= max_) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {  // EMFILE, ENFILE: relay through buffers instead.
    open_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  pipe = {fds[0], fds[1]};
  return true;
}

void PipePool::release(Pipe& pipe) {
  if (!pipe.open()) return;
  int left = 0;
  // A pipe that still holds bytes (its relay ended before they were sent) is not reused.
  if (::ioctl(pipe.read_end, FIONREAD, &left) == 0 && left == 0) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kKeep) {
      idle_.push_back(pipe);
      pipe = {};
      return;
    }
  }
  close(pipe);
}

void PipePool::close(Pipe& pipe) {
  ::close(pipe.read_end);
  ::close(pipe.write_end);
  pipe = {};
  open_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace weft::proxy
