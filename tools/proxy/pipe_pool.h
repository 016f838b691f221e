#pragma once
// PipePool: the pipes weft-proxy splices through. A direction of a relay that carries a
// bulk stream borrows one (two descriptors) and gives it back once idle, so pipes exist
// only for the streams that need them, and never more than `max` at once: each costs two
// of the process's descriptors and 64 KiB of kernel memory (which the kernel also caps
// per user, /proc/sys/fs/pipe-user-pages-soft). A few idle ones are kept for the next
// stream. Any thread may call any member.

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

namespace weft::proxy {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  bool open() const { return read_end >= 0; }
};

class PipePool {
 public:
  explicit PipePool(size_t max) : max_(max) {}
  ~PipePool();
  PipePool(const PipePool&) = delete;
  PipePool& operator=(const PipePool&) = delete;

  // An empty pipe, or false when `max` are in use or the kernel refuses one.
  bool acquire(Pipe& pipe);
  // Takes the pipe back (and resets `pipe`): kept for reuse if it is empty, else closed.
  void release(Pipe& pipe);
  // Pipes open now, borrowed or kept.
  size_t open() const { return open_.load(std::memory_order_relaxed); }
  size_t max() const { return max_; }

 private:
  static constexpr size_t kKeep = 16;  // Idle pipes kept for reuse.
  void close(Pipe& pipe);

  const size_t max_;
  std::atomic<size_t> open_{0};
  std::mutex mutex_;
  std::vector<Pipe> idle_;
};

}  // namespace weft::proxy
