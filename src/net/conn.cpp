#include "weft/net/conn.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "core/socket.h"
#include "core/syscall.h"
#include "net/loop_context.h"
#include "net/send_tracker.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"

namespace weft {

using detail::kReadable;
using detail::kWritable;

namespace {

constexpr int kMaxIov = 64;

std::error_code errno_code(int e) { return {e, std::system_category()}; }

// The contiguous run of buffer's bytes that starts `skip` bytes in (skip < buffer.size()):
// it ends with the block it starts in. segs is scratch space.
std::string_view run_after(const Buffer& buffer, size_t skip, std::vector<std::string_view>& segs) {
  segs.clear();
  buffer.segments(segs);
  for (std::string_view s : segs) {
    if (skip < s.size()) return s.substr(skip);
    skip -= s.size();
  }
  return {};
}

}  // namespace

// Runs a user callback; an exception closes the connection instead of escaping the loop.
template <class F>
void Conn::call_user(const char* callback, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    handler_threw(callback, e.what());
  } catch (...) {
    handler_threw(callback, "non-standard exception");
  }
}

Conn::Conn(detail::LoopContext& ctx, int fd, uint32_t slot, uint32_t generation, const Address& remote)
    : ctx_(&ctx),
      fd_(fd),
      slot_(slot),
      generation_(generation),
      in_(ctx.loop.pool()),
      out_(ctx.loop.pool()) {
  if (remote.family() == AF_INET || remote.family() == AF_INET6) {
    std::memcpy(&remote_, remote.sockaddr_ptr(), remote.length());
  } else {
    remote_.sa.sa_family = static_cast<sa_family_t>(remote.family());
  }
}

Conn::~Conn() { delete tracker_; }

Address Conn::local_address() const { return detail::local_address(fd_); }

Address Conn::remote_address() const {
  if (remote_.sa.sa_family == AF_INET) return Address::from_sockaddr(&remote_.sa, sizeof remote_.v4);
  if (remote_.sa.sa_family == AF_INET6) return Address::from_sockaddr(&remote_.sa, sizeof remote_.v6);
  return detail::peer_address(fd_);
}

EventLoop& Conn::loop() const { return ctx_->loop; }

ConnHandle Conn::handle() const { return ConnHandle(&ctx_->table, slot_, generation_); }

void Conn::handler_threw(const char* callback, const char* what) {
  WEFT_LOG(LogLevel::error, "%s threw on connection from %s: %s; closing it", callback,
           remote_address().to_string().c_str(), what);
  force_close(CloseReason::error, make_error_code(Errc::handler_error));
}

void Conn::open() {
  interest_ = kReadable;
  ctx_->loop.add_io(fd_, interest_, this);
  touch();
  call_user("on_open", [this] { ctx_->handler.on_open(*this); });
}

// --- reading ---------------------------------------------------------------------------

void Conn::on_io(uint32_t events) {
  if (finalizing_) return;  // Closed earlier in this batch; the event is stale.
  if (events & detail::kError) {
    std::error_code ec = detail::socket_error(fd_);
    bool reset = ec == std::errc::connection_reset || ec == std::errc::broken_pipe;
    force_close(reset ? CloseReason::reset : CloseReason::error, ec);
    return;
  }
  const bool hangup = events & (detail::kReadHangup | detail::kHangup);
  if ((events & kReadable || hangup) && (interest_ & kReadable)) handle_read(hangup);
  if (finalizing_) return;
  if ((events & kWritable) && waiting_writable_) {
    flush();
    if (finalizing_) return;
  }
  if (events & detail::kHangup) {
    // EPOLLHUP also comes when our writing side is shut down and the peer's FIN arrives,
    // with bytes still unread. While we read, keep reading them: level-triggered polls
    // report the hangup again, and edge-triggered reads drained up to end of file above.
    if ((interest_ & kReadable) && !read_closed_) return;
    // Both directions are gone: what is still queued can never be delivered.
    force_close(read_closed_ && out_.empty() ? CloseReason::peer_closed : CloseReason::reset,
                read_closed_ ? std::error_code() : errno_code(ECONNRESET));
  }
}

