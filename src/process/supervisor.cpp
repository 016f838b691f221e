#include "weft/process/supervisor.h"

#include <signal.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "process/master.h"

namespace weft {

Supervisor::Supervisor(SupervisorOptions options, Serve serve)
    : options_(std::move(options)), serve_(std::move(serve)) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("SupervisorOptions: " + what); };
  if (options_.workers == 0 || options_.workers > 1024) fail("workers must be from 1 to 1024");
  if (!serve_) fail("the serve function is empty");
  if (options_.restart_delay <= Duration::zero() || options_.max_restart_delay < options_.restart_delay) {
    fail("restart_delay must be positive and at most max_restart_delay");
  }
  if (options_.max_start_failures == 0) fail("max_start_failures must be positive");
  if (options_.ready_timeout <= Duration::zero() || options_.stop_timeout <= Duration::zero()) {
    fail("ready_timeout and stop_timeout must be positive");
  }
  for (const auto& url : options_.listen) {
    Address a = Address::parse(url);
    if (options_.reuse_port && !a.is_unix() && a.port() == 0) fail("reuse_port needs a fixed port, not " + url);
  }
}

Supervisor::~Supervisor() = default;

int Supervisor::run() {
  detail::Master master(options_, serve_);
  return master.run();
}

void Supervisor::upgrade() {
  ::kill(::getpid(), SIGUSR2);
}
void Supervisor::stop() {
  ::kill(::getpid(), SIGTERM);
}
void Supervisor::reload() {
  ::kill(::getpid(), SIGHUP);
}

}  // namespace weft
