#include "external_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "loopback_client.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

std::vector<char*> c_argv(std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (std::string& a : argv) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

bool program_exists(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

ExternalServer::ExternalServer(std::vector<std::string> argv, std::string socket_path, Duration startup)
    : argv_(std::move(argv)), socket_path_(std::move(socket_path)) {
  ::unlink(socket_path_.c_str());
  std::vector<char*> args = c_argv(argv_);  // Built before fork: the child only execs.
  child_.emplace([&args](int) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // Never outlive a test that crashed.
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::execv(args[0], args.data());
    return 127;
  });
  if (!child_->started()) return;
  const Address address = Address::parse("unix://" + socket_path_);
  for (TimePoint deadline = Clock::now() + startup; Clock::now() < deadline;) {
    if (child_->wait_exit(0ms)) return;  // It exited: never ready.
    LoopbackClient probe(address, {}, 200ms);
    if (probe.connected()) {
      ready_ = true;
      return;
    }
    std::this_thread::sleep_for(10ms);  // Polling for the program to start listening.
  }
}

ExternalServer::~ExternalServer() {
  stop();
  ::unlink(socket_path_.c_str());
}

std::optional<int> ExternalServer::stop(Duration grace) {
  if (!child_ || !child_->started()) return std::nullopt;
  child_->signal(SIGTERM);
  std::optional<int> status = child_->wait_exit(grace);
  if (!status) {
    child_->signal(SIGKILL);
    status = child_->wait_exit();
  }
  child_.reset();
  return status;
}

std::unique_ptr<ExternalServer> start_weft_kv(size_t loops, const std::vector<std::string>& flags) {
#ifdef WEFT_KV_PATH
  const std::string path = temp_socket_path("kv");
  std::vector<std::string> argv = {WEFT_KV_PATH,     "--quiet", "--addr",
                                   "unix://" + path, "--loops", std::to_string(loops)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return std::make_unique<ExternalServer>(std::move(argv), path);
#else
  (void)loops;
  (void)flags;
  return nullptr;
#endif
}

std::unique_ptr<ExternalServer> start_redis(const std::vector<std::string>& flags) {
  const std::string exe = "/usr/bin/redis-server";
  if (!program_exists(exe)) return nullptr;
  const std::string path = temp_socket_path("redis");
  const char* tmp = std::getenv("TMPDIR");
  std::vector<std::string> argv = {exe, "--port", "0", "--unixsocket", path, "--save", "", "--appendonly", "no",
                                   "--dir", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "--loglevel", "warning",
                                   // DEBUG SLEEP lets scripts wait for keys to expire.
                                   "--enable-debug-command", "local"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return std::make_unique<ExternalServer>(std::move(argv), path);
}

ProgramResult run_program(const std::vector<std::string>& argv_in, const std::string& input, Duration timeout) {
  std::vector<std::string> argv = argv_in;
  std::vector<char*> args = c_argv(argv);
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) < 0) return {};
  if (::pipe2(out_pipe, O_CLOEXEC) < 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return {};
  }
  ChildProcess child([&](int) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(out_pipe[1], STDERR_FILENO);
    ::execv(args[0], args.data());
    return 127;
  });
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  ProgramResult result;
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  const TimePoint deadline = Clock::now() + timeout;
  bool open = true;
  while (open && Clock::now() < deadline) {
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(fds, in_fd >= 0 ? 2 : 1, static_cast<int>(std::max<long>(left, 0))) <= 0) continue;
    if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 || written == input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      const ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
      if (n > 0) {
        result.output.append(buf, static_cast<size_t>(n));
      } else {
        open = false;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out_pipe[0]);
  if (open) {
    child.signal(SIGKILL);
    child.wait_exit();
    return result;
  }
  std::optional<int> status = child.wait_exit(timeout);
  result.status = status ? *status : -1;
  return result;
}

}  // namespace weft::test
