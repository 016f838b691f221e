#pragma once
// Conn: one TCP or Unix-domain connection, owned by the loop it lives on. Handlers get a
// Conn& inside callbacks; to reach it later or from another thread, keep conn.handle().
// Every method is for the connection's loop thread only (asserted in debug builds).
//
// Inbound bytes: inside on_traffic, peek/read/discard look at the bytes received and not
// yet consumed. Views they return stay valid until the next inbound call on this
// connection or the end of the callback, whichever comes first; calls on other
// connections never affect them. Bytes not consumed by the end of on_traffic are kept (in
// pooled blocks) and offered again with the next arrival. On the loop thread outside
// on_traffic (a timer, a posted task) the same calls see the kept bytes; what they consume
// is dropped when the next bytes arrive, and their views stay valid until then.
//
// Outbound bytes: write() queues bytes without a syscall. What on_traffic writes is sent,
// in one syscall, when it returns; what other code writes goes out in the loop's flush
// phase of the same iteration, unless flush() sends it earlier. A remainder the kernel
// does not take waits for writability. ServerOptions::max_outbound is a hard limit for
// every writer: a write that would queue more closes the connection
// (CloseReason::overflow) and returns Errc::outbound_overflow.
//
// Closing: close() stops reading, flushes the output and then closes. If the peer has not
// finished sending, the close lingers (the writing side is shut, input is read and
// discarded until the peer's end of file or ServerOptions::linger_timeout) so that the
// kernel never answers late input with a reset that would destroy what was sent. The Conn
// object is destroyed only after the current callback returns (after on_close), so
// close() is safe inside any handler. abort() closes at once with a reset.
//
// States (checked in debug builds):
//   life       [connecting ->] open -> closing -> [lingering] -> finalizing
//              connecting: a dialed connection (Client) whose name resolution, connect or
//              transport handshake has not finished; the handler has heard nothing of it,
//              writes are refused and close() or abort() cancels the dial. It ends in open
//              (on_open) or, if it fails, in finalizing without on_open or on_close: the
//              dial reports the failure instead.
//              open: reading unless stopped (see below); writes accepted while the write
//              side is open. closing: no reads for the handler, output drains. lingering:
//              output sent, write side shut, input discarded. finalizing: on_close and
//              the fd's close are scheduled; no more I/O.
//   reading    off while any reason holds: paused by the handler, output above the high
//              water mark (backpressure), the server's buffer cap, end of input, the
//              server stopping, closing.
//   write side open -> shutdown requested (flushing) -> shut. Writes need it open.

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <netinet/in.h>
#include <span>
#include <string_view>
#include <system_error>

#include "weft/core/address.h"
#include "weft/core/buffer.h"
#include "weft/core/detail/io_object.h"
#include "weft/core/input_view.h"
#include "weft/core/shared_bytes.h"
#include "weft/core/time.h"
#include "weft/net/conn_handle.h"
#include "weft/net/detail/inbound.h"
#include "weft/net/detail/outbound.h"
#include "weft/net/handler.h"
#include "weft/transport/transport_info.h"

namespace weft {

class EventLoop;
namespace detail {
class Dialer;
class LoopContext;
class Transport;
struct ConnList;
}  // namespace detail

class Conn final : private detail::IoObject {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  // --- inbound ---
  size_t inbound_size() const { return in_.size(); }
  // The first min(n, inbound_size()) bytes as one contiguous view, copying only if they
  // span blocks.
  std::string_view peek(size_t n = npos);
  // peek(n), then consumes what it returned.
  std::string_view read(size_t n = npos) {
    std::string_view v = peek(n);
    in_.consume(v.size());  // Applied after the callback, so v stays valid until then.
    return v;
  }
  // Consumes up to n bytes; returns how many.
  size_t discard(size_t n = npos);
  // All unconsumed bytes, possibly in several segments, without copying (for codecs).
  InputView inbound();
  // The first contiguous run of unconsumed bytes, without copying: all of them unless
  // they span blocks. Empty when there are none.
  std::string_view inbound_front();
  // True once the peer has closed its writing side (end of file) and every byte before it
  // has been offered. Only seen with ServerOptions::allow_half_open (else the connection
  // closes): on_traffic is then called once more with input_ended() true, and the
  // connection stays open for writing until the handler closes it.
  bool input_ended() const { return read_stop_ & kInputEnded; }
  // Stops reading from the socket until resume_reading(); what is buffered stays readable.
  // For a consumer that is not ready for more (a coroutine that is not reading): the peer
  // then waits, by TCP flow control, instead of filling memory. Idempotent.
  void pause_reading();
  void resume_reading();

