#pragma once
// ServerCore: what Server is made of. The main loop runs on its own thread; it owns the
// acceptor listeners (without reuse_port), the stop signals and the ticks, and it
// coordinates a graceful stop with the I/O loops.

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "net/listener.h"
#include "net/loop_context.h"
#include "weft/core/loop_group.h"
#include "weft/net/load_balancer.h"
#include "weft/net/server.h"

namespace weft::detail {

class SignalWatcher;
class MemoryGovernor;

// Something else that runs connections on the server's I/O loops (a Client) and must stop
// with it: the server calls begin_stop() on its main loop when it starts stopping, and
// finishes only after `done` has been called (from any thread, once).
class StopParticipant {
 public:
  virtual void begin_stop(std::function<void()> done) = 0;

 protected:
  ~StopParticipant() = default;
};

class ServerCore {
 public:
  ServerCore(Server& server, Handler& handler, ServerOptions options);
  ~ServerCore();

  void listen(std::string_view url, std::shared_ptr<TransportFactory> transport);
  void listen_fd(int fd, std::shared_ptr<TransportFactory> transport);
  void start();
  void wait();
  void stop();
  void stop_accepting(std::function<void()> then);

  // Acceptor side: picks a loop for fd and hands it over. own is set for reuse_port;
  // transport is the listener's (null: plain).
  void dispatch(int fd, const Address& remote, LoopContext* own, TransportFactory* transport);
  // An I/O loop has closed its last connection during a stop. Any I/O loop thread.
  void loop_drained();
  size_t connection_count() const;
  // Participants join before start() (or on the main loop while running) and leave once
  // they have stopped, from their owner's thread.
  void add_participant(StopParticipant* participant);
  void remove_participant(StopParticipant* participant);
  bool started() const { return started_; }

  Server& server;
  Handler& handler;
  const ServerOptions options;
  EventLoop main_loop;
  LoopGroup io;
  std::vector<std::unique_ptr<LoopContext>> contexts;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<Address> addresses;
  std::vector<std::shared_ptr<TransportFactory>> transports;  // The listeners' factories, kept alive.

 private:
  void begin_stop();
  void tick();
  void finish();
  void maybe_finish();

  std::shared_ptr<LoadBalancer> balancer_;
  std::vector<size_t> loads_;  // Acceptor thread scratch for the balancer.
  std::unique_ptr<SignalWatcher> signals_;
  std::unique_ptr<MemoryGovernor> governor_;
  std::thread main_thread_;
  std::mutex wait_mutex_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  size_t drained_loops_ = 0;  // Main loop thread only.
  std::mutex participants_mutex_;
  std::vector<StopParticipant*> participants_;  // Guarded by participants_mutex_.
  size_t participants_stopping_ = 0;            // Main loop thread only, as the next.
  size_t participants_done_ = 0;
  bool stop_begun_ = false;
  std::atomic<bool> over_limit_logged_{false};  // With reuse_port, every I/O loop accepts.
};

}  // namespace weft::detail
