#include "reload.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <utility>

namespace weft::tools {

void Reload::operator()() const {
  run(true);
}

void Reload::log_level() const {
  run(false);
}

void Reload::run(bool with_tls) const {
  std::string done;
  auto add = [&done](const std::string& part) { done += (done.empty() ? "" : "; ") + part; };
  if (!log.level_file.empty()) {
    std::string error;
    if (auto level = configured_log_level(log, error)) {
      set_log_level(*level);
      add(std::string("log level ") + to_string(*level) + " (from " + log.level_file + ")");
    } else {
      add(std::string("log level stays ") + to_string(weft::log_level()) + ": " + error);
    }
  }
  if (with_tls && tls) {
    try {
      tls->reload();
      add("TLS certificates reloaded");
    } catch (const std::exception& e) {
      add(std::string("TLS certificates not reloaded, the old ones stay: ") + e.what());
    }
  }
  if (done.empty()) done = "nothing to reload (no --log-level-file" + std::string(with_tls ? ", no --tls-cert)" : ")");
  std::fprintf(stderr, "%s[%d]: SIGHUP: %s\n", program.c_str(), static_cast<int>(::getpid()), done.c_str());
}

ReloadOnHangup::ReloadOnHangup(std::function<void()> action) : action_(std::move(action)) {
  sigset_t all;
  sigset_t before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  thread_ = std::thread([this] {
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    for (;;) {
      int signo = 0;
      if (sigwait(&hup, &signo) != 0) continue;
      // The destructor wakes this thread with a SIGHUP of its own (pthread_kill).
      if (stop_.load(std::memory_order_acquire)) return;
      action_();
    }
  });
  sigaddset(&before, SIGHUP);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

ReloadOnHangup::~ReloadOnHangup() {
  stop_.store(true, std::memory_order_release);
  pthread_kill(thread_.native_handle(), SIGHUP);
  thread_.join();
}

}  // namespace weft::tools
