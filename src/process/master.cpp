#include "process/master.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>
#include <thread>

#include "core/socket.h"
#include "weft/core/log.h"
#include "weft/process/socket_activation.h"

namespace weft::detail {
namespace {

using Clock = std::chrono::steady_clock;

// How a hot restart tells the new generation where to report readiness, and its number.
constexpr const char* kReadyFdEnv = "WEFT_READY_FD";
constexpr const char* kGenerationEnv = "WEFT_GENERATION";
// The first descriptor of handed-over sockets, as systemd passes them.
constexpr int kFirstPassedFd = 3;
// Where descriptors are parked while they are moved into place for exec.
constexpr int kParkedFd = 256;

sigset_t master_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGUSR2}) sigaddset(&set, s);
  return set;
}

long env_number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  return *end == '\0' ? value : fallback;
}

// The path of this binary, so that a hot restart runs whatever file is there now.
std::string own_path() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string path(buf, static_cast<size_t>(n));
  // proc(5): the link gains this suffix once the file is unlinked or replaced; the path is
  // what a restart should run.
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  return path;
}

std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    args.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::sigabbrev_np(WTERMSIG(status));
    return name != nullptr ? std::string("killed by SIG") + name
                           : "killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "ended";
}

std::string format_ms(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// SIGHUP in a worker: a thread that blocks every signal waits for it, so the servers'
// own signal handling (stop signals read through a signalfd) is unaffected.
void start_reload_thread(const std::function<void()>& on_reload, size_t index) {
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  std::thread([on_reload, index] {
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    for (;;) {
      int signo = 0;
      if (::sigwait(&hup, &signo) != 0) continue;
      if (!on_reload) {
        WEFT_LOG(LogLevel::info, "worker %zu pid %d: SIGHUP: nothing to reload", index, ::getpid());
        continue;
      }
      try {
        on_reload();
      } catch (const std::exception& e) {
        WEFT_LOG(LogLevel::error, "worker %zu pid %d: reload failed: %s", index, ::getpid(), e.what());
      }
    }
  }).detach();
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

const char* to_string(SlotState state) {
  switch (state) {
    case SlotState::starting: return "starting";
    case SlotState::ready: return "ready";
    case SlotState::waiting: return "waiting to restart";
    case SlotState::stopping: return "stopping";
    case SlotState::stopped: return "stopped";
    case SlotState::given_up: return "given up";
  }
  return "unknown";
}

Master::Master(const SupervisorOptions& options, const Supervisor::Serve& serve) : options_(options), serve_(serve) {}

Master::~Master() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
  for (int fd : listen_fds_) ::close(fd);
  for (auto& slot : slots_) {
    if (slot.ready_fd >= 0) ::close(slot.ready_fd);
  }
  if (upgrade_fd_ >= 0) ::close(upgrade_fd_);
  if (parent_ready_fd_ >= 0) ::close(parent_ready_fd_);
}

int Master::run() {
  pid_ = ::getpid();
  generation_ = static_cast<unsigned>(std::max(1L, env_number(kGenerationEnv, 1)));
  parent_ready_fd_ = static_cast<int>(env_number(kReadyFdEnv, -1));
  ::unsetenv(kReadyFdEnv);
  ::unsetenv(kGenerationEnv);
  if (parent_ready_fd_ >= 0) ::fcntl(parent_ready_fd_, F_SETFD, FD_CLOEXEC);
  exe_ = own_path();
  argv_ = own_command_line();
  open_listeners();

  sigset_t set = master_signals();
  ::sigprocmask(SIG_BLOCK, &set, &old_mask_);
  signal_fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) throw std::system_error(errno, std::generic_category(), "signalfd");

  slots_.resize(options_.workers);
  for (size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].index = i;
    start_worker(slots_[i]);
  }
  int status = supervise();
  if (mode_ == Mode::stopping) {
    for (const auto& a : bound_) {
      if (a.is_unix() && a.host()[0] != '@') ::unlink(a.host().c_str());
    }
  }
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  return status;
}

