#pragma once
// StreamState: what a Stream and its connection share. The connection carries a
// StreamAttachment (its protocol attachment slot, Conn::attach) that points here, and the
// coroutine handler forwards the connection's events through it; the application's
// context slot is left alone. It holds the (at most one) pending read and pending write.
//
// It is reference counted. References are held by:
//   - the Stream that owns the connection (closing it when destroyed),
//   - the root coroutine serving an accepted connection (it logs with it if the
//     coroutine throws),
//   - the connection's StreamAttachment, from on_open until the connection destroys it
//     right after on_close (by which time on_closed() has cut the link to the Conn).
// So the Conn pointer is valid whenever it is not null, and the state outlives both the
// connection and the coroutine, whichever ends last. Loop thread only.

#include <cstdint>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/coro/detail/pooled_frame.h"
#include "weft/coro/stream.h"
#include "weft/net/conn.h"
#include "weft/net/server_options.h"

namespace weft::detail {

class StreamState final : public PooledFrame {
 public:
  explicit StreamState(const ServerOptions& options) : options_(&options) {}
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;

  // The connection is open (on_open): gives it a StreamAttachment, through which it
  // forwards its events here from now on.
  void attach(Conn& conn);
  void on_traffic(Conn& conn);
  void on_high_water() { high_water_ = true; }
  void on_low_water();
  // The connection is gone: pending operations, and the owner's pending await, complete
  // with Errc::closed. May resume coroutines that free this object: touch nothing after.
  void on_closed();

  void ref() { ++refs_; }
  // Drops a reference; the last one frees (the connection is gone by then).
  void unref();

  Conn* conn() const { return conn_; }
  // Debug builds: aborts, naming call, unless on the connection's loop thread.
  void assert_loop_thread(const char* call) const {
    if (loop_ != nullptr) loop_->assert_in_loop_thread(call);
  }
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

// The connection's reference to its stream, in its protocol attachment slot.
class StreamAttachment final : public Conn::Attachment, public PooledFrame {
 public:
  explicit StreamAttachment(StreamState& state) : state_(&state) { state.ref(); }
  ~StreamAttachment() override { state_->unref(); }
  StreamAttachment(const StreamAttachment&) = delete;
  StreamAttachment& operator=(const StreamAttachment&) = delete;

  // The stream of a connection served by the coroutine handler, or null before on_open.
  static StreamState* of(const Conn& conn) {
    auto* a = static_cast<StreamAttachment*>(conn.attachment());
    return a != nullptr ? a->state_ : nullptr;
  }

 private:
  StreamState* state_;
};

}  // namespace weft::detail
