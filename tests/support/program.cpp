#include "program.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

extern char** environ;

namespace weft::test {
namespace {

constexpr int kFirstPassedFd = 3;
constexpr int kParkedFd = 200;

// Writes n in decimal at out (async-signal-safe); returns the end.
char* put_number(char* out, long n) {
  char digits[24];
  int len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  while (len > 0) *out++ = digits[--len];
  *out = '\0';
  return out;
}

}  // namespace

Program::Program(const std::string& path, const std::vector<std::string>& args, const std::vector<std::string>& env,
                 const std::vector<int>& pass_fds, bool listen_pid) {
  // Everything the child needs is built before fork.
  std::vector<std::string> argv_store{path};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("LISTEN_") || entry.starts_with("WEFT_READY_FD=") || entry.starts_with("WEFT_GENERATION=")) {
      continue;
    }
    env_store.emplace_back(entry);
  }
  env_store.insert(env_store.end(), env.begin(), env.end());
  std::string pid_entry = "LISTEN_PID=" + std::string(24, '\0');
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  if (listen_pid) envp.push_back(pid_entry.data());
  envp.push_back(nullptr);
  char* pid_digits = pid_entry.data() + std::strlen("LISTEN_PID=");

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    int parked[16];
    size_t n = pass_fds.size() < 16 ? pass_fds.size() : 16;
    for (size_t i = 0; i < n; ++i) parked[i] = ::fcntl(pass_fds[i], F_DUPFD_CLOEXEC, kParkedFd);
    for (size_t i = 0; i < n; ++i) ::dup2(parked[i], kFirstPassedFd + static_cast<int>(i));
    put_number(pid_digits, ::getpid());
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out[1]);
  out_fd_ = out[0];
  if (pid_ > 0) reader_ = std::thread([this] { read_lines(); });
}

Program::~Program() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(10));
  }
  {
    std::lock_guard lock(mutex_);
    stop_reading_ = true;
  }
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
}

void Program::read_lines() {
  std::string partial;
  char buf[4096];
  for (;;) {
    pollfd p{out_fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, 100);
    if (ready == 0) {
      // Descendants may hold the pipe after the program is gone: stop when told to.
      std::lock_guard lock(mutex_);
      if (stop_reading_) break;
      continue;
    }
    ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buf, static_cast<size_t>(n));
    std::lock_guard lock(mutex_);
    size_t start = 0;
    for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines_.push_back(partial.substr(start, nl - start));
    }
    partial.erase(0, start);
    cv_.notify_all();
  }
  std::lock_guard lock(mutex_);
  if (!partial.empty()) lines_.push_back(partial);
  ended_ = true;
  cv_.notify_all();
}

std::optional<std::string> Program::wait_line(std::string_view text, Duration timeout) {
  std::unique_lock lock(mutex_);
  std::optional<std::string> found;
  cv_.wait_for(lock, timeout, [&] {
    for (; cursor_ < lines_.size(); ++cursor_) {
      if (lines_[cursor_].find(text) != std::string::npos) {
        found = lines_[cursor_++];
        return true;
      }
    }
    return ended_;
  });
  return found;
}

size_t Program::count_lines(std::string_view text) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& l : lines_) n += l.find(text) != std::string::npos ? 1 : 0;
  return n;
}

std::string Program::output() const {
  std::lock_guard lock(mutex_);
  std::string all;
  for (const auto& l : lines_) all += l + "\n";
  return all;
}

bool Program::signal(int signo) const {
  return pid_ > 0 && ::kill(pid_, signo) == 0;
}

std::optional<int> Program::wait_exit(Duration timeout) {
  if (status_ || pid_ <= 0) return status_;
  int status = 0;
  if (!wait_gone(pid_, timeout, &status)) return std::nullopt;
  status_ = status;
  // Its last lines may still be in the pipe: read up to its end, unless a descendant that
  // outlives it (a hot restart's new master) keeps the pipe open.
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, std::chrono::seconds(2), [&] { return ended_; });
  return status_;
}

bool wait_gone(pid_t pid, Duration timeout, int* status) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    int ready = ::poll(&p, 1, static_cast<int>(ms));
    ::close(pidfd);
    if (ready != 1) return false;
  }
  int ignored = 0;
  // Reaps a child (or an adopted orphan); harmless for any other process.
  ::waitpid(pid, status != nullptr ? status : &ignored, 0);
  return true;
}

void become_subreaper() {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

long number_after(std::string_view line, std::string_view key) {
  size_t at = line.find(key);
  if (at == std::string_view::npos) return -1;
  const char* start = line.data() + at + key.size();
  long value = -1;
  auto [end, ec] = std::from_chars(start, line.data() + line.size(), value);
  return ec == std::errc() ? value : -1;
}

Address address_in(std::string_view line) {
  auto at = line.find("tcp://");
  if (at == std::string_view::npos) return {};
  return Address::parse(line.substr(at, line.find(' ', at) - at));
}

Address master_address(Program& master) {
  auto line = master.wait_line("generation 1 listening on ");
  EXPECT_TRUE(line) << master.output();
  return line ? address_in(*line) : Address{};
}

void kill_worker_zero(Program& master, const std::string& started) {
  pid_t victim = static_cast<pid_t>(number_after(started, "worker 0 pid "));
  ASSERT_GT(victim, 0) << started;
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  auto died = master.wait_line("killed by SIGKILL");
  ASSERT_TRUE(died) << master.output();
  EXPECT_NE(died->find("worker 0 pid " + std::to_string(victim) + " waiting to restart"), std::string::npos) << *died;
}

}  // namespace weft::test
