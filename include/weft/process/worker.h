#pragma once
// Worker: where a server process gets its listeners and whom it tells that it serves.
//
// The same server code runs alone or as one of a Supervisor's workers:
//
//   int serve(weft::Worker& worker) {
//     EchoHandler handler;
//     weft::Server server(handler, {.loops = 1, .stop_signals = {SIGINT, SIGTERM}});
//     worker.attach(server);   // inherited sockets, or binds the addresses
//     server.start();
//     worker.ready();          // the master (or systemd) learns the server is up
//     server.wait();
//     return 0;
//   }
//
// A supervised worker attaches the master's listening sockets (or, with reuse_port, binds
// its own with SO_REUSEPORT) and reports readiness through a pipe. A standalone one adopts
// sockets from systemd's socket activation when there are any, else binds the addresses,
// and reports readiness with sd_notify when NOTIFY_SOCKET is set.
//
// Threads: the thread that runs the worker's serve function, before it starts others
// where noted.

#include <cstddef>
#include <string>
#include <vector>

#include "weft/net/server.h"

namespace weft {

namespace detail {
class Master;
}

class Worker {
 public:
  // A process serving on its own: sockets passed by systemd if any, else `urls`. Call on
  // the main thread before any other thread starts (it reads and cleans the environment).
  static Worker standalone(std::vector<std::string> urls);

  Worker(Worker&& other) noexcept;
  Worker& operator=(Worker&&) = delete;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  // Gives the server this process's listeners, once: the inherited sockets through
  // Server::listen_fd, else Server::listen for each address (so a supervised reuse_port
  // worker needs ServerOptions::reuse_port). Throws what those throw.
  void attach(Server& server);
  // Reports that the server serves: to the master, which then counts the worker as
  // started, or to the service manager (READY=1). Call after Server::start(). Once.
  void ready();

  bool supervised() const { return index_ != kStandalone; }
  // The worker's slot in its generation (0 .. workers-1); 0 when standalone.
  size_t index() const { return index_ == kStandalone ? 0 : index_; }
  // 1 for the first generation, one more after each hot restart.
  unsigned generation() const { return generation_; }

 private:
  friend class detail::Master;
  static constexpr size_t kStandalone = static_cast<size_t>(-1);
  Worker(std::vector<int> fds, std::vector<std::string> urls, int ready_fd, size_t index, unsigned generation);

  std::vector<int> fds_;
  std::vector<std::string> urls_;
  int ready_fd_ = -1;
  size_t index_ = kStandalone;
  unsigned generation_ = 1;
  bool attached_ = false;
};

}  // namespace weft