void Conn::handle_read(bool hangup) {
  std::span<char> scratch = ctx_->loop.read_scratch();
  const size_t limit = ctx_->options.max_outbound;
  do {
    size_t budget = scratch.size();
    if (limit != 0) {
      // Reading less while output piles up keeps an echo-like handler within max_outbound
      // even when the peer never reads.
      if (out_.size() >= limit) {
        read_paused_ = true;
        update_interest();
        return;
      }
      budget = std::min(budget, limit - out_.size());
    }
    long n;
    size_t into_tail = 0;
    // Kept bytes are topped up in place: the tail block's free space is read into first.
    std::span<char> tail = in_.empty() ? std::span<char>() : in_.tail_space();
    if (tail.empty()) {
      n = detail::sys::read(fd_, scratch.data(), budget);
    } else {
      into_tail = std::min(tail.size(), budget);
      iovec iov[2] = {{tail.data(), into_tail}, {scratch.data(), budget - into_tail}};
      n = detail::sys::readv(fd_, iov, budget > into_tail ? 2 : 1);
    }
    if (n > 0) {
      size_t got = static_cast<size_t>(n);
      size_t tail_part = std::min(got, into_tail);
      if (tail_part != 0) in_.commit(tail_part);
      fresh_ = std::string_view(scratch.data(), got - tail_part);
      touch();
      dispatch_traffic();
      // Level-triggered: one read per event keeps loops fair. Edge-triggered: drain, and
      // after a hangup read on to end of file: the FIN came with this edge, and a short
      // read does not report it.
      if (!ctx_->loop.edge_triggered() || (got < budget && !hangup)) return;
    } else if (n == 0) {
      read_closed_ = true;
      begin_close(CloseReason::peer_closed, {});
      return;
    } else if (n == -EAGAIN || n == -EINTR) {
      return;
    } else {
      int e = static_cast<int>(-n);
      force_close(e == ECONNRESET ? CloseReason::reset : CloseReason::error, errno_code(e));
      return;
    }
  } while (!closing_ && !finalizing_ && !user_paused_);
}

void Conn::dispatch_traffic() {
  in_traffic_ = true;
  call_user("on_traffic", [this] { ctx_->handler.on_traffic(*this); });
  in_traffic_ = false;
  const bool sent_direct = !ctx_->direct.empty() && send_direct();
  if (in_.empty() && consumed_ >= fresh_.size()) {  // All consumed: the usual case.
    fresh_ = {};
    consumed_ = 0;
  } else {
    settle_inbound();
  }
  // An echo sent whole from the read area leaves nothing to flush: the output chain was
  // empty when it was written (see write()) and nothing was queued after it.
  if (sent_direct && out_.empty()) {
    dirty_ = false;
    return;
  }
  // What on_traffic wrote leaves now, in one send, while its bytes are still in cache:
  // deferring every connection's output to the end of the batch touched a fresh block per
  // connection and cost several percent at high connection counts.
  if (dirty_ && !finalizing_) on_flush();
}

// Sends the bytes on_traffic wrote straight from the read area; true if all of them went.
// Whatever the kernel does not take is copied into the output chain and waits for
// writability like any other output.
bool Conn::send_direct() {
  std::string_view bytes = ctx_->direct;
  ctx_->direct = {};
  if (finalizing_) return false;  // Force-closed meanwhile: output is dropped, as for the chain.
  long n = detail::sys::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0) {
    if (n != -EAGAIN && n != -EINTR) {
      int e = static_cast<int>(-n);
      force_close(e == EPIPE || e == ECONNRESET ? CloseReason::reset : CloseReason::error, errno_code(e));
      return false;
    }
    n = 0;
  }
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

Buffer& Conn::output() {
  materialize_direct();
  return out_;
}

size_t Conn::outbound_size() const { return out_.size() + (in_traffic_ ? ctx_->direct.size() : 0); }

// Keeps what on_traffic left unconsumed: the read area is reused by the next read.
void Conn::settle_inbound() {
  if (consumed_ >= in_.size()) {
    size_t from_fresh = consumed_ - in_.size();
    in_.clear();
    if (from_fresh < fresh_.size()) in_.append(fresh_.substr(from_fresh));
  } else {
    in_.consume(consumed_);
    if (!fresh_.empty()) in_.append(fresh_);
  }
  fresh_ = {};
  consumed_ = 0;
  if (in_.size() > ctx_->options.max_inbound && !finalizing_) {
    WEFT_LOG(LogLevel::warn, "connection from %s left %zu bytes unconsumed (max_inbound %zu); closing it",
             remote_address().to_string().c_str(), in_.size(), ctx_->options.max_inbound);
    force_close(CloseReason::error, make_error_code(Errc::inbound_overflow));
  }
}

InputView Conn::inbound() {
  if (in_.empty()) return InputView(fresh_.substr(std::min(consumed_, fresh_.size())));
  std::vector<std::string_view>& segs = ctx_->segments;
  segs.clear();
  in_.segments(segs);
  if (!fresh_.empty()) segs.push_back(fresh_);
  return InputView(std::span<const std::string_view>(segs)).subview(consumed_);
}

