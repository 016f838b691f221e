#include "net/signal_watcher.h"
#include "weft/core/detail/loop_access.h"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace weft::detail {

SignalWatcher::SignalWatcher(EventLoop& loop, const std::vector<int>& signals, std::function<void(int)> on_signal)
    : loop_(loop), on_signal_(std::move(on_signal)) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::system_category(), "signalfd");
}

SignalWatcher::~SignalWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

void SignalWatcher::start() {
  if (std::error_code ec = LoopAccess(loop_).add_io(fd_, kReadable, this)) throw std::system_error(ec, "watching the stop signals");
}

void SignalWatcher::on_io(uint32_t) {
  signalfd_siginfo info;
  while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    on_signal_(static_cast<int>(info.ssi_signo));
  }
}

}  // namespace weft::detail
