#pragma once
// LoopContext: one server's state on one I/O loop: its connection table, its idle list, and
// its part of a graceful stop. Everything here runs on that loop's thread, except
// `connections`, which the acceptor increments when it hands a connection over.

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "net/conn_table.h"
#include "weft/core/address.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/net/handler.h"
#include "weft/net/server_options.h"

namespace weft::detail {

class ServerCore;
class Listener;

class LoopContext {
 public:
  LoopContext(ServerCore& core, EventLoop& loop, size_t index);
  ~LoopContext();

  // Creates a connection for an accepted (or otherwise connected) fd, with its context
  // slot preset, and opens it. Takes ownership of fd; returns false, having closed it,
  // while shutting down.
  bool adopt(int fd, const Address& remote, void* context = nullptr);
  // Starts the graceful stop of every connection on this loop.
  void begin_shutdown();
  // A connection finished closing (called from its finalize).
  void connection_closed();
  void start_idle_sweep();

  void idle_touch(Conn& conn, TimePoint now);
  void idle_remove(Conn& conn);

  ServerCore& core;
  EventLoop& loop;
  Handler& handler;
  const ServerOptions& options;
  const size_t index;
  ConnTable table;
  std::atomic<size_t> connections{0};
  std::vector<Listener*> listeners;  // reuse_port listeners owned by the server.

  // Scratch for inbound views, reused by every connection of this loop.
  std::vector<std::string_view> segments;
  std::string linear;
  // Bytes of the read area that the connection now in on_traffic wrote back unchanged:
  // sent without a copy when its on_traffic returns, before the area is read into again.
  std::string_view direct;

 private:
  void sweep_idle();
  void check_drained();

  Conn* idle_head_ = nullptr;
  Conn* idle_tail_ = nullptr;
  bool shutting_down_ = false;
  bool drained_reported_ = false;
  TimerId idle_timer_;
  TimerId shutdown_timer_;
};

}  // namespace weft::detail
