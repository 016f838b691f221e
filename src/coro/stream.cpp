#include "weft/coro/stream.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <string>

#include "coro/stream_state.h"
#include "weft/core/error.h"
#include "weft/net/conn.h"

namespace weft {
namespace detail {
namespace {

std::error_code closed_error() {
  return make_error_code(Errc::closed);
}

// Why a read that found too little can never complete: the peer's end of file (every byte
// before it was read) or the connection closing; nothing when more input may come.
std::error_code read_end(const Conn& conn) {
  if (conn.input_ended()) return make_error_code(Errc::end_of_input);
  if (conn.closing()) return closed_error();
  return {};
}

// Where read_frame copies a payload that spans blocks; one per loop thread.
thread_local std::string t_frame_scratch;

}  // namespace

// --- StreamOp --------------------------------------------------------------------------

StreamOp::StreamOp(StreamOp&& other) noexcept
    : Waiter(other), state_(other.state_), ec_(other.ec_), try_(other.try_), side_(other.side_) {}

// Only a coroutine destroyed while suspended here (a forced stop) gets this far.
void StreamOp::leave() {
  if (registered_) {
    state_->slot(side_ == Side::write) = nullptr;
    if (side_ == Side::write) state_->writer_left();
  }
  unwatch();
}

// The Stream method that made this operation, for the thread assert's message.
const char* StreamOp::call_name() const {
  if (side_ == Side::write) return "Stream::write";
  if (try_ == &ReadSomeOp::try_read || try_ == &ReadViewOp::try_read) return "Stream::read_some";
  if (try_ == &ReadExactOp::try_read || try_ == &ReadExactViewOp::try_read) return "Stream::read_exact";
  if (try_ == &ReadUntilOp::try_read) return "Stream::read_until";
  return "Stream::read_frame";
}

bool StreamOp::start() {
#ifndef NDEBUG
  if (state_ != nullptr) state_->assert_loop_thread(call_name());
#endif
  if (state_ == nullptr || !state_->usable()) {
    ec_ = closed_error();
    return true;
  }
  if (state_->slot(side_ == Side::write) != nullptr) {
    ec_ = std::make_error_code(std::errc::operation_in_progress);
    return true;
  }
  Conn& conn = *state_->conn();
  if (try_(this, conn)) return true;
  if (side_ == Side::read) {
    if (std::error_code end = read_end(conn)) {  // No more input will come.
      ec_ = end;
      return true;
    }
  } else if (conn.closing()) {
    ec_ = closed_error();
    return true;
  }
  return false;
}

bool StreamOp::suspend(std::coroutine_handle<> h, CoroContext* ctx) {
  if (ctx != nullptr && ctx->cancelled) {
    ec_ = closed_error();
    return false;
  }
  handle_ = h;
  state_->slot(side_ == Side::write) = this;
  registered_ = true;
  watch(ctx);
  if (side_ == Side::read) {
    state_->reader_waiting();
  } else {
    state_->writer_waiting();
  }
  return true;
}

void StreamOp::complete() {
  if (registered_) {
    registered_ = false;
    state_->slot(side_ == Side::write) = nullptr;
    if (side_ == Side::write) state_->writer_left();
  }
  unwatch();
  handle_.resume();
}

void StreamOp::cancel_op(Waiter* self, std::error_code error) {
  auto* op = static_cast<StreamOp*>(self);
  op->ec_ = error;
  op->complete();
}

// --- reads -----------------------------------------------------------------------------

bool ReadSomeOp::try_read(StreamOp* self, Conn& conn) {
  auto* op = static_cast<ReadSomeOp*>(self);
  if (op->buffer_.empty()) return true;
  size_t take = std::min(conn.inbound_size(), op->buffer_.size());
  if (take == 0) return false;
  conn.inbound().copy_to(0, take, op->buffer_.data());
  conn.discard(take);
  op->n_ = take;
  return true;
}

bool ReadViewOp::try_read(StreamOp* self, Conn& conn) {
  auto* op = static_cast<ReadViewOp*>(self);
  std::string_view run = conn.inbound_front();
  if (run.empty()) return false;
  conn.discard(run.size());
  op->view_ = run;
  return true;
}

bool ReadExactOp::try_read(StreamOp* self, Conn& conn) {
  auto* op = static_cast<ReadExactOp*>(self);
  size_t take = std::min(conn.inbound_size(), op->buffer_.size() - op->filled_);
  if (take > 0) {
    conn.inbound().copy_to(0, take, op->buffer_.data() + op->filled_);
    conn.discard(take);
    op->filled_ += take;
  }
  return op->filled_ == op->buffer_.size();
}

bool ReadExactViewOp::try_read(StreamOp* self, Conn& conn) {
  auto* op = static_cast<ReadExactViewOp*>(self);
  if (op->n_ > op->state_->options().max_inbound) {
    op->ec_ = make_error_code(Errc::frame_too_long);
    return true;
  }
  if (conn.inbound_size() < op->n_) return false;
  op->view_ = conn.read(op->n_);
  return true;
}

bool ReadUntilOp::try_read(StreamOp* self, Conn& conn) {
  auto* op = static_cast<ReadUntilOp*>(self);
  const std::string_view delim = op->delimiter_;
  if (delim.empty()) {
    op->ec_ = std::make_error_code(std::errc::invalid_argument);
    return true;
  }
  InputView in = conn.inbound();
  size_t at = delim.size() == 1 ? in.find(delim[0], op->scanned_) : in.find(delim, op->scanned_);
  if (at == InputView::npos) {
    if (in.size() > op->max_length_ + delim.size()) {
      op->ec_ = make_error_code(Errc::frame_too_long);
      return true;
    }
    // A delimiter may straddle what arrived and what comes next: rescan its width.
    op->scanned_ = in.size() >= delim.size() ? in.size() - delim.size() + 1 : 0;
    return false;
  }
  if (at > op->max_length_) {
    op->ec_ = make_error_code(Errc::frame_too_long);
    return true;
  }
  op->view_ = conn.read(at + delim.size());
  return true;
}

bool ReadFrameOp::try_read(StreamOp* self, Conn& conn) {
  auto* op = static_cast<ReadFrameOp*>(self);
  for (;;) {
    InputView in = conn.inbound();
    codec::Decoded d = op->decoder_->decode(in);
    switch (d.kind) {
      case codec::Decoded::Kind::need_more: return false;
      case codec::Decoded::Kind::frame:
        // The payload view stays valid after discard(): consumption is applied later.
        op->frame_ = {in.slice(d.payload_offset, d.payload_size, t_frame_scratch), d.type};
        conn.discard(d.consumed);
        return true;
      case codec::Decoded::Kind::skip:
        conn.discard(d.consumed);
        if (d.consumed == 0) return false;
        continue;
      case codec::Decoded::Kind::error:
        conn.discard(d.consumed);
        op->ec_ = d.error;
        return true;
    }
  }
}

// --- writes ----------------------------------------------------------------------------

bool WriteOp::await_ready() {
  if (state_ != nullptr) state_->assert_loop_thread("Stream::write");
  if (state_ == nullptr || !state_->usable()) {
    ec_ = closed_error();
    return true;
  }
  if (state_->slot(true) != nullptr) {
    ec_ = std::make_error_code(std::errc::operation_in_progress);
    return true;
  }
  Conn& conn = *state_->conn();
  ec_ = parts_.empty() ? conn.write(bytes_) : conn.writev(parts_);
  if (ec_) return true;
  return conn.outbound_size() <= state_->options().high_water_mark;
}

// --- StreamState -----------------------------------------------------------------------

void StreamState::attach(Conn& conn) {
  conn_ = &conn;
  loop_ = &conn.loop();
  conn.attach(std::unique_ptr<Conn::Attachment>(new StreamAttachment(*this)));
}

void StreamState::on_traffic(Conn& conn) {
  if (StreamOp* reader = reader_) {
    if (reader->try_(reader, conn)) {
      reader->complete();
    } else if (conn.input_ended()) {
      reader->ec_ = make_error_code(Errc::end_of_input);
      reader->complete();
    }
    return;
  }
  if (!paused_ && conn.inbound_size() > Stream::kPauseThreshold) {
    paused_ = true;
    conn.pause_reading();
  }
}

void StreamState::reader_waiting() {
  if (paused_ && conn_ != nullptr) {
    paused_ = false;
    conn_->resume_reading();
  }
}

void StreamState::writer_waiting() {
  // The connection enters its high-water state only when a flush leaves too much unsent
  // (then on_low_water follows). Until that flush has happened, check again after it: a
  // zero-delay timer fires in the next iteration, after this iteration's flush.
  if (high_water_) return;
  write_check_ = loop_->run_after(Duration::zero(), [this] {
    write_check_ = {};
    if (writer_ != nullptr && !high_water_) writer_->complete();
  });
}

void StreamState::writer_left() {
  if (write_check_) {
    loop_->cancel(write_check_);
    write_check_ = {};
  }
}

void StreamState::on_low_water() {
  high_water_ = false;
  if (writer_ != nullptr) writer_->complete();
}

// A server stop cancels the coroutines while their connections are still open (rule 4
// of coro_server.h): their operations fail with closed, and the reason reads shutdown.
bool StreamState::stopping_open() const {
  return conn_ != nullptr && !conn_->closing() && owner_ != nullptr && owner_->cancelled;
}

std::optional<CloseReason> StreamState::close_reason() const {
  if (stopping_open()) return CloseReason::shutdown;
  if (conn_ == nullptr) return close_reason_;
  if (conn_->closing()) return conn_->close_reason();
  // The peer's end of file keeps the connection open for the coroutine's last writes, but
  // it is why the exchange ends.
  if (conn_->input_ended()) return CloseReason::peer_closed;
  return std::nullopt;
}

std::error_code StreamState::close_error() const {
  if (stopping_open()) return make_error_code(Errc::shutdown);
  if (conn_ != nullptr) return conn_->closing() ? conn_->close_error() : std::error_code();
  return close_error_;
}

void StreamState::on_closed(CloseReason reason, std::error_code error) {
  conn_ = nullptr;
  close_reason_ = reason;
  close_error_ = error;
  writer_left();
  Waiter* targets[3];
  size_t n = 0;
  for (StreamOp** slot : {&reader_, &writer_}) {
    if (*slot == nullptr) continue;
    (*slot)->registered_ = false;
    targets[n++] = *slot;
    *slot = nullptr;
  }
  // The coroutine serving this connection is cancelled with it (unless it closed the
  // stream itself): whatever else it awaits completes with closed too.
  if (owner_ != nullptr && !closed_by_user_) {
    owner_->cancelled = true;
    Waiter* pending = owner_->pending;
    if (pending != nullptr && std::find(targets, targets + n, pending) == targets + n) targets[n++] = pending;
  }
  // Each target belongs to a different coroutine tree, so resuming one cannot free another.
  for (size_t i = 0; i < n; ++i) targets[i]->cancel(closed_error());
}

void StreamState::unref() {
  if (--refs_ > 0) return;
  assert(conn_ == nullptr);  // The connection's attachment holds a reference until on_close.
  delete this;
}

}  // namespace detail

// --- Stream ----------------------------------------------------------------------------

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    Stream old(std::move(*this));
    state_ = other.state_;
    other.state_ = nullptr;
  }
  return *this;
}

