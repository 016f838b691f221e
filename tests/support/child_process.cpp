#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>

namespace weft::test {
namespace {

bool wait_readable(int fd, Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) left = 0;
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n == 0 && left == 0) return false;
  }
}

}  // namespace

ChildProcess::ChildProcess(const std::function<int(int)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return;
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return;
  }
  if (pid == 0) {
    ::close(fds[0]);
    int code = 2;
    try {
      code = body(fds[1]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child process: %s\n", e.what());
    } catch (...) {
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  ::close(fds[1]);
  pid_ = pid;
  report_fd_ = fds[0];
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  if (report_fd_ >= 0) ::close(report_fd_);
  if (pidfd_ >= 0) ::close(pidfd_);
}

std::optional<uint64_t> ChildProcess::read_report(Duration timeout) {
  uint64_t value;
  size_t got = 0;
  TimePoint deadline = Clock::now() + timeout;
  while (got < sizeof value) {
    if (!wait_readable(report_fd_, deadline - Clock::now())) return std::nullopt;
    ssize_t n = ::read(report_fd_, reinterpret_cast<char*>(&value) + got, sizeof value - got);
    if (n <= 0) return std::nullopt;
    got += static_cast<size_t>(n);
  }
  return value;
}

bool ChildProcess::signal(int signo) {
  return pid_ > 0 && !reaped_ && ::kill(pid_, signo) == 0;
}

std::optional<int> ChildProcess::wait_exit(Duration timeout) {
  if (pid_ <= 0 || reaped_) return std::nullopt;
  if (pidfd_ >= 0 && !wait_readable(pidfd_, timeout)) return std::nullopt;
  int status = 0;
  if (::waitpid(pid_, &status, pidfd_ >= 0 ? 0 : WNOHANG) != pid_) return std::nullopt;
  reaped_ = true;
  return status;
}

Duration ChildProcess::cpu_time() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name is in parentheses and may contain spaces; fields follow the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return Duration::zero();
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  long ticks = ::sysconf(_SC_CLK_TCK);
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(double(utime + stime) / double(ticks)));
}

void write_report(int fd, uint64_t value) {
  const char* p = reinterpret_cast<const char*>(&value);
  size_t left = sizeof value;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace weft::test
