// Conn's input: reading and dispatching on_traffic, pausing and resuming, raw input for
// splicing, and the interest set. Writing and flushing are in conn_output.cpp, opening
// and closing in conn_life.cpp.

#include "weft/net/conn.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <exception>

#include "core/error_categories.h"
#include "core/socket.h"
#include "net/conn_guard.h"
#include "net/dialer.h"
#include "net/loop_context.h"
#include "transport/io.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"

namespace weft {

using detail::kReadable;
using detail::kWritable;

namespace {

std::error_code errno_code(int e) {
  return {e, std::system_category()};
}

}  // namespace

Conn::Conn(detail::LoopContext& ctx, int fd, uint32_t slot, const Address& remote, detail::Transport& transport)
    : ctx_(&ctx), transport_(&transport), out_(ctx.loop.pool()), fd_(fd), slot_(slot) {
  set_remote(remote);
}

void Conn::set_remote(const Address& remote) {
  if (remote_family_ == AF_INET6) delete remote_.v6;
  remote_family_ = static_cast<uint16_t>(remote.family());
  if (remote.family() == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(remote.sockaddr_ptr());
    remote_port_ = a->sin_port;
    remote_.v4 = a->sin_addr.s_addr;
  } else if (remote.family() == AF_INET6) {
    remote_.v6 = new sockaddr_in6(*reinterpret_cast<const sockaddr_in6*>(remote.sockaddr_ptr()));
  }
}

Conn::~Conn() {
  in_.clear(ctx_->read);
  if (remote_family_ == AF_INET6) delete remote_.v6;
  if (fd_ >= 0) ::close(fd_);
}

Address Conn::local_address() const {
  return detail::local_address(fd_);
}

Address Conn::remote_address() const {
  if (remote_family_ == AF_INET) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = remote_port_;
    a.sin_addr.s_addr = remote_.v4;
    return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&a), sizeof a);
  }
  if (remote_family_ == AF_INET6) {
    return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(remote_.v6), sizeof *remote_.v6);
  }
  return detail::peer_address(fd_);
}

EventLoop& Conn::loop() const {
  return ctx_->loop;
}

const char* Conn::transport_name() const {
  return transport_->name();
}

TransportInfo Conn::transport_info() const {
  TransportInfo info;
  transport_->describe(info);
  return info;
}

ConnHandle Conn::handle() const {
  return ConnHandle(&ctx_->table, slot_, ctx_->table.generation(slot_));
}

void Conn::handler_threw(const char* callback, const char* what) {
  WEFT_LOG(LogLevel::error, "%s threw on connection from %s: %s; closing it", callback,
           remote_address().to_string().c_str(), what);
  force_close(CloseReason::error, make_error_code(Errc::handler_error));
}

// --- reading ---------------------------------------------------------------------------

void Conn::on_io(uint32_t events) {
  if (life_ >= Life::lingering || handshaking_) [[unlikely]] {
    if (life_ == Life::finalizing) return;  // Closed earlier in this batch; the event is stale.
    if (life_ == Life::connecting) {
      ctx_->dialer->ready(*this, events);
      return;
    }
    if (!(events & detail::kError)) {
      if (handshaking_) {
        handshake();
      } else {
        linger_read();
      }
      return;
    }
  }
  if (events & detail::kError) [[unlikely]] {
    std::error_code ec = detail::socket_error(fd_);
    bool reset = ec == std::errc::connection_reset || ec == std::errc::broken_pipe;
    force_close(reset ? CloseReason::reset : CloseReason::error, ec);
    return;
  }
  const bool hangup = events & (detail::kReadHangup | detail::kHangup);
  if ((events & kReadable || hangup) && (interest_ & kReadable)) {
    handle_read(hangup);
  } else if ((events & kWritable) && !transport_->plain() && (transport_->wants() & detail::Transport::kWantWrite) &&
             life_ == Life::open && read_stop_ == 0) {
    handle_read(false);  // A transport's read that must send first (a TLS read answering the peer).
  }
  if (life_ == Life::finalizing) return;
  // A transport may need the peer's bytes before it can write (wants() says so).
  if (out_.waiting_writable &&
      ((events & kWritable) || ((events & kReadable) && (transport_->wants() & detail::Transport::kWantRead)))) {
    send_output();
    if (life_ == Life::finalizing) return;
  }
  if (events & detail::kHangup) {
    // EPOLLHUP also comes when our writing side is shut down and the peer's FIN arrives,
    // with bytes still unread. While we read, keep reading them: level-triggered polls
    // report the hangup again, and edge-triggered reads drained up to end of file above.
    if ((interest_ & kReadable) && !input_ended()) return;
    if (!input_ended() && write_side_ == WriteSide::shut && life_ == Life::open && out_.empty()) {
      // We shut our side and the peer has finished too, but reading is paused with its
      // last bytes unread: they wait. EPOLLHUP cannot be masked (epoll_ctl(2)), so the
      // fd leaves the poller until reading resumes, instead of reporting it again and again.
      detail::LoopAccess(ctx_->loop).remove_io(fd_);
      interest_ = 0;
      parked_ = true;
      return;
    }
    // Both directions are gone: what is still queued can never be delivered.
    if (input_ended() && out_.empty()) {
      force_close(CloseReason::peer_closed, {});
    } else {
      force_close(CloseReason::reset, input_ended() ? std::error_code() : errno_code(ECONNRESET));
    }
    return;
  }
  // What a transport waits for changes with each call it serves (wants()); a stale
  // interest would report readiness nobody acts on, again and again.
  if (!transport_->plain() && life_ != Life::finalizing) update_interest();
}

