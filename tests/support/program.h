#pragma once
// Program: a built program (build/bin/...) run as a real process for a test. Its standard
// output and error go to one pipe that a thread of the test reads line by line, so the
// test can await a log line with a deadline instead of sleeping. Processes it starts in
// turn share that pipe, so their lines arrive here too.
//
// Safe to start from a test that already runs threads: the child does only
// async-signal-safe work between fork and exec.

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sync.h"
#include "weft/core/address.h"

namespace weft::test {

class Program {
 public:
  // Runs path with args. env entries ("NAME=value") are added to the test's environment.
  // pass_fds become descriptors 3, 4, ... in the child, as systemd passes sockets; with
  // listen_pid, LISTEN_PID is set to the child's own pid.
  Program(const std::string& path, const std::vector<std::string>& args, const std::vector<std::string>& env = {},
          const std::vector<int>& pass_fds = {}, bool listen_pid = false);
  ~Program();  // Kills the process if it still runs, and reaps it.
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for the next line containing `text` after the last one this call returned;
  // nullopt after timeout.
  std::optional<std::string> wait_line(std::string_view text, Duration timeout = kWait);
  // How many lines so far contain `text`.
  size_t count_lines(std::string_view text) const;
  std::string output() const;
  bool signal(int signo) const;
  // Waits up to timeout for the process to exit, then for its output to end (at most 2 s
  // more, for descendants that keep the pipe open); its wait status, or nullopt.
  std::optional<int> wait_exit(Duration timeout = kWait);

 private:
  void read_lines();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::optional<int> status_;  // Test thread only.
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  size_t cursor_ = 0;
  bool ended_ = false;
  bool stop_reading_ = false;
};

// Waits until process `pid` (any process, not only a child) has exited, reaping it if it
// is this process's child. False after timeout.
// With status, also stores the wait status of a reaped child.
bool wait_gone(pid_t pid, Duration timeout = kWait, int* status = nullptr);
// Makes this process the reaper of its orphaned descendants (the masters a hot restart
// leaves behind), so wait_gone can reap them.
void become_subreaper();
// The number after `key` in `line` ("pid 42" with key "pid "); -1 if absent.
long number_after(std::string_view line, std::string_view key);
// The first tcp:// address in `line` ("... listening on tcp://127.0.0.1:4242 with ...").
Address address_in(std::string_view line);
// Kills worker 0 of a master with SIGKILL (its pid from `started`, the master's line
// "worker 0 pid N starting") and waits for the master to log that it will restart it.
void kill_worker_zero(Program& master, const std::string& started);
// A master's listening address, from its first log line ("generation 1 listening on");
// a failure (and an empty address) when it does not come.
Address master_address(Program& master);

}  // namespace weft::test