void Master::open_listeners() {
  auto inherited = take_inherited_sockets();
  for (auto& s : inherited) listen_fds_.push_back(s.fd);
  if (inherited.empty() && !options_.reuse_port) {
    for (const auto& url : options_.listen) {
      std::error_code ec;
      int fd = listen_socket(Address::parse(url), {}, ec);
      if (fd < 0) throw std::system_error(ec, "listen " + url);
      listen_fds_.push_back(fd);
      bound_.push_back(local_address(fd));
    }
  }
  std::string where;
  for (int fd : listen_fds_) where += (where.empty() ? "" : ", ") + local_address(fd).to_string();
  if (listen_fds_.empty()) {
    for (const auto& url : options_.listen) where += (where.empty() ? "" : ", ") + url + " (reuse_port)";
  }
  WEFT_LOG(LogLevel::info, "master %d: generation %u listening on %s with %zu workers%s", pid_, generation_,
           where.c_str(), options_.workers, inherited.empty() ? "" : " (inherited sockets)");
}

int Master::supervise() {
  for (;;) {
    if (mode_ != Mode::serving && live_workers() == 0) {
      WEFT_LOG(LogLevel::info, "master %d: generation %u %s", pid_, generation_,
               mode_ == Mode::stopping ? "stopped" : "drained; exiting");
      return exit_status_;
    }
    if (mode_ == Mode::serving && all_given_up()) {
      WEFT_LOG(LogLevel::error, "master %d: every worker failed to start; stopping", pid_);
      if (upgrade_pid_ > 0) ::kill(upgrade_pid_, SIGTERM);
      return 1;
    }
    std::vector<pollfd> fds{{signal_fd_, POLLIN, 0}};
    std::vector<Slot*> owners{nullptr};
    for (auto& slot : slots_) {
      if (slot.ready_fd >= 0) {
        fds.push_back({slot.ready_fd, POLLIN, 0});
        owners.push_back(&slot);
      }
    }
    if (upgrade_fd_ >= 0) {
      fds.push_back({upgrade_fd_, POLLIN, 0});
      owners.push_back(nullptr);
    }
    int n = ::poll(fds.data(), fds.size(), poll_timeout_ms(Clock::now()));
    if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
    for (size_t i = 1; n > 0 && i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      if (owners[i] != nullptr) {
        worker_ready(*owners[i]);
      } else if (fds[i].fd == upgrade_fd_) {
        upgrade_ready();
      }
    }
    if (n > 0 && fds[0].revents != 0) read_signals();
    on_deadlines(Clock::now());
  }
}

int Master::poll_timeout_ms(Time now) const {
  Time next = Time::max();
  for (const auto& slot : slots_) {
    if (slot.state == SlotState::starting || slot.state == SlotState::waiting) next = std::min(next, slot.deadline);
  }
  if (upgrade_pid_ > 0) next = std::min(next, upgrade_deadline_);
  if (mode_ != Mode::serving && !killed_) next = std::min(next, stop_deadline_);
  if (next == Time::max()) return -1;
  if (next <= now) return 0;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

void Master::start_worker(Slot& slot) {
  int p[2];
  pid_t pid = -1;
  if (::pipe2(p, O_CLOEXEC) == 0) {
    pid = ::fork();
    if (pid == 0) {
      ::close(p[0]);
      run_worker(slot, p[1]);
    }
    ::close(p[1]);
    if (pid < 0) ::close(p[0]);
  }
  if (pid < 0) {
    WEFT_LOG(LogLevel::error, "master %d: worker %zu: cannot start it: %s; retrying", pid_, slot.index,
             std::strerror(errno));
    slot.deadline = Clock::now() + options_.max_restart_delay;
    slot.state = SlotState::waiting;
    return;
  }
  slot.pid = pid;
  slot.ready_fd = p[0];
  slot.started = Clock::now();
  slot.deadline = slot.started + options_.ready_timeout;
  set_state(slot, SlotState::starting);
}

void Master::run_worker(Slot& slot, int ready_fd) {
  // Nothing of the master's machinery stays in the worker but the listening sockets.
  ::close(signal_fd_);
  for (auto& other : slots_) {
    if (other.ready_fd >= 0) ::close(other.ready_fd);
  }
  if (upgrade_fd_ >= 0) ::close(upgrade_fd_);
  if (parent_ready_fd_ >= 0) ::close(parent_ready_fd_);
  // A worker whose master dies stops gracefully rather than serve unsupervised.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != pid_) ::_exit(1);  // The master died before prctl took effect.
  // A terminal's Ctrl-C reaches the whole foreground process group. Workers in a group of
  // their own hear only the master, so one Ctrl-C drains them rather than counting twice
  // (the master's SIGTERM and the terminal's SIGINT) and cutting their connections.
  ::setpgid(0, 0);
  // SIGUSR2 is the master's (hot restart); a worker that receives it too keeps serving.
  ::signal(SIGUSR2, SIG_IGN);
  sigset_t mask = old_mask_;
  sigaddset(&mask, SIGHUP);
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);
  start_reload_thread(options_.on_reload, slot.index);
  int status = 1;
  try {
    std::vector<std::string> urls = listen_fds_.empty() ? options_.listen : std::vector<std::string>{};
    Worker worker(listen_fds_, std::move(urls), ready_fd, slot.index, generation_);
    status = serve_(worker);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "worker %zu pid %d: %s", slot.index, ::getpid(), e.what());
  }
  std::fflush(nullptr);
  ::_exit(status);
}

