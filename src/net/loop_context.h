#pragma once
// LoopContext: one server's state on one I/O loop: its connection table, the lists that
// time its connections (handshaking, idle, lingering), and its part of a graceful stop. Everything here
// runs on that loop's thread, except `connections`, which the acceptor increments when it
// hands a connection over. It reports to its owner through the callbacks it is given, and
// knows nothing of the server above it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "net/conn_table.h"
#include "weft/core/address.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/net/conn_stats.h"
#include "weft/net/detail/inbound.h"
#include "weft/net/handler.h"
#include "weft/net/server_options.h"
#include "weft/transport/transport_factory.h"

namespace weft::detail {

class Dialer;
class Transport;

// Conn::beat_: read and written since the last heartbeat, a read deadline armed, an entry
// in the loop's deadline table, and the heartbeats missed so far (low bits).
inline constexpr uint8_t kBeatRead = 0x80;
inline constexpr uint8_t kBeatWrote = 0x40;
inline constexpr uint8_t kBeatReadDeadline = 0x20;
inline constexpr uint8_t kBeatDeadlines = 0x10;
inline constexpr uint8_t kBeatMisses = 0x0f;

// Connections linked through their idle hooks, oldest first. A connection is in at most
// one such list at a time: the idle list while open, the lingering list while lingering,
// the handshake list while its transport's handshake runs, the connecting list while a
// dial is in progress. Conn::list_ names the list that holds it, so membership is exact:
// remove() on a list that does not hold the connection does nothing.
struct ConnList {
  explicit ConnList(uint8_t list_id) : id(list_id) {}
  Conn* head = nullptr;
  Conn* tail = nullptr;
  const uint8_t id;  // Non-zero, distinct per list of a loop.
  // The connection must be in no list.
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
  // A dial in progress, timed out after `timeout` (the same for every dial of this
  // context, so the list stays ordered): closed with Errc::timeout.
  void connect_add(Conn& conn, Duration timeout);
  void connect_remove(Conn& conn);
  // Takes the connection out of whichever list holds it.
  void unlist(Conn& conn);
  // Conn::set_read_deadline / set_write_deadline; clear_deadlines when it finalizes.
  void set_deadline(Conn& conn, bool for_read, Duration timeout);
  void clear_deadlines(Conn& conn);

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
  // Set for a client's contexts: every connection here is dialed, and the dialer hears
  // of each one's connect, opening and failure.
  Dialer* dialer = nullptr;

  // Counters: this loop's thread writes them, any thread reads them.
  ConnStats stats;

 private:
  void sweep_idle();
  void sweep_lingering();
  void sweep_handshakes();
  void refuse(int fd);
  void sweep_connecting();
  void sweep_heartbeat();
  void deadline_passed(uint32_t slot, uint32_t generation, bool for_read);
  void check_drained();

  Hooks hooks_;
  ConnList idle_{1};
  ConnList lingering_{2};
  ConnList handshakes_{3};
  ConnList connecting_{4};
  uint32_t connect_timeout_ms_ = 0;
  bool shutting_down_ = false;
  bool over_cap_ = false;
  bool drained_reported_ = false;
  bool registration_failure_logged_ = false;
  TimerId idle_timer_;
  TimerId linger_timer_;
  TimerId handshake_timer_;
  TimerId connect_timer_;
  TimerId heartbeat_timer_;
  // Deadline timers of the connections that have any (few do), by table slot.
  struct Deadlines {
    TimerId read;
    TimerId write;
  };
  std::unordered_map<uint32_t, Deadlines> deadlines_;
  TimerId shutdown_timer_;
};

}  // namespace weft::detail
