#pragma once
// Supervisor: a master process that holds the listening sockets and runs a server in N
// worker processes, restarts them when they die, and replaces the whole generation with a
// freshly exec'd binary without refusing a connection.
//
//   int main() {
//     weft::Supervisor supervisor({.workers = 4, .listen = {"tcp://0.0.0.0:7000"}}, serve);
//     return supervisor.run();   // serve(Worker&) runs in each worker (see worker.h)
//   }
//
// The master opens the listeners (unless reuse_port) and forks the workers, which inherit
// them; it does no network work. Signals to the master:
//
//   SIGINT, SIGTERM  graceful stop: workers get SIGTERM, finish their connections up to
//                    their shutdown deadline and exit; run() returns 0. A second one is
//                    passed on, so servers that cut connections on a second signal do.
//   SIGHUP           reload: on_master_reload runs in the master, then the signal is
//                    passed to every worker, where on_reload runs.
//   SIGUSR2          hot restart (upgrade()): the master forks and execs its own binary
//                    path with its command line, handing over the listening sockets as
//                    systemd does (LISTEN_FDS, descriptors 3...) and a readiness pipe.
//                    Once every worker of the new generation is ready, the old workers
//                    get SIGTERM (stop accepting, drain, exit) and the old master exits 0.
//                    A new generation that is not ready within ready_timeout, or that
//                    exits first, is killed and the old one keeps serving.
//
// The sockets are shared, not copied: a connection waiting in the kernel's queue is
// accepted by whichever process accepts next, so none is refused while generations
// change. With reuse_port each worker binds its own SO_REUSEPORT socket instead; the
// kernel then drops connections still queued on a socket that closes, so a hot restart
// can reset a few connections in that mode.
//
// Start-up: a worker that exits (or is not ready within ready_timeout) before it calls
// Worker::ready() has failed to start. After max_start_failures such failures in a row a
// worker slot is given up with an error line; when every slot is given up, run() returns 1.
// A worker that dies after it was ready is restarted after a delay that starts at
// restart_delay and doubles while workers keep dying within max_restart_delay of starting.
//
// The master logs one line per worker state change through weft's log sink:
//   master 4242: worker 1 pid 4250 ready, restarts 0
//
// Threads: construct and run() on the main thread before the program starts any other
// thread (run() forks). upgrade(), stop() and reload() may be called from any thread
// or a signal handler: they send the master its own signal.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "weft/core/address.h"
#include "weft/core/time.h"
#include "weft/process/worker.h"

namespace weft {

struct SupervisorOptions {
  size_t workers = 2;
  // Addresses the master listens on. A generation started by a hot restart, or by systemd
  // socket activation, uses the sockets it was given instead.
  std::vector<std::string> listen{};
  // Each worker binds its own socket with SO_REUSEPORT; the master opens none. Needs a
  // fixed port.
  bool reuse_port = false;
  Duration restart_delay = std::chrono::milliseconds(100);
  Duration max_restart_delay = std::chrono::seconds(5);
  unsigned max_start_failures = 5;
  // How long a worker, or a new generation, may take to become ready.
  Duration ready_timeout = std::chrono::seconds(10);
  // How long workers may take to exit after SIGTERM before they are killed (SIGKILL).
  // Leave room for their own shutdown deadline.
  Duration stop_timeout = std::chrono::seconds(15);
  // Runs in every worker on SIGHUP, on a thread of its own. Empty: logs that there is
  // nothing to reload.
  std::function<void()> on_reload{};
  // Runs in the master on SIGHUP, before the signal is passed to the workers, on the
  // master's own thread (keep it short; start no thread). Empty: nothing.
  std::function<void()> on_master_reload{};
};

class Supervisor {
 public:
  // Runs in each worker process; its return value is the worker's exit status.
  using Serve = std::function<int(Worker&)>;

  // Throws std::invalid_argument for inconsistent options (no workers, no address, port 0
  // with reuse_port).
  Supervisor(SupervisorOptions options, Serve serve);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Listens, starts the workers and supervises them until stopped; returns the master's
  // exit status (0 after a graceful stop or a completed hot restart). In a worker it does
  // not return: the worker exits with serve's status. Throws std::system_error when a
  // listener cannot be opened.
  int run();

  // Hot restart, stop and reload, as SIGUSR2, SIGTERM and SIGHUP. Any thread.
  static void upgrade();
  static void stop();
  static void reload();

 private:
  SupervisorOptions options_;
  Serve serve_;
};

}  // namespace weft