void Conn::handle_read(bool hangup) {
  detail::ReadArea& ra = ctx_->read;
  const size_t limit = ctx_->options.max_outbound;
  if (ctx_->over_cap()) [[unlikely]] {
    read_stop_ |= kServerCap;
    update_interest();
    return;
  }
  if (raw_input_) [[unlikely]] {
    // The handler reads the socket itself (read_pipe): readiness is all it is told.
    dispatch_traffic();
    return;
  }
  do {
    size_t budget = ra.area.size();
    if (limit != 0) {
      // Reading less while output piles up keeps an echo-like handler within max_outbound
      // even when the peer never reads.
      size_t queued = out_.size();
      if (queued >= limit) {
        read_stop_ |= kBackpressure;
        update_interest();
        return;
      }
      budget = std::min(budget, limit - queued);
    }
    long n;
    size_t into_tail = 0;
    // Kept bytes are topped up in place: the tail block's free space is read into first.
    std::span<char> tail = in_.tail_space();
    iovec iov[2];
    if (tail.empty()) {
      iov[0] = {ra.area.data(), budget};
      n = detail::transport_read(*transport_, fd_, iov, 1);
    } else {
      into_tail = std::min(tail.size(), budget);
      iov[0] = {tail.data(), into_tail};
      iov[1] = {ra.area.data(), budget - into_tail};
      n = detail::transport_read(*transport_, fd_, iov, budget > into_tail ? 2 : 1);
    }
    if (n > 0) {
      size_t got = static_cast<size_t>(n);
      ctx_->stats.reads.add();
      ctx_->stats.bytes_in.add(got);
      size_t tail_part = std::min(got, into_tail);
      in_.received(tail_part, got - tail_part);
      beat_ = static_cast<uint8_t>((beat_ | detail::kBeatRead) & ~detail::kBeatReadDeadline);
      touch();
      dispatch_traffic();
      // Level-triggered: one read per event keeps loops fair, unless the transport holds
      // input the kernel will not report. Edge-triggered: drain, and after a hangup read
      // on to end of file: the FIN came with this edge, and a short read does not report it.
      if (!detail::LoopAccess(ctx_->loop).edge_triggered() || (got < budget && !hangup)) {
        if (!transport_->buffers_input() || !transport_->pending_input()) return;
      }
    } else if (n == 0) {
      ctx_->stats.reads.add();
      input_end();
      return;
    } else if (n == -EAGAIN || n == -EINTR) {
      return;
    } else {
      fail(n);
      return;
    }
  } while (life_ == Life::open && read_stop_ == 0 && !raw_input_);
}

// The peer closed its writing side. By default the connection closes once its output is
// flushed (netty's choice); with allow_half_open the handler hears of it through
// on_traffic and input_ended(), and closes when it is done writing.
void Conn::input_end() {
  read_stop_ |= kInputEnded;
  if (!ctx_->options.allow_half_open) {
    begin_close(CloseReason::peer_closed, {});
    return;
  }
  update_interest();
  dispatch_traffic();
  if (life_ == Life::open && write_side_ == WriteSide::shut) begin_close(CloseReason::peer_closed, {});
}