void Master::set_state(Slot& slot, SlotState state, const std::string& detail) {
  slot.state = state;
  WEFT_LOG(state == SlotState::given_up ? LogLevel::error : LogLevel::info,
           "master %d: worker %zu pid %d %s%s%s, restarts %u", pid_, slot.index, static_cast<int>(slot.pid),
           to_string(state), detail.empty() ? "" : " (", (detail.empty() ? "" : detail + ")").c_str(), slot.restarts);
}

void Master::read_signals() {
  signalfd_siginfo info;
  while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    on_signal(static_cast<int>(info.ssi_signo));
  }
}

void Master::on_signal(int signo) {
  switch (signo) {
    case SIGCHLD: reap(); break;
    case SIGINT:
    case SIGTERM: begin_stop(Mode::stopping, signo); break;
    case SIGHUP:
      if (options_.on_master_reload) {
        try {
          options_.on_master_reload();
        } catch (const std::exception& e) {
          WEFT_LOG(LogLevel::error, "master %d: reload failed: %s", pid_, e.what());
        }
      }
      WEFT_LOG(LogLevel::info, "master %d: SIGHUP: reloading %zu workers", pid_, live_workers());
      for (auto& slot : slots_) {
        if (slot.pid > 0) ::kill(slot.pid, SIGHUP);
      }
      break;
    case SIGUSR2: start_upgrade(); break;
    default: break;
  }
}

void Master::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == upgrade_pid_) {
      upgrade_failed(describe_exit(status) + " before it was ready");
      continue;
    }
    for (auto& slot : slots_) {
      if (slot.pid == pid) worker_exited(slot, status);
    }
  }
}

void Master::worker_exited(Slot& slot, int status) {
  bool was_ready = slot.state == SlotState::ready;
  if (slot.ready_fd >= 0) {
    ::close(slot.ready_fd);
    slot.ready_fd = -1;
  }
  if (mode_ != Mode::serving) {
    set_state(slot, SlotState::stopped, describe_exit(status));
    slot.pid = -1;
    return;
  }
  Time now = Clock::now();
  std::string how = describe_exit(status);
  if (!was_ready && ++slot.start_failures >= options_.max_start_failures) {
    set_state(slot, SlotState::given_up,
              how + " before it was ready, " + std::to_string(slot.start_failures) +
                  " start-up failures in a row; not restarting it");
    slot.pid = -1;
    return;
  }
  // Back off while workers keep dying soon after they start.
  bool quick = !was_ready || now - slot.started < options_.max_restart_delay;
  slot.delay = quick && slot.delay > Duration::zero() ? std::min(slot.delay * 2, options_.max_restart_delay)
                                                      : options_.restart_delay;
  slot.deadline = now + slot.delay;
  set_state(slot, SlotState::waiting,
            how + (was_ready ? "" : " before it was ready") + "; restart in " + format_ms(slot.delay));
  slot.pid = -1;
}