std::string_view Conn::inbound_front() {
  if (consumed_ >= in_.size()) {  // Everything unconsumed is in the read area: the usual case.
    size_t at = consumed_ - in_.size();
    return {fresh_.data() + at, fresh_.size() - at};
  }
  return run_after(in_, consumed_, ctx_->segments);
}

std::string_view Conn::peek(size_t n) {
  n = std::min(n, inbound_size());
  std::string_view front = inbound_front();
  if (n <= front.size()) return {front.data(), n};
  // The range spans blocks, or blocks and the read area: it is copied into one piece.
  std::string& linear = ctx_->linear;
  linear.resize(n);
  inbound().copy_to(0, n, linear.data());
  return {linear.data(), n};
}

std::string_view Conn::read(size_t n) {
  std::string_view v = peek(n);
  consumed_ += v.size();  // Applied after the callback, so v stays valid until then.
  return v;
}

size_t Conn::discard(size_t n) {
  n = std::min(n, inbound_size());
  consumed_ += n;
  return n;
}

void Conn::pause_reading() {
  if (user_paused_) return;
  user_paused_ = true;
  update_interest();
}

void Conn::resume_reading() {
  if (!user_paused_) return;
  user_paused_ = false;
  update_interest();
}

// --- writing ---------------------------------------------------------------------------

std::error_code Conn::write(std::string_view bytes) {
  if (closing_ || shut_write_requested_) return make_error_code(Errc::closed);
  if (bytes.empty()) return detail::kNoError;
  // Echoing what just arrived: keep a view and send it from the read area when on_traffic
  // returns, saving the copy into the chain. Views handed out of the read area all lie
  // within this read's fresh bytes.
  if (in_traffic_ && out_.empty() && !waiting_writable_ && ctx_->direct.empty() &&
      bytes.data() >= fresh_.data() && bytes.data() + bytes.size() <= fresh_.data() + fresh_.size()) {
    ctx_->direct = bytes;
    dirty_ = true;
    return detail::kNoError;
  }
  materialize_direct();
  out_.append(bytes);
  mark_dirty();
  return detail::kNoError;
}

std::error_code Conn::writev(std::span<const std::string_view> parts) {
  if (closing_ || shut_write_requested_) return make_error_code(Errc::closed);
  materialize_direct();
  for (std::string_view p : parts) {
    out_.append(p);
  }
  mark_dirty();
  return {};
}

std::error_code Conn::commit_output() {
  if (closing_ || shut_write_requested_) return make_error_code(Errc::closed);
  mark_dirty();
  return {};
}

void Conn::queue_send(std::string_view bytes, ConnHandle::Done& done) {
  std::error_code ec = write(bytes);
  if (!done) return;
  if (ec) {
    done(ec);
    return;
  }
  if (tracker_ == nullptr) tracker_ = new detail::SendTracker();
  tracker_->add(out_.size(), std::move(done));
}

void Conn::mark_dirty() {
  if (dirty_ || out_.empty()) return;
  dirty_ = true;
  // Output written during this connection's own on_traffic is flushed when that returns
  // (dispatch_traffic); anything else waits for the loop's flush phase.
  if (!in_traffic_) ctx_->loop.mark_dirty(this);
}

void Conn::on_flush() {
  dirty_ = false;
  if (finalizing_) return;
  if (waiting_writable_) {
    // The rest goes out on writability, but the output may have grown past the high water
    // mark meanwhile: a peer that never reads must still be reported.
    check_water_marks();
    return;
  }
  flush();
}

