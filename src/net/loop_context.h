#pragma once
// LoopContext: one server's state on one I/O loop: its connection table, the lists that
// time its connections (handshaking, idle, lingering), and its part of a graceful stop. Everything here
// runs on that loop's thread, except `connections`, which the acceptor increments when it
// hands a connection over. It reports to its owner through the callbacks it is given, and
// knows nothing of the server above it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "net/conn_table.h"
#include "weft/core/address.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/net/detail/inbound.h"
#include "weft/net/handler.h"
#include "weft/net/server_options.h"
#include "weft/transport/transport_factory.h"

namespace weft::detail {

// Connections linked through their idle hooks, oldest first.
struct ConnList {
  Conn* head = nullptr;
  Conn* tail = nullptr;
  void push_back(Conn& c);
  void remove(Conn& c);
  bool contains(const Conn& c) const;
};

class LoopContext {
 public:
  struct Hooks {
    // Every connection of this loop has closed during a stop.
    std::function<void()> drained;
    // Listeners this loop owns (reuse_port) must stop accepting.
    std::function<void()> close_listeners;
  };

  LoopContext(EventLoop& loop, size_t index, Handler& handler, const ServerOptions& options, Hooks hooks);
  ~LoopContext();

  // Creates a connection for an accepted (or otherwise connected) fd, with its context
  // slot preset and a transport from `transport` (null: plain), and opens it. Takes
  // ownership of fd. Returns false, having closed fd and called nothing, while shutting
  // down, when the factory refuses or when the poller refuses the fd.
  bool adopt(int fd, const Address& remote, void* context = nullptr, TransportFactory* transport = nullptr,
             std::string_view peer_name = {});
  // Starts the graceful stop of every connection on this loop.
  void begin_shutdown();
  // Ends it at once: every connection is closed now (CloseReason::shutdown).
  void cut();
  bool shutting_down() const { return shutting_down_; }
  // A connection finished closing (called from its finalize).
  void connection_closed();
  void start_idle_sweep();

  // A connection's timing lists. It is in at most one, by its state: handshaking (until
  // its transport's handshake finishes, with ServerOptions::handshake_timeout from its
  // start), idle (open, with an idle timeout) or lingering. remove() takes it out of
  // whichever holds it.
  void handshake_add(Conn& conn);
  void handshake_remove(Conn& conn);
  void idle_touch(Conn& conn, TimePoint now);
  void idle_remove(Conn& conn);
  void linger_add(Conn& conn);
  void linger_remove(Conn& conn);

  // The server's buffers are over their cap: stop reading, and close this loop's biggest
  // holders until it holds at most `share` bytes. end_shed() lets reading resume.
  void shed(size_t share);
  void end_shed();
  bool over_cap() const { return over_cap_; }

  // Machinery of the loop, borrowed for this server's connections.
  EventLoop& loop;
  Handler& handler;
  const ServerOptions& options;
  const size_t index;
  ConnTable table;
  std::atomic<size_t> connections{0};
  ReadArea read;
  // Bytes of the read area that the connection now in on_traffic wrote back unchanged:
  // sent without a copy when its on_traffic returns, before the area is read into again.
  std::string_view direct;

  // Counters, loop thread only.
  uint64_t registration_failures = 0;
  uint64_t shed_connections = 0;

 private:
  void sweep_idle();
  void sweep_lingering();
  void sweep_handshakes();
  void refuse(int fd);
  void check_drained();

  Hooks hooks_;
  ConnList idle_;
  ConnList lingering_;
  ConnList handshakes_;
  bool shutting_down_ = false;
  bool over_cap_ = false;
  bool drained_reported_ = false;
  bool registration_failure_logged_ = false;
  TimerId idle_timer_;
  TimerId linger_timer_;
  TimerId handshake_timer_;
  TimerId shutdown_timer_;
};

}  // namespace weft::detail