void Master::worker_ready(Slot& slot) {
  char byte = 0;
  ssize_t n = ::read(slot.ready_fd, &byte, 1);
  if (n < 0 && errno == EINTR) return;
  ::close(slot.ready_fd);
  slot.ready_fd = -1;
  // End of file without a byte: the worker is exiting; SIGCHLD follows.
  if (n != 1 || slot.state != SlotState::starting) return;
  slot.start_failures = 0;
  set_state(slot, SlotState::ready, format_ms(Clock::now() - slot.started));
  announce_ready();
}

void Master::announce_ready() {
  if (announced_) return;
  for (const auto& slot : slots_) {
    if (slot.state != SlotState::ready && slot.state != SlotState::given_up) return;
  }
  announced_ = true;
  WEFT_LOG(LogLevel::info, "master %d: generation %u ready", pid_, generation_);
  if (parent_ready_fd_ >= 0) {
    char byte = 'R';
    [[maybe_unused]] ssize_t n = ::write(parent_ready_fd_, &byte, 1);
    ::close(parent_ready_fd_);
    parent_ready_fd_ = -1;
  }
  notify_service_manager("READY=1\nMAINPID=" + std::to_string(pid_));
}

void Master::begin_stop(Mode mode, int signo) {
  if (mode_ != Mode::serving) {
    if (mode == Mode::stopping) {
      // A second stop signal: pass it on, for servers that cut connections on it.
      WEFT_LOG(LogLevel::warn, "master %d: %s again; passing it to the workers", pid_, ::sigabbrev_np(signo));
      for (auto& slot : slots_) {
        if (slot.pid > 0) ::kill(slot.pid, signo);
      }
    }
    return;
  }
  mode_ = mode;
  stop_deadline_ = Clock::now() + options_.stop_timeout;
  if (mode == Mode::stopping) {
    WEFT_LOG(LogLevel::info, "master %d: SIG%s: stopping %zu workers", pid_, ::sigabbrev_np(signo), live_workers());
    notify_service_manager("STOPPING=1");
    if (upgrade_pid_ > 0) {
      ::kill(upgrade_pid_, SIGTERM);
      upgrade_pid_ = -1;
      if (upgrade_fd_ >= 0) ::close(upgrade_fd_);
      upgrade_fd_ = -1;
    }
  }
  for (auto& slot : slots_) {
    if (slot.pid > 0) {
      ::kill(slot.pid, SIGTERM);
      set_state(slot, SlotState::stopping);
    } else if (slot.state == SlotState::waiting) {
      set_state(slot, SlotState::stopped);
    }
  }
}

void Master::start_upgrade() {
  if (mode_ != Mode::serving) {
    WEFT_LOG(LogLevel::warn, "master %d: SIGUSR2 ignored: generation %u is stopping", pid_, generation_);
    return;
  }
  if (upgrade_pid_ > 0) {
    WEFT_LOG(LogLevel::warn, "master %d: SIGUSR2 ignored: a hot restart is under way", pid_);
    return;
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    WEFT_LOG(LogLevel::error, "master %d: hot restart: pipe: %s", pid_, std::strerror(errno));
    return;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    exec_new_generation(p[1]);
  }
  ::close(p[1]);
  if (pid < 0) {
    ::close(p[0]);
    WEFT_LOG(LogLevel::error, "master %d: hot restart: fork: %s", pid_, std::strerror(errno));
    return;
  }
  upgrade_pid_ = pid;
  upgrade_fd_ = p[0];
  upgrade_started_ = Clock::now();
  upgrade_deadline_ = upgrade_started_ + options_.ready_timeout;
  WEFT_LOG(LogLevel::info, "master %d: hot restart: generation %u starting as pid %d (%s)", pid_, generation_ + 1, pid,
           exe_.c_str());
}

