// Conn's output: writes under the hard output limit, sends queued from other threads,
// flushing (now, or in the loop's flush phase) and the water marks. Reading is in
// conn.cpp, opening and closing in conn_life.cpp.

#include <algorithm>
#include <cerrno>

#include "net/conn_guard.h"
#include "net/loop_context.h"
#include "transport/transport.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"
#include "weft/net/conn.h"

namespace weft {

// --- writing ---------------------------------------------------------------------------

// Admits `more` bytes under the hard output limit; past it the connection closes at once
// (as Redis does with its client output buffer limit) and the write fails.
std::error_code Conn::admit(size_t more) {
  const size_t limit = ctx_->options.max_outbound;
  if (limit == 0 || outbound_size() + more <= limit) return detail::kNoError;
  WEFT_LOG(LogLevel::warn, "connection from %s would queue %zu bytes of output (max_outbound %zu); closing it",
           remote_address().to_string().c_str(), outbound_size() + more, limit);
  force_close(CloseReason::overflow, make_error_code(Errc::outbound_overflow));
  return make_error_code(Errc::outbound_overflow);
}

std::error_code Conn::write(std::string_view bytes) {
  WEFT_CONN_ASSERT_LOOP("Conn::write");
  if (!writable()) return make_error_code(Errc::closed);
  if (bytes.empty()) return detail::kNoError;
  // Echoing what just arrived: keep a view and send it from the read area when on_traffic
  // returns, saving the copy into the chain. The read was sized to fit max_outbound.
  if (in_traffic_ && out_.empty() && !out_.waiting_writable && ctx_->direct.empty() &&
      in_.in_fresh(bytes, ctx_->read)) {
    ctx_->direct = bytes;
    out_.dirty = true;
    return detail::kNoError;
  }
  if (std::error_code ec = admit(bytes.size())) return ec;
  materialize_direct();
  out_.append(bytes);
  mark_dirty();
  return detail::kNoError;
}

std::error_code Conn::writev(std::span<const std::string_view> parts) {
  WEFT_CONN_ASSERT_LOOP("Conn::writev");
  if (!writable()) return make_error_code(Errc::closed);
  size_t total = 0;
  for (std::string_view p : parts) total += p.size();
  if (std::error_code ec = admit(total)) return ec;
  materialize_direct();
  for (std::string_view p : parts) out_.append(p);
  mark_dirty();
  return detail::kNoError;
}

std::error_code Conn::write(const SharedBytes& bytes) {
  return write_shared(SharedBytes(bytes));
}

std::error_code Conn::write_shared(SharedBytes&& bytes) {
  WEFT_CONN_ASSERT_LOOP("Conn::write");
  if (!writable()) return make_error_code(Errc::closed);
  if (bytes.empty()) return detail::kNoError;
  if (std::error_code ec = admit(bytes.size())) return ec;
  materialize_direct();
  out_.append(std::move(bytes));
  mark_dirty();
  return detail::kNoError;
}

std::error_code Conn::write_file(int file, uint64_t offset, uint64_t length) {
  WEFT_CONN_ASSERT_LOOP("Conn::write_file");
  if (!writable()) {
    ::close(file);
    return make_error_code(Errc::closed);
  }
  materialize_direct();
  out_.append_file(file, offset, length);
  mark_dirty();
  return detail::kNoError;
}

std::error_code Conn::write_pipe(int pipe, size_t length, ConnHandle::Done sent) {
  WEFT_CONN_ASSERT_LOOP("Conn::write_pipe");
  if (!writable()) return make_error_code(Errc::closed);
  if (!transport_->plain()) return std::make_error_code(std::errc::operation_not_supported);
  if (length == 0) return std::make_error_code(std::errc::invalid_argument);
  if (std::error_code ec = admit(length)) return ec;
  materialize_direct();
  out_.append_pipe(pipe, length);
  if (sent) out_.track(std::move(sent));
  mark_dirty();
  return detail::kNoError;
}

Buffer& Conn::output() {
  WEFT_CONN_ASSERT_LOOP("Conn::output");
  materialize_direct();
  return out_.bytes();
}

std::error_code Conn::commit_output() {
  WEFT_CONN_ASSERT_LOOP("Conn::commit_output");
  if (!writable()) return make_error_code(Errc::closed);
  if (std::error_code ec = admit(0)) return ec;
  mark_dirty();
  return detail::kNoError;
}

size_t Conn::outbound_size() const {
  return out_.size() + (in_traffic_ ? ctx_->direct.size() : 0);
}

void Conn::queue_send(std::string_view bytes, ConnHandle::Done& done) {
  std::error_code ec = write(bytes);
  if (!done) return;
  if (ec) {
    done(ec);
    return;
  }
  out_.track(std::move(done));
}

void Conn::queue_send(SharedBytes&& bytes, ConnHandle::Done& done) {
  std::error_code ec = write_shared(std::move(bytes));
  if (!done) return;
  if (ec) {
    done(ec);
    return;
  }
  out_.track(std::move(done));
}

void Conn::mark_dirty() {
  if (out_.dirty || out_.empty()) return;
  out_.dirty = true;
  // Output written during this connection's own on_traffic is flushed when that returns
  // (dispatch_traffic); anything else waits for the loop's flush phase.
  if (!in_traffic_) detail::LoopAccess(ctx_->loop).mark_dirty(this);
}

void Conn::flush() {
  WEFT_CONN_ASSERT_LOOP("Conn::flush");
  // Inside its own on_traffic the output leaves when the callback returns anyway, and
  // while it waits for writability nothing more can leave now.
  if (in_traffic_ || !out_.dirty) return;
  on_flush();
}

void Conn::on_flush() {
  if (!out_.dirty) return;  // Flushed already by flush(), after it was marked dirty.
  out_.dirty = false;
  if (life_ == Life::finalizing) return;
  if (out_.waiting_writable) {
    // The rest goes out on writability, but the output may have grown past the high water
    // mark meanwhile: a peer that never reads must still be reported.
    report_water_marks();
    return;
  }
  send_output();
}

void Conn::send_output() {
  const uint64_t before = out_.pending();
  long rc = out_.flush(*transport_, fd_);
  ctx_->stats.writes.add();
  ctx_->stats.bytes_out.add(before - std::min(before, out_.pending()));
  if (rc != 0 && rc != -EAGAIN) {
    fail(rc);
    return;
  }
  beat_ |= detail::kBeatWrote;
  touch();
  out_.complete_tracked();
  after_drain();
}

void Conn::after_drain() {
  // Everything sent and nothing to undo: the usual outcome of a flush.
  if (out_.empty() && !out_.waiting_writable && !out_.above_high_water() && write_side_ == WriteSide::open &&
      life_ == Life::open) {
    return;
  }
  bool pending = !out_.empty();
  if (pending != out_.waiting_writable) {
    out_.waiting_writable = pending;
    update_interest();
  }
  // The handler may write or close from on_low_water: look at the output again after it.
  // (A write marks the connection dirty, so it goes out in this iteration's flush.)
  report_water_marks();
  if (!out_.empty() || life_ == Life::finalizing) return;
  if (write_side_ == WriteSide::shutdown_requested) {
    write_side_ = WriteSide::shut;
    transport_->shutdown_write(fd_);
    if (life_ == Life::open && input_ended()) begin_close(CloseReason::peer_closed, {});
  }
  if (life_ == Life::closing) finish_close();
}

// Above the high water mark the handler hears on_high_water and the connection stops
// reading until its output drains to the low water mark.
void Conn::report_water_marks() {
  const ServerOptions& o = ctx_->options;
  int event = out_.water_event(o.high_water_mark, o.low_water_mark);
  if (event == 0) return;
  if (event > 0) {
    ctx_->stats.high_water.add();
    if (o.pause_on_high_water) {
      read_stop_ |= kBackpressure;
      update_interest();
    }
    call_user("on_high_water", [this] { ctx_->handler.on_high_water(*this); });
  } else {
    read_stop_ &= static_cast<uint8_t>(~kBackpressure);
    update_interest();
    call_user("on_low_water", [this] { ctx_->handler.on_low_water(*this); });
  }
}

}  // namespace weft
