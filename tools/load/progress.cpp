#include "progress.h"

#include <unistd.h>

#include "clock.h"

namespace weft_load {

Progress::Progress(const Options& opt, const Pool& pool, std::uint64_t start)
    : pool_(pool),
      start_(start),
      next_(start + kNsPerSec),
      enabled_(::isatty(STDOUT_FILENO)),
      out_(opt.json ? stderr : stdout) {}

void Progress::tick(std::uint64_t now) {
  if (now < next_) return;
  const std::uint64_t msgs = pool_.sum(&Worker::live_msgs);
  const std::uint64_t bytes = pool_.sum(&Worker::live_bytes);
  if (enabled_) {
    std::fprintf(out_, "[%5.1fs] %10.0f msgs/s %9.2f MB/s  open %llu  errors %llu\n",
                 static_cast<double>(now - start_) / 1e9, static_cast<double>(msgs - msgs_),
                 static_cast<double>(bytes - bytes_) / 1e6,
                 static_cast<unsigned long long>(pool_.sum(&Worker::live_open)),
                 static_cast<unsigned long long>(pool_.sum(&Worker::live_errors)));
    std::fflush(out_);
  }
  msgs_ = msgs;
  bytes_ = bytes;
  while (next_ <= now) next_ += kNsPerSec;
}

}  // namespace weft_load