void Master::exec_new_generation(int ready_fd) {
  // The child of a single-threaded process: it may change its environment and descriptors
  // freely before exec. The sockets go to 3, 4, ... and the readiness pipe after them;
  // dup2 clears close-on-exec on the copies, and everything else is close-on-exec.
  std::vector<int> parked;
  for (int fd : listen_fds_) parked.push_back(::fcntl(fd, F_DUPFD_CLOEXEC, kParkedFd));
  int parked_ready = ::fcntl(ready_fd, F_DUPFD_CLOEXEC, kParkedFd);
  int next = kFirstPassedFd;
  for (int fd : parked) ::dup2(fd, next++);
  int passed_ready = next;
  ::dup2(parked_ready, passed_ready);
  if (listen_fds_.empty()) {
    ::unsetenv("LISTEN_FDS");
  } else {
    ::setenv("LISTEN_FDS", std::to_string(listen_fds_.size()).c_str(), 1);
    ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
  }
  ::unsetenv("LISTEN_FDNAMES");
  ::setenv(kReadyFdEnv, std::to_string(passed_ready).c_str(), 1);
  ::setenv(kGenerationEnv, std::to_string(generation_ + 1).c_str(), 1);
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  std::vector<char*> argv;
  for (auto& a : argv_) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(exe_.c_str(), argv.data());
  WEFT_LOG(LogLevel::error, "master %d: hot restart: exec %s: %s", ::getpid(), exe_.c_str(), std::strerror(errno));
  ::_exit(127);
}

void Master::upgrade_ready() {
  char byte = 0;
  ssize_t n = ::read(upgrade_fd_, &byte, 1);
  if (n < 0 && errno == EINTR) return;
  if (n != 1) {
    upgrade_failed("closed its readiness pipe before it was ready");
    return;
  }
  ::close(upgrade_fd_);
  upgrade_fd_ = -1;
  WEFT_LOG(LogLevel::info, "master %d: hot restart: generation %u (pid %d) ready after %s; generation %u drains", pid_,
           generation_ + 1, upgrade_pid_, format_ms(Clock::now() - upgrade_started_).c_str(), generation_);
  // The new master outlives this one; its exit is no longer this master's business.
  upgrade_pid_ = -1;
  begin_stop(Mode::draining, SIGTERM);
}

void Master::upgrade_failed(const std::string& why) {
  if (upgrade_pid_ <= 0) return;
  WEFT_LOG(LogLevel::error, "master %d: hot restart failed: generation %u (pid %d) %s; generation %u keeps serving",
           pid_, generation_ + 1, upgrade_pid_, why.c_str(), generation_);
  ::kill(upgrade_pid_, SIGKILL);
  upgrade_pid_ = -1;
  if (upgrade_fd_ >= 0) ::close(upgrade_fd_);
  upgrade_fd_ = -1;
}

void Master::on_deadlines(Time now) {
  if (upgrade_pid_ > 0 && now >= upgrade_deadline_) {
    upgrade_failed("was not ready after " + format_ms(options_.ready_timeout) + "; killed it");
  }
  if (mode_ != Mode::serving) {
    if (!killed_ && now >= stop_deadline_) {
      killed_ = true;
      WEFT_LOG(LogLevel::warn, "master %d: %zu workers still running after %s; killing them", pid_, live_workers(),
               format_ms(options_.stop_timeout).c_str());
      for (auto& slot : slots_) {
        if (slot.pid > 0) ::kill(slot.pid, SIGKILL);
      }
    }
    return;
  }
  for (auto& slot : slots_) {
    if (slot.state == SlotState::starting && now >= slot.deadline && slot.pid > 0) {
      WEFT_LOG(LogLevel::warn, "master %d: worker %zu pid %d not ready after %s; killing it", pid_, slot.index,
               slot.pid, format_ms(options_.ready_timeout).c_str());
      ::kill(slot.pid, SIGKILL);
      slot.deadline = Time::max();
    } else if (slot.state == SlotState::waiting && now >= slot.deadline) {
      ++slot.restarts;
      start_worker(slot);
    }
  }
}

size_t Master::live_workers() const {
  return static_cast<size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.pid > 0; }));
}

bool Master::all_given_up() const {
  return std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.state == SlotState::given_up; });
}

}  // namespace weft::detail