void Conn::flush() {
  while (!out_.empty()) {
    // MSG_NOSIGNAL: a peer that has gone away yields EPIPE, never SIGPIPE. Output in one
    // block goes through send(), which spares the kernel importing an iovec array.
    ssize_t n;
    size_t requested;
    std::string_view front = out_.front();
    if (front.size() == out_.size()) {
      requested = front.size();
      n = detail::sys::send(fd_, front.data(), front.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
      iovec iov[kMaxIov];
      int count = out_.fill_iovec(iov, kMaxIov);
      requested = 0;
      for (int i = 0; i < count; ++i) requested += iov[i].iov_len;
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(count);
      n = detail::sys::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    if (n >= 0) {
      out_.consume(static_cast<size_t>(n));
      if (tracker_ != nullptr) tracker_->sent(static_cast<size_t>(n));
      if (static_cast<size_t>(n) < requested) break;  // The socket buffer is full.
      continue;
    }
    if (n == -EINTR) continue;
    if (n == -EAGAIN) break;
    int e = static_cast<int>(-n);
    force_close(e == EPIPE || e == ECONNRESET ? CloseReason::reset : CloseReason::error, errno_code(e));
    return;
  }
  touch();
  if (tracker_ != nullptr) tracker_->complete();
  after_drain();
}

void Conn::after_drain() {
  // Everything sent and nothing to undo: the usual outcome of a flush.
  if (out_.empty() && !waiting_writable_ && !read_paused_ && !high_water_ && !shut_write_requested_ && !closing_) {
    return;
  }
  const ServerOptions& o = ctx_->options;
  bool pending = !out_.empty();
  bool resume_reading = read_paused_ && out_.size() <= o.low_water_mark;
  if (resume_reading) read_paused_ = false;
  if (pending != waiting_writable_ || resume_reading) {
    waiting_writable_ = pending;
    update_interest();
  }
  check_water_marks();
  if (!out_.empty() || finalizing_) return;
  if (shut_write_requested_ && !write_shut_) {
    ::shutdown(fd_, SHUT_WR);
    write_shut_ = true;
  }
  if (closing_) schedule_finalize();
}

void Conn::check_water_marks() {
  const ServerOptions& o = ctx_->options;
  if (!high_water_ && out_.size() > o.high_water_mark) {
    high_water_ = true;
    call_user("on_high_water", [this] { ctx_->handler.on_high_water(*this); });
  } else if (high_water_ && out_.size() <= o.low_water_mark) {
    high_water_ = false;
    call_user("on_low_water", [this] { ctx_->handler.on_low_water(*this); });
  }
}

void Conn::update_interest() {
  if (finalizing_) return;
  uint32_t want = 0;
  if (!closing_ && !read_paused_ && !user_paused_ && !read_closed_) want |= kReadable;
  if (waiting_writable_) want |= kWritable;
  if (want != interest_) {
    interest_ = want;
    ctx_->loop.modify_io(fd_, want, this);
  }
}

// --- closing ---------------------------------------------------------------------------

void Conn::close() { begin_close(CloseReason::local, {}); }

void Conn::close(std::error_code error) { begin_close(error ? CloseReason::error : CloseReason::local, error); }

void Conn::shutdown_write() {
  if (closing_ || shut_write_requested_) return;
  materialize_direct();
  shut_write_requested_ = true;
  if (out_.empty()) {
    ::shutdown(fd_, SHUT_WR);
    write_shut_ = true;
  }
}

void Conn::begin_close(CloseReason reason, std::error_code error) {
  if (closing_) return;
  materialize_direct();
  closing_ = true;
  reason_ = reason;
  error_ = error;
  update_interest();
  if (out_.empty()) {
    schedule_finalize();
  } else if (!waiting_writable_) {
    mark_dirty();
  }
}

void Conn::begin_shutdown() {
  if (closing_) return;
  begin_close(CloseReason::shutdown, make_error_code(Errc::shutdown));
}

void Conn::force_close(CloseReason reason, std::error_code error) {
  if (finalizing_) return;
  if (!closing_ || reason_ == CloseReason::local || reason_ == CloseReason::peer_closed) {
    // A failure while closing gracefully is the more useful reason to report.
    if (!closing_ || reason == CloseReason::reset || reason == CloseReason::error || reason == CloseReason::idle ||
        reason == CloseReason::shutdown) {
      reason_ = reason;
      error_ = error;
    }
  }
  closing_ = true;
  schedule_finalize();
}

void Conn::schedule_finalize() {
  if (finalizing_) return;
  finalizing_ = true;
  ctx_->loop.defer_finalize(this);
}

void Conn::on_finalize() {
  ctx_->loop.remove_io(fd_);
  ctx_->idle_remove(*this);
  ctx_->table.release(slot_);
  call_user("on_close", [this] { ctx_->handler.on_close(*this, reason_, error_); });
  attachment_.reset();
  if (tracker_ != nullptr) {
    tracker_->complete();
    tracker_->fail_all(make_error_code(reason_ == CloseReason::shutdown ? Errc::shutdown : Errc::closed));
  }
  ::close(fd_);
  detail::LoopContext* ctx = ctx_;
  delete this;
  ctx->connection_closed();
}

void Conn::touch() {
  if (ctx_->options.idle_timeout > Duration::zero()) ctx_->idle_touch(*this, ctx_->loop.now());
}


}  // namespace weft
