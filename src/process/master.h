#pragma once
// Master: the supervising process behind weft::Supervisor. One thread, no event loop: it
// waits in poll(2) on a signalfd (SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGUSR2), the
// readiness pipes of starting workers and of a new generation, with the nearest deadline
// as the timeout. Keeping no epoll instance or thread means a forked worker starts clean.

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "weft/core/address.h"
#include "weft/process/supervisor.h"

namespace weft::detail {

enum class SlotState { starting, ready, waiting, stopping, stopped, given_up };
const char* to_string(SlotState state);

// One worker position; its process changes with each restart.
struct Slot {
  using Time = std::chrono::steady_clock::time_point;
  size_t index = 0;
  pid_t pid = -1;
  SlotState state = SlotState::waiting;
  int ready_fd = -1;  // Read end of the worker's readiness pipe while it starts.
  unsigned restarts = 0;
  unsigned start_failures = 0;  // In a row.
  Duration delay{};             // The last restart delay.
  Time started{};
  Time deadline{};  // Ready by (starting), restart at (waiting).
};

class Master {
 public:
  Master(const SupervisorOptions& options, const Supervisor::Serve& serve);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  int run();

 private:
  enum class Mode { serving, stopping, draining };
  using Time = Slot::Time;

  void open_listeners();
  int supervise();
  int poll_timeout_ms(Time now) const;
  void start_worker(Slot& slot);
  [[noreturn]] void run_worker(Slot& slot, int ready_fd);
  void set_state(Slot& slot, SlotState state, const std::string& detail = "");
  void read_signals();
  void on_signal(int signo);
  void reap();
  void worker_exited(Slot& slot, int status);
  void worker_ready(Slot& slot);
  void announce_ready();
  void begin_stop(Mode mode, int signo);
  void start_upgrade();
  [[noreturn]] void exec_new_generation(int ready_fd);
  void upgrade_ready();
  void upgrade_failed(const std::string& why);
  void on_deadlines(Time now);
  size_t live_workers() const;
  bool all_given_up() const;

  const SupervisorOptions& options_;
  const Supervisor::Serve& serve_;
  pid_t pid_ = -1;
  unsigned generation_ = 1;
  std::string exe_;
  std::vector<std::string> argv_;
  std::vector<int> listen_fds_;
  std::vector<Address> bound_;  // Sockets this master bound itself (their Unix files it removes).
  int signal_fd_ = -1;
  sigset_t old_mask_{};
  int parent_ready_fd_ = -1;  // Set in a generation started by a hot restart.
  bool announced_ = false;
  std::vector<Slot> slots_;
  Mode mode_ = Mode::serving;
  Time stop_deadline_{};
  bool killed_ = false;
  int exit_status_ = 0;
  // The new generation during a hot restart.
  pid_t upgrade_pid_ = -1;
  int upgrade_fd_ = -1;
  Time upgrade_started_{};
  Time upgrade_deadline_{};
};

}  // namespace weft::detail