void Conn::dispatch_traffic() {
  in_traffic_ = true;
  call_user("on_traffic", [this] { ctx_->handler.on_traffic(*this); });
  in_traffic_ = false;
  const bool sent_direct = !ctx_->direct.empty() && send_direct();
  if (in_.settle(ctx_->read) && in_.kept() > ctx_->options.max_inbound && life_ != Life::finalizing) {
    WEFT_LOG(LogLevel::warn, "connection from %s left %zu bytes unconsumed (max_inbound %zu); closing it",
             remote_address().to_string().c_str(), in_.kept(), ctx_->options.max_inbound);
    force_close(CloseReason::error, make_error_code(Errc::inbound_overflow));
    return;
  }
  // An echo sent whole from the read area leaves nothing to flush: the output chain was
  // empty when it was written (see write()) and nothing was queued after it.
  if (sent_direct && out_.empty()) {
    out_.dirty = false;
    return;
  }
  // What on_traffic wrote leaves now, in one send, while its bytes are still in cache:
  // deferring every connection's output to the end of the batch touched a fresh block per
  // connection and cost several percent at high connection counts.
  if (out_.dirty && life_ != Life::finalizing) on_flush();
}

// Sends the bytes on_traffic wrote straight from the read area; true if all of them went.
// Whatever the kernel does not take is copied into the output chain and waits for
// writability like any other output.
bool Conn::send_direct() {
  std::string_view bytes = ctx_->direct;
  ctx_->direct = {};
  if (life_ == Life::finalizing) return false;  // Force-closed meanwhile: output is dropped.
  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  long n = detail::transport_write(*transport_, fd_, &iov, 1);
  ctx_->stats.writes.add();
  if (n < 0) {
    if (n != -EAGAIN && n != -EINTR) {
      fail(n);
      return false;
    }
    n = 0;
  }
  ctx_->stats.bytes_out.add(static_cast<uint64_t>(n));
  if (static_cast<size_t>(n) == bytes.size()) return true;
  out_.append(bytes.substr(static_cast<size_t>(n)));
  return false;
}

// Turns a pending direct view into ordinary output, before anything else is queued or the
// output is inspected, so order and accounting stay those of the chain.
void Conn::materialize_direct() {
  if (!in_traffic_ || ctx_->direct.empty()) return;
  out_.append(ctx_->direct);
  ctx_->direct = {};
}

InputView Conn::inbound() {
  WEFT_CONN_ASSERT_LOOP("Conn::inbound");
  return in_.view(ctx_->read);
}

std::string_view Conn::inbound_front() {
  WEFT_CONN_ASSERT_LOOP("Conn::inbound_front");
  return in_.front(ctx_->read);
}

std::string_view Conn::peek(size_t n) {
  WEFT_CONN_ASSERT_LOOP("Conn::peek");
  return in_.peek(n, ctx_->read);
}

size_t Conn::discard(size_t n) {
  WEFT_CONN_ASSERT_LOOP("Conn::discard");
  return in_.consume(n);
}

// Bytes this connection holds in buffers: its kept input and its queued output.
size_t Conn::held_bytes() const {
  return in_.kept() + out_.size();
}

void Conn::resume_after_cap() {
  if (!(read_stop_ & kServerCap)) return;
  read_stop_ &= static_cast<uint8_t>(~kServerCap);
  update_interest();
}

void Conn::pause_reading() {
  WEFT_CONN_ASSERT_LOOP("Conn::pause_reading");
  if (read_stop_ & kByHandler) return;
  read_stop_ |= kByHandler;
  update_interest();
}

bool Conn::set_raw_input(bool on) {
  WEFT_CONN_ASSERT_LOOP("Conn::set_raw_input");
  if (on && (!transport_->plain() || in_.size() != 0)) return false;
  raw_input_ = on;
  return true;
}

bool Conn::can_splice() const {
  return transport_->plain();
}

