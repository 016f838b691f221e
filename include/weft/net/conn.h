#pragma once
// Conn: one TCP or Unix-domain connection, owned by the loop it lives on. Handlers get a
// Conn& inside callbacks; to reach it later or from another thread, keep conn.handle().
// Every method is for the connection's loop thread only.
//
// Inbound bytes: inside on_traffic, peek/read/discard look at the bytes received and not
// yet consumed. Views they return stay valid until the next inbound call or the end of the
// callback, whichever comes first. Bytes not consumed by the end of on_traffic are kept
// (in pooled blocks) and offered again with the next arrival. On the loop thread outside
// on_traffic (a timer, a posted task) the same calls see the kept bytes; what they consume
// is dropped when the next bytes arrive, and their views stay valid until then.
//
// Outbound bytes: write() appends to the connection's output chain without a syscall.
// What on_traffic writes is sent, in one syscall, when it returns; what other code writes
// goes out in the loop's flush phase of the same iteration. A remainder the kernel does
// not take waits for writability.
//
// Closing: close() stops reading, flushes the output and then closes; the Conn object is
// destroyed only after the current callback returns (after on_close), so it is safe to
// call inside any handler.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>

#include "weft/core/address.h"
#include "weft/core/buffer.h"
#include "weft/core/input_view.h"
#include "weft/core/io_object.h"
#include "weft/core/time.h"
#include "weft/net/conn_handle.h"
#include "weft/net/handler.h"

namespace weft {

class EventLoop;
namespace detail {
class LoopContext;
class SendTracker;
}  // namespace detail

class Conn final : private detail::IoObject {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  // --- inbound (inside on_traffic) ---
  size_t inbound_size() const { return in_.size() + fresh_.size() - consumed_; }
  // The first min(n, inbound_size()) bytes as one contiguous view, copying only if they
  // span blocks.
  std::string_view peek(size_t n = npos);
  // peek(n), then consumes what it returned.
  std::string_view read(size_t n = npos);
  // Consumes up to n bytes; returns how many.
  size_t discard(size_t n = npos);
  // All unconsumed bytes, possibly in several segments, without copying (for codecs).
  InputView inbound();
  // The first contiguous run of unconsumed bytes, without copying: all of them unless
  // they span blocks. Empty when there are none.
  std::string_view inbound_front();
  // Stops reading from the socket until resume_reading(); what is buffered stays readable.
  // For a consumer that is not ready for more (a coroutine that is not reading): the peer
  // then waits, by TCP flow control, instead of filling memory. Idempotent.
  void pause_reading();
  void resume_reading();

  // --- outbound ---
  // Queues bytes for sending. Returns Errc::closed (and queues nothing) once the
  // connection is closing or its writing side was shut down.
  std::error_code write(std::string_view bytes);
  std::error_code writev(std::span<const std::string_view> parts);
  // Appends to the output chain directly (for encoders): check writable() first, append,
  // then call commit_output().
  Buffer& output();
  std::error_code commit_output();
  size_t outbound_size() const;

  // Flushes the output, then closes. Idempotent. With an error, on_close reports
  // CloseReason::error and that code (a protocol layer rejecting the peer's input).
  void close();
  void close(std::error_code error);
  // Flushes the output, then shuts down the writing side (the peer reads end of file);
  // reading goes on. Later writes return Errc::closed.
  void shutdown_write();
  bool closing() const { return closing_; }
  // True while write() would accept bytes.
  bool writable() const { return !closing_ && !shut_write_requested_; }

  // --- identity ---
  ConnHandle handle() const;
  Address remote_address() const;
  Address local_address() const;
  EventLoop& loop() const;
  int fd() const { return fd_; }

  // A slot for the application's per-connection state. weft never reads or frees it: set
  // it in on_open and release what it points to in on_close.
  void set_context(void* context) { context_ = context; }
  void* context() const { return context_; }
  template <class T>
  T* context_as() const { return static_cast<T*>(context_); }

  // A slot for the protocol layers built on Conn (codecs, coroutine streams), separate
  // from the application's context. The connection owns the attachment and destroys it
  // right after on_close.
  class Attachment {
   public:
    virtual ~Attachment() = default;
  };
  void attach(std::unique_ptr<Attachment> attachment) { attachment_ = std::move(attachment); }
  Attachment* attachment() const { return attachment_.get(); }

  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

 private:
  friend class detail::LoopContext;
  friend class detail::ConnTable;
  friend class ConnHandle;

  Conn(detail::LoopContext& ctx, int fd, uint32_t slot, uint32_t generation, const Address& remote);
  ~Conn();

  void on_io(uint32_t events) override;
  void on_flush() override;
  void on_finalize() override;

  void open();
  void handle_read(bool hangup);
  void dispatch_traffic();
  bool send_direct();
  void materialize_direct();
  void settle_inbound();
  void flush();
  void after_drain();
  void check_water_marks();
  void update_interest();
  void force_close(CloseReason reason, std::error_code error);
  void begin_close(CloseReason reason, std::error_code error);
  void begin_shutdown();
  void schedule_finalize();
  void mark_dirty();
  void touch();
  void handler_threw(const char* callback, const char* what);
  template <class F>
  void call_user(const char* callback, F&& f);
  void queue_send(std::string_view bytes, ConnHandle::Done& done);

  // Kept small: an idle connection costs this object, its slab entry and nothing else.
  detail::LoopContext* ctx_;
  int fd_;
  uint32_t slot_;
  uint32_t generation_;
  uint8_t interest_ = 0;
  CloseReason reason_ = CloseReason::local;
  bool closing_ : 1 = false;             // close requested: no more reads or writes accepted.
  bool finalizing_ : 1 = false;          // on_finalize is scheduled.
  bool dirty_ : 1 = false;               // in the loop's flush list.
  bool waiting_writable_ : 1 = false;    // output left over; EPOLLOUT armed.
  bool read_paused_ : 1 = false;         // over max_outbound: not reading until drained.
  bool user_paused_ : 1 = false;         // pause_reading(): not reading until resume_reading().
  bool shut_write_requested_ : 1 = false;
  bool write_shut_ : 1 = false;
  bool read_closed_ : 1 = false;
  bool high_water_ : 1 = false;
  bool in_traffic_ : 1 = false;
  std::error_code error_;

  Buffer in_;
  Buffer out_;
  std::string_view fresh_;  // Bytes of this read still in the loop's read area.
  size_t consumed_ = 0;     // Consumed during this callback, applied by settle_inbound().
  detail::SendTracker* tracker_ = nullptr;  // Done callbacks of ConnHandle::send, if any.

  Conn* idle_prev_ = nullptr;
  Conn* idle_next_ = nullptr;
  TimePoint last_active_{};

  void* context_ = nullptr;
  std::unique_ptr<Attachment> attachment_;
  // The peer's IP address; Unix-domain peers are looked up when asked for.
  union {
    sockaddr sa;
    sockaddr_in v4;
    sockaddr_in6 v6;
  } remote_{};
};

}  // namespace weft