  // Raw input, for relays that move a socket's bytes with splice(2), without copying.
  // While it is on, the connection reads nothing itself: when its socket is readable,
  // on_traffic runs with no new bytes, and the handler moves the input with read_pipe.
  // It reads until that reports nothing more or pauses reading; on a level-triggered
  // loop (the default) it may also read less, and the event comes again. Possible only
  // with can_splice() and no unconsumed input: returns false (and changes nothing)
  // otherwise. Turned off, the connection reads by itself again.
  bool set_raw_input(bool on);
  bool raw_input() const { return raw_input_; }
  // In raw input mode: moves up to `max` bytes of input into the pipe whose write end is
  // `pipe`, and sets `moved`. Errors: resource_unavailable_try_again (nothing now, or the
  // pipe is full); Errc::end_of_input at the peer's end of file, which the connection
  // then applies as if it had read it (input_ended(), or a close without
  // allow_half_open; on_traffic is not called for it); Errc::closed when the
  // connection cannot read (not in raw input mode, closing, input ended); another code
  // when the socket failed, and the connection is closing with it.
  std::error_code read_pipe(int pipe, size_t max, size_t& moved);
  // True when the transport moves the socket's own bytes (plain TCP and Unix sockets):
  // raw input and pipes work. False for TLS, whose bytes are records.
  bool can_splice() const;

  // --- outbound ---
  // Queues bytes for sending. Returns Errc::closed (and queues nothing) once the
  // connection is closing or its writing side was shut down, and Errc::outbound_overflow
  // (closing the connection) past max_outbound.
  std::error_code write(std::string_view bytes);
  std::error_code writev(std::span<const std::string_view> parts);
  // Queues a reference to shared bytes, without copying them (a broadcast).
  std::error_code write(const SharedBytes& bytes);
  // Queues `length` bytes of the open file `file` from `offset`, after what is queued
  // already; sent without copying through user space where the transport allows
  // (sendfile). The connection owns `file` from this call on (even on error) and closes
  // it once sent or when the connection closes. File bytes do not count against
  // max_outbound: they wait in the file.
  std::error_code write_file(int file, uint64_t offset, uint64_t length);
  // Queues `length` bytes that wait in a pipe (`pipe` is its read end), after what is
  // queued already; they go to the socket with splice(2), never through user space. For
  // relays (see set_raw_input). The caller owns the pipe: it keeps it open until these
  // bytes are sent or the connection has closed, and reads nothing from it meanwhile.
  // The bytes count in outbound_size() and against max_outbound, like bytes in memory.
  // `sent`, if given, runs once they have been sent, or with an error if the connection
  // closes first (as ConnHandle::send's done). Returns what write() returns, or
  // std::errc::operation_not_supported (queueing nothing) without can_splice().
  std::error_code write_pipe(int pipe, size_t length, ConnHandle::Done sent = {});
  // Appends to the output chain directly (for encoders): check writable() first, append,
  // then call commit_output(), which applies the output limit.
  Buffer& output();
  std::error_code commit_output();
  // Bytes queued in memory and not yet sent.
  size_t outbound_size() const;
  // Sends what is queued now rather than in the loop's flush phase (netty's flush after
  // write). For a relay: what one connection's on_traffic writes to another leaves while
  // its bytes are still in cache, and the block that held them is free for the next one.
  // Inside this connection's own on_traffic it does nothing (its output leaves when the
  // callback returns). What the kernel does not take waits for writability as usual.
  void flush();

  // Flushes the output, then closes. Idempotent. With an error, on_close reports
  // CloseReason::error and that code (a protocol layer rejecting the peer's input).
  void close();
  void close(std::error_code error);
  // Closes at once with a reset (RST): queued output is dropped. For a misbehaving peer.
  void abort();
  // Flushes the output, then shuts down the writing side (the peer reads end of file);
  // reading goes on. Later writes return Errc::closed.
  void shutdown_write();
  bool closing() const { return life_ > Life::open; }
  // Why the connection is closing, once closing() is true, and the error code with it (as
  // on_close will report them; a more severe reason, such as a reset, may still replace
  // them until then).
  CloseReason close_reason() const { return reason_; }
  std::error_code close_error() const { return error(); }

  // Deadlines (the callback API's with_timeout). set_read_deadline: unless something is
  // read within `timeout` from now, the connection closes with CloseReason::deadline and
  // Errc::read_deadline; reading anything disarms it. set_write_deadline: if output is
  // still unsent `timeout` from now, the same with Errc::write_deadline. Setting one again
  // replaces it; zero disarms it. Loop thread.
  void set_read_deadline(Duration timeout);
  void set_write_deadline(Duration timeout);
  // True while a dialed connection is still connecting (reached through ConnHandle::post).
  bool connecting() const { return life_ == Life::connecting; }
  // True while write() would accept bytes.
  bool writable() const { return life_ == Life::open && write_side_ == WriteSide::open; }

