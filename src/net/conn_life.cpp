// A connection's life apart from its I/O (conn.cpp): opening (the transport's handshake,
// then on_open), and closing (close, abort and shutdown_write; the close reason; lingering
// until the peer's end of file; finalizing, which tells the handler and frees the slot).

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "core/error_categories.h"
#include "net/conn_guard.h"
#include "net/dialer.h"
#include "net/loop_context.h"
#include "transport/io.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/error.h"
#include "weft/net/conn.h"

namespace weft {

namespace {

// Which close reason a connection reports when several happen: a later one replaces the
// first only if it ranks higher. A failure outranks a graceful end; among failures, the
// first is the cause.
constexpr uint8_t rank(CloseReason r) {
  switch (r) {
    case CloseReason::peer_closed:
    case CloseReason::local:
      return 0;
    case CloseReason::idle:
    case CloseReason::shutdown:
    case CloseReason::reset:
    case CloseReason::error:
    case CloseReason::overflow:
    case CloseReason::heartbeat:
    case CloseReason::deadline:
      return 1;
  }
  return 1;
}

bool is_reset(long rc) { return rc == -ECONNRESET || rc == -EPIPE; }

}  // namespace

// --- opening ---------------------------------------------------------------------------

std::error_code Conn::open() {
  interest_ = detail::kReadable;
  if (std::error_code ec = detail::LoopAccess(ctx_->loop).add_io(fd_, interest_, this)) {
    interest_ = 0;
    return ec;
  }
  handshaking_ = true;
  handshake();
  return {};
}

// A dialed connection's connect has finished (its fd is watched by the dialer so far): it
// opens as an accepted one does.
void Conn::connected() {
  life_ = Life::open;
  touch();
  handshake();
}

// Runs the transport's handshake until it is done, then tells the handler. A connection
// whose handshake fails closes without on_open, and so without on_close.
// Until then it is on its loop's handshake list, which closes it at the deadline.
void Conn::handshake() {
  long rc = transport_->handshake(fd_);
  if (rc == -EAGAIN) {
    ctx_->handshake_add(*this);
    update_interest();
    return;
  }
  if (rc < 0) {
    fail(rc);
    return;
  }
  ctx_->handshake_remove(*this);
  handshaking_ = false;
  touch();
  update_interest();
  if (ctx_->dialer != nullptr) {
    ctx_->dialer->opened(*this);  // Calls on_open, then completes the dial.
    return;
  }
  call_user("on_open", [this] { ctx_->handler.on_open(*this); });
  // Bytes that came with the end of the handshake may wait, decrypted, in the transport,
  // where the poller cannot see them.
  if (life_ == Life::open && read_stop_ == 0 && transport_->buffers_input() && transport_->pending_input()) {
    handle_read(false);
  }
}

// --- closing ---------------------------------------------------------------------------

void Conn::close() {
  WEFT_CONN_ASSERT_LOOP("Conn::close");
  begin_close(CloseReason::local, {});
}

void Conn::close(std::error_code error) {
  WEFT_CONN_ASSERT_LOOP("Conn::close");
  begin_close(error ? CloseReason::error : CloseReason::local, error);
}

void Conn::abort() {
  WEFT_CONN_ASSERT_LOOP("Conn::abort");
  if (life_ == Life::finalizing) return;
  aborted_ = true;
  if (in_traffic_) ctx_->direct = {};
  out_.clear();
  force_close(CloseReason::local, {});
}

void Conn::shutdown_write() {
  WEFT_CONN_ASSERT_LOOP("Conn::shutdown_write");
  if (!writable()) return;
  materialize_direct();
  write_side_ = WriteSide::shutdown_requested;
  if (out_.empty()) after_drain();  // Otherwise the flush that empties the output shuts it.
}

void Conn::set_reason(CloseReason reason, std::error_code error) {
  reason_ = reason;
  error_category_ = error ? detail::category_index(error.category()) : 0;
  error_value_ = error.value();
}

std::error_code Conn::error() const {
  return error_category_ != 0 ? std::error_code(error_value_, detail::category_at(error_category_)) : std::error_code();
}

void Conn::begin_close(CloseReason reason, std::error_code error) {
  if (life_ != Life::open) {
    if (life_ == Life::connecting) force_close(reason, error ? error : std::make_error_code(std::errc::operation_canceled));
    return;
  }
  materialize_direct();
  life_ = Life::closing;
  set_reason(reason, error);
  update_interest();
  if (out_.empty()) {
    finish_close();
  } else if (!out_.waiting_writable) {
    mark_dirty();
  }
}

// The server stops: reading ends at once; the handler may say goodbye, and either lets the
// connection close once flushed or keeps it to finish work in flight.
void Conn::begin_shutdown() {
  if (life_ != Life::open) {
    if (life_ == Life::connecting) force_close(CloseReason::shutdown, make_error_code(Errc::shutdown));
    return;
  }
  if (handshaking_) {  // Never opened for the handler: it closes without a word.
    force_close(CloseReason::shutdown, make_error_code(Errc::shutdown));
    return;
  }
  bool close_now = true;
  call_user("on_stopping", [&] { close_now = ctx_->handler.on_stopping(*this); });
  // A connection the handler finishes itself keeps reading: the rest of a request still
  // arriving, or the peer's end of file, is part of finishing it.
  if (!close_now || life_ != Life::open) return;
  read_stop_ |= kStopping;
  update_interest();
  begin_close(CloseReason::shutdown, make_error_code(Errc::shutdown));
}

// Everything queued has been sent. If the peer may still be sending, linger: shut our
// writing side and read and discard until its end of file, so that the kernel does not
// answer its late bytes with a reset that would destroy what we sent (RFC 9112 9.6 and
// nginx's lingering close). Otherwise close now.
void Conn::finish_close() {
  if (life_ == Life::finalizing) return;
  if (input_ended() || handshaking_ || ctx_->options.linger_timeout <= Duration::zero()) {
    schedule_finalize();
    return;
  }
  if (write_side_ != WriteSide::shut) {
    write_side_ = WriteSide::shut;
    if (long rc = transport_->shutdown_write(fd_); rc < 0) {
      schedule_finalize();  // The socket is gone already: nothing to protect.
      return;
    }
  }
  life_ = Life::lingering;
  ctx_->linger_add(*this);
  update_interest();
}

// Reads and discards what a lingering connection's peer still sends, until its end of file.
void Conn::linger_read() {
  in_.clear(ctx_->read);  // Not earlier: views handed out before close() stay valid until now.
  std::span<char> area = ctx_->read.area;
  for (int i = 0; i < 4; ++i) {
    iovec iov{area.data(), area.size()};
    long n = detail::transport_read(*transport_, fd_, &iov, 1);
    if (n > 0) continue;
    if (n == -EAGAIN || n == -EINTR) return;
    ctx_->linger_remove(*this);
    schedule_finalize();  // End of file, or the socket failed: either way we are done.
    return;
  }
}

void Conn::fail(long rc) {
  std::error_code ec = transport_->failure(rc);
  force_close(is_reset(rc) ? CloseReason::reset : CloseReason::error, ec);
}

void Conn::force_close(CloseReason reason, std::error_code error) {
  if (life_ == Life::finalizing) return;
  if (life_ <= Life::open || rank(reason) > rank(reason_)) set_reason(reason, error);
  schedule_finalize();
}

void Conn::schedule_finalize() {
  if (life_ == Life::finalizing) return;
  // The connection leaves its timing list (idle, lingering, connecting or handshaking) now.
  ctx_->unlist(*this);
  life_ = Life::finalizing;
  detail::LoopAccess(ctx_->loop).defer_finalize(this);
}

void Conn::on_finalize() {
  ctx_->stats.closed[static_cast<size_t>(reason_)].add();
  if (fd_ >= 0) detail::LoopAccess(ctx_->loop).remove_io(fd_);  // A dial that failed while resolving has no fd.
  if (beat_ & detail::kBeatDeadlines) ctx_->clear_deadlines(*this);
  ctx_->table.retire(slot_);
  if (!handshaking_) {
    call_user("on_close", [this] { ctx_->handler.on_close(*this, reason_, error()); });
  } else if (ctx_->dialer != nullptr) {
    ctx_->dialer->failed(*this, error());  // Never opened: the dial reports why.
  }
  attachment_.reset();
  out_.fail_tracked(make_error_code(reason_ == CloseReason::shutdown   ? Errc::shutdown
                                    : reason_ == CloseReason::overflow ? Errc::outbound_overflow
                                                                       : Errc::closed));
  out_.clear();
  in_.clear(ctx_->read);
  if (fd_ < 0) {
    // A dial that failed while resolving: no socket to say goodbye on.
  } else if (aborted_) {
    // SO_LINGER with a zero timeout makes close(2) send a reset and drop unsent data.
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  } else if (reason_ != CloseReason::reset) {
    transport_->goodbye(fd_);
  }
  transport_->release();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  // The object lives in its table slot: destroyed in place, then the slot is freed.
  detail::LoopContext* ctx = ctx_;
  uint32_t slot = slot_;
  this->~Conn();
  ctx->table.release(slot);
  ctx->connection_closed();
}

}  // namespace weft