Stream::~Stream() {
  if (state_ == nullptr) return;
  close();
  state_->unref();
}

void Stream::close() {
  if (state_ == nullptr) return;
  state_->assert_loop_thread("Stream::close");
  state_->mark_closed_by_user();
  if (Conn* c = state_->conn()) c->close();
}

void Stream::shutdown_write() {
  if (state_ != nullptr) state_->assert_loop_thread("Stream::shutdown_write");
  if (state_ != nullptr && state_->usable()) state_->conn()->shutdown_write();
}

bool Stream::is_open() const {
  if (state_ != nullptr) state_->assert_loop_thread("Stream::is_open");
  return state_ != nullptr && state_->usable() && !state_->conn()->closing();
}

size_t Stream::buffered() const {
  if (state_ != nullptr) state_->assert_loop_thread("Stream::buffered");
  return state_ != nullptr && state_->conn() ? state_->conn()->inbound_size() : 0;
}

size_t Stream::unsent() const {
  if (state_ != nullptr) state_->assert_loop_thread("Stream::unsent");
  return state_ != nullptr && state_->conn() ? state_->conn()->outbound_size() : 0;
}

Address Stream::local_address() const {
  if (state_ != nullptr) state_->assert_loop_thread("Stream::local_address");
  return state_ != nullptr && state_->conn() ? state_->conn()->local_address() : Address();
}

Address Stream::remote_address() const {
  if (state_ != nullptr) state_->assert_loop_thread("Stream::remote_address");
  return state_ != nullptr && state_->conn() ? state_->conn()->remote_address() : Address();
}

std::optional<CloseReason> Stream::close_reason() const {
  if (state_ == nullptr) return CloseReason::local;
  state_->assert_loop_thread("Stream::close_reason");
  return state_->close_reason();
}

std::error_code Stream::close_error() const {
  if (state_ == nullptr) return {};
  state_->assert_loop_thread("Stream::close_error");
  return state_->close_error();
}

StreamHandle Stream::handle() const {
  if (state_ == nullptr) return {};
  state_->assert_loop_thread("Stream::handle");
  Conn* c = state_->conn();
  return c != nullptr && !c->closing() ? StreamHandle(c->handle()) : StreamHandle();
}

EventLoop* Stream::loop() const {
  return state_ != nullptr && state_->conn() ? &state_->conn()->loop() : nullptr;
}

}  // namespace weft
