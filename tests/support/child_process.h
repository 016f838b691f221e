#pragma once
// Helpers for tests that run a server in a forked child process (for process-wide state:
// resource limits, signals). Fork before the test creates any thread. The child reports
// to the parent through a pipe and must end with _exit(), never returning into the test
// framework.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sync.h"

namespace weft::test {

class ChildProcess {
 public:
  // Forks; the child runs body(report_fd) and _exits with its return value (2 if it
  // throws). The parent gets the pid and the reading end of the report pipe.
  explicit ChildProcess(const std::function<int(int report_fd)>& body);
  ~ChildProcess();  // Kills and reaps a child that is still running.
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  // Reads one uint64 the child wrote to its report fd, waiting up to timeout.
  std::optional<uint64_t> read_report(Duration timeout = kWait);
  // Sends a signal.
  bool signal(int signo);
  // Waits up to timeout for the child to exit; returns its wait status, or nullopt.
  std::optional<int> wait_exit(Duration timeout = kWait);
  // CPU time (user + system) the child has used so far.
  Duration cpu_time() const;

 private:
  pid_t pid_ = -1;
  int report_fd_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
};

// Writes one uint64 to fd (in the child).
void write_report(int fd, uint64_t value);

}  // namespace weft::test