  // --- identity ---
  ConnHandle handle() const;
  Address remote_address() const;
  Address local_address() const;
  EventLoop& loop() const;
  int fd() const { return fd_; }
  // The transport's name, for logs ("tcp", "tls", "ktls").
  const char* transport_name() const;
  // What the transport negotiated (TLS version, cipher, ALPN, SNI, peer certificate).
  TransportInfo transport_info() const;

  // A slot for the application's per-connection state. weft never reads or frees it: set
  // it in on_open and release what it points to in on_close.
  void set_context(void* context) { context_ = context; }
  void* context() const { return context_; }
  template <class T>
  T* context_as() const { return static_cast<T*>(context_); }

  // A slot for the protocol layers built on Conn (codecs, coroutine streams, HTTP),
  // separate from the application's context. The connection owns the attachment and
  // destroys it right after on_close.
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
  friend struct detail::ConnList;
  friend class ConnHandle;
  friend class detail::Dialer;

  // In order: a later state compares greater.
  enum class Life : uint8_t { connecting, open, closing, lingering, finalizing };
  enum class WriteSide : uint8_t { open, shutdown_requested, shut };
  // Why reading is off: any bit set stops it.
  enum ReadStop : uint8_t {
    kByHandler = 1,     // pause_reading()
    kBackpressure = 2,  // output above the high water mark, until it drains to the low one
    kServerCap = 4,     // the server's buffered bytes are over their cap
    kInputEnded = 8,    // the peer's end of file was read
    kStopping = 16,     // the server is stopping
  };

  Conn(detail::LoopContext& ctx, int fd, uint32_t slot, const Address& remote, detail::Transport& transport);
  ~Conn();

  void on_io(uint32_t events) override;
  void on_flush() override;
  void on_finalize() override;

  std::error_code open();
  void connected();
  void set_remote(const Address& remote);
  void handshake();
  void handle_read(bool hangup);
  void input_end();
  void dispatch_traffic();
  bool send_direct();
  void materialize_direct();
  std::error_code admit(size_t more);
  void send_output();
  void after_drain();
  void report_water_marks();
  void update_interest();
  void fail(long rc);
  void force_close(CloseReason reason, std::error_code error);
  void begin_close(CloseReason reason, std::error_code error);
  void begin_shutdown();
  void finish_close();
  void linger_read();
  void schedule_finalize();
  void mark_dirty();
  void touch();
  void set_reason(CloseReason reason, std::error_code error);
  std::error_code error() const;
  void check_state() const;
  void handler_threw(const char* callback, const char* what);
  template <class F>
  void call_user(const char* callback, F&& f);
  size_t held_bytes() const;
  void resume_after_cap();
  void queue_send(std::string_view bytes, ConnHandle::Done& done);
  void queue_send(SharedBytes&& bytes, ConnHandle::Done& done);
  std::error_code write_shared(SharedBytes&& bytes);

  // Kept small: an idle connection costs this object in its table slot and nothing else.
  // Members are ordered so that none leaves padding (out_'s tail padding holds the flags).
  detail::LoopContext* ctx_;
  detail::Transport* transport_;
  detail::Inbound in_;
  [[no_unique_address]] detail::Outbound out_;
  uint8_t interest_ = 0;
  Life life_ = Life::open;
  uint8_t read_stop_ = 0;
  bool in_traffic_ = false;     // Inside this connection's on_traffic.
  uint8_t error_category_ = 0;  // The close's error code: its category (see conn_life.cpp) and value.
  WriteSide write_side_ = WriteSide::open;
  CloseReason reason_ = CloseReason::local;
  bool handshaking_ = false;  // Connecting or in the transport's handshake: on_open has not been called.
  bool aborted_ = false;      // abort(): the fd closes with a reset.
  bool raw_input_ = false;    // set_raw_input(): the handler reads the socket (read_pipe).
  bool parked_ = false;       // Off the poller until reading resumes (see on_io's hangup).
  // Heartbeat and deadline state (loop_context.cpp): read and written since the last
  // beat, a read deadline armed, deadlines in the loop's table, and the misses so far.
  uint8_t beat_ = 0;
  uint8_t list_ = 0;  // Which of the loop's timing lists holds it (detail::ConnList::id), 0: none.
  // The peer's address: IPv4 inline, IPv6 in a small allocation of its own (remote_);
  // Unix-domain peers are looked up when asked for.
  uint16_t remote_family_ = 0;
  uint16_t remote_port_ = 0;  // Network byte order, for IPv4.
  int fd_;
  uint32_t slot_;  // In the loop's connection table, which keeps the generation.
  int error_value_ = 0;
  uint32_t last_active_ = 0;  // Milliseconds on the loop's clock (detail::coarse_ms).
  Conn* idle_prev_ = nullptr;  // The timing list named by list_.
  Conn* idle_next_ = nullptr;

  void* context_ = nullptr;
  std::unique_ptr<Attachment> attachment_;
  union {
    uint32_t v4;  // Network byte order.
    sockaddr_in6* v6;
  } remote_{};
};

}  // namespace weft
