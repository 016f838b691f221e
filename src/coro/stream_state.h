#pragma once
// StreamState: what a Stream and its connection share. The connection's context slot
// points here; the coroutine handler forwards the connection's events to it. It holds
// the (at most one) pending read and pending write, and is reference counted between the
// Stream that owns the connection and, for accepted connections, the root coroutine that
// serves it (which logs with it if the coroutine throws). Loop thread only.

#include <cstdint>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/coro/detail/pooled_frame.h"
#include "weft/coro/stream.h"
#include "weft/net/server_options.h"

namespace weft::detail {

class StreamState final : public PooledFrame {
 public:
  explicit StreamState(const ServerOptions& options) : options_(&options) {}
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;

  // The connection is open (on_open); from now on it forwards its events here.
  void attach(Conn& conn);
  void on_traffic(Conn& conn);
  void on_high_water() { high_water_ = true; }
  void on_low_water();
  // The connection is gone: pending operations, and the owner's pending await, complete
  // with Errc::closed. May resume coroutines that free this object: touch nothing after.
  void on_closed();

  void ref() { ++refs_; }
  // Drops a reference; the last one detaches from the connection (closing it) and frees.
  void unref();

  Conn* conn() const { return conn_; }
  bool usable() const { return conn_ != nullptr && !closed_by_user_; }
  void mark_closed_by_user() { closed_by_user_ = true; }
  const ServerOptions& options() const { return *options_; }
  void set_owner(CoroContext* owner) { owner_ = owner; }

  // Slots, used by StreamOp.
  StreamOp*& slot(bool write) { return write ? writer_ : reader_; }
  // A reader suspends: it wants more input, so reading resumes if it was paused.
  void reader_waiting();
  // A writer suspends above the high water mark.
  void writer_waiting();
  // A writer leaves its slot.
  void writer_left();

 private:
  ~StreamState() = default;

  Conn* conn_ = nullptr;
  StreamOp* reader_ = nullptr;
  StreamOp* writer_ = nullptr;
  CoroContext* owner_ = nullptr;  // The root serving this connection, while it runs.
  const ServerOptions* options_;
  EventLoop* loop_ = nullptr;
  TimerId write_check_;
  uint32_t refs_ = 1;
  bool high_water_ = false;
  bool closed_by_user_ = false;
  bool paused_ = false;
};

}  // namespace weft::detail