std::error_code Conn::read_pipe(int pipe, size_t max, size_t& moved) {
  WEFT_CONN_ASSERT_LOOP("Conn::read_pipe");
  moved = 0;
  if (!raw_input_ || life_ != Life::open || input_ended()) return make_error_code(Errc::closed);
  ssize_t n = ::splice(fd_, nullptr, pipe, nullptr, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n > 0) {
    moved = static_cast<size_t>(n);
    ctx_->stats.reads.add();
    ctx_->stats.bytes_in.add(moved);
    beat_ = static_cast<uint8_t>((beat_ | detail::kBeatRead) & ~detail::kBeatReadDeadline);
    touch();
    return detail::kNoError;
  }
  if (n == 0) {
    // As input_end(), but the handler hears of it from this call, not from on_traffic.
    ctx_->stats.reads.add();
    read_stop_ |= kInputEnded;
    update_interest();
    if (!ctx_->options.allow_half_open || write_side_ == WriteSide::shut) begin_close(CloseReason::peer_closed, {});
    return make_error_code(Errc::end_of_input);
  }
  const int e = errno;
  if (e == EAGAIN || e == EINTR) return std::make_error_code(std::errc::resource_unavailable_try_again);
  fail(-e);
  return {e, std::system_category()};
}

void Conn::resume_reading() {
  WEFT_CONN_ASSERT_LOOP("Conn::resume_reading");
  if (!(read_stop_ & kByHandler)) return;
  read_stop_ &= static_cast<uint8_t>(~kByHandler);
  update_interest();
}

void Conn::update_interest() {
  if (life_ == Life::finalizing) return;
  uint32_t want = 0;
  if (handshaking_) {
    if (life_ == Life::connecting) return;  // The dialer watches the fd until it is connected.
    want = kReadable;
  } else if (life_ == Life::lingering || (life_ == Life::open && read_stop_ == 0)) {
    want = kReadable;
  }
  if (out_.waiting_writable) want |= kWritable;
  uint8_t extra = transport_->wants();
  if (extra & detail::Transport::kWantRead) want |= kReadable;
  if (extra & detail::Transport::kWantWrite) want |= kWritable;
  if (parked_) {
    if (want == 0) return;
    parked_ = false;
    interest_ = static_cast<uint8_t>(want);
    if (std::error_code ec = detail::LoopAccess(ctx_->loop).add_io(fd_, want, this))
      force_close(CloseReason::error, ec);
    return;
  }
  if (want != interest_) {
    const bool resumed = (want & kReadable) && !(interest_ & kReadable);
    interest_ = static_cast<uint8_t>(want);
    if (std::error_code ec = detail::LoopAccess(ctx_->loop).modify_io(fd_, want, this)) {
      force_close(CloseReason::error, ec);
      return;
    }
    // Input a transport holds (decrypted TLS records) is invisible to the poller: when
    // reading resumes with some waiting there, a posted task reads it.
    if (resumed && transport_->buffers_input() && life_ == Life::open && read_stop_ == 0 && !handshaking_ &&
        transport_->pending_input()) {
      handle().post([](Conn& c) {
        if (c.life_ == Life::open && c.read_stop_ == 0 && c.transport_->pending_input()) c.handle_read(false);
      });
    }
  }
  check_state();
}

// Debug builds check the legal combinations of the connection's states (see conn.h).
void Conn::check_state() const {
#ifndef NDEBUG
  if (life_ == Life::lingering) {
    assert(write_side_ == WriteSide::shut && out_.empty() && "a lingering connection has sent everything");
  }
  if (life_ == Life::open && read_stop_ != 0 && !out_.waiting_writable && transport_->wants() == 0) {
    assert(!(interest_ & kReadable) && "reading is off, so the connection must not watch for input");
  }
  if (life_ == Life::closing && !handshaking_ && transport_->wants() == 0) {
    assert(!(interest_ & kReadable) && "a closing connection reads nothing for its handler");
  }
#endif
}

void Conn::set_read_deadline(Duration timeout) {
  ctx_->set_deadline(*this, true, timeout);
}

void Conn::set_write_deadline(Duration timeout) {
  ctx_->set_deadline(*this, false, timeout);
}

void Conn::touch() {
  if (ctx_->options.idle_timeout > Duration::zero()) ctx_->idle_touch(*this, ctx_->loop.now());
}

}  // namespace weft
