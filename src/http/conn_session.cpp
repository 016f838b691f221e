#include "http/conn_session.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "http/request_access.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"

namespace weft::http::detail {
namespace {

// While a response is pending, reading stops once this much is waiting behind it.
constexpr size_t kMaxWaitingInput = 64 * 1024;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// The contiguous run of `in` that starts at offset at (empty at the end).
std::string_view run_at(const InputView& in, size_t at) {
  if (at >= in.size()) return {};
  for (size_t i = 0; i < in.segment_count(); ++i) {
    std::string_view s = in.segment(i);
    if (at < s.size()) return s.substr(at);
    at -= s.size();
  }
  return {};
}

// [at, at + n) of `in` as one view, joined into storage when it spans segments.
std::string_view gather(const InputView& in, size_t at, size_t n, std::string& storage) {
  std::string_view v = in.contiguous(at, n);
  if (v.data() != nullptr || n == 0) return v;
  storage.resize(n);
  in.copy_to(at, n, storage.data());
  return storage;
}

}  // namespace

ConnSession::ConnSession(ServerState& server, LoopState& loop, Conn& conn)
    : server_(server), loop_(loop), meter_(*loop.stats), conn_(&conn), parser_(server.options.limits) {
  // A new connection has until the header timeout to send its first head.
  wait_for(Deadlines::header);
}

ConnSession::~ConnSession() {
  loop_.deadlines.leave(*this);
  if (drain_timer_) loop_.loop->cancel(drain_timer_);
}

// --- events ------------------------------------------------------------------------------

void ConnSession::on_traffic() {
  if (state_ == State::upgraded) {
    upgraded_->on_traffic(*conn_);
    return;
  }
  process();
}

void ConnSession::on_close(CloseReason reason, std::error_code error) {
  state_ = State::closing;
  loop_.deadlines.leave(*this);
  ResponseAccess::detach(response_);
  if (upgraded_) upgraded_->on_close(*conn_, reason, error);
}

bool ConnSession::on_stopping() {
  if (state_ == State::upgraded) return upgraded_->on_stopping(*conn_);
  if (state_ != State::open) return true;
  // Whatever is answered from now on says Connection: close.
  ResponseAccess::set_keep_alive(response_, false);
  // With idle_on_stop, the connection goes on reading: a request on its way, or one whose
  // head or body is still arriving, is answered (and then the connection closes), and one
  // between requests waits idle_on_stop for its next request.
  if (server_.options.timeouts.idle_on_stop > Duration::zero()) {
    if (!dispatched_ && !parser_.in_message()) wait_for(Deadlines::stopping);
    return false;
  }
  // Nothing more is read, so only a request whose message has ended can still be served.
  if (dispatched_ && message_ended_ && !response_ended_) return false;
  loop_.deadlines.leave(*this);
  state_ = State::closing;
  return true;
}

void ConnSession::on_high_water() {
  high_water_ = true;
  if (upgraded_) upgraded_->on_high_water(*conn_);
}

void ConnSession::on_low_water() {
  high_water_ = false;
  if (upgraded_) {
    upgraded_->on_low_water(*conn_);
    return;
  }
  drained();
}

// The output has room again: the handler's drain callback.
void ConnSession::drained() {
  if (drain_) {
    if (congested()) {
      watch_drain();  // Written again before this iteration's flush: look after it.
    } else {
      std::function<void()> fn = std::move(drain_);
      drain_ = nullptr;
      fn();
    }
  }
  after_handler();
}

// A writer stopped above the high water mark. The engine reports the mark when it
// flushes; if the kernel took so much that the output did not stay above it, no event
// comes, so a zero-delay timer checks again. (Timers run before the loop's flush phase: a
// check that still finds the output above the mark looks again in the next iteration.)
void ConnSession::watch_drain() {
  if (high_water_ || drain_timer_) return;
  drain_timer_ = conn_->loop().run_after(Duration::zero(), [this] {
    drain_timer_ = {};
    if (!high_water_) drained();
  });
}

void ConnSession::expire(Deadlines::Kind kind) {
  if (state_ != State::open) return;
  switch (kind) {
    case Deadlines::header:
      // A connection that has sent nothing of a request is closed quietly.
      if (parser_.in_message()) {
        reject(408);
      } else {
        close_now();
      }
      break;
    case Deadlines::body: reject(408); break;
    case Deadlines::idle:
    case Deadlines::stopping: close_now(); break;
    case Deadlines::handler:
      WEFT_LOG(LogLevel::warn, "a handler did not answer %s %s within the handler timeout; closing",
               std::string(parser_.request().method_name()).c_str(), std::string(parser_.request().path()).c_str());
      if (response_.started()) {
        close_now();
      } else {
        reject(503);
      }
      break;
    case Deadlines::kinds: break;
  }
}

// --- parsing -----------------------------------------------------------------------------

void ConnSession::process() {
  if (in_process_) return;  // Re-entered from a handler: the outer pass carries on.
  in_process_ = true;
  Conn& conn = *conn_;
  const InputView in = conn.inbound();
  size_t base = 0;  // Bytes of `in` consumed during this pass.
  while (state_ == State::open) {
    if (message_ended_) {
      if (!response_ended_) break;  // The response is still being written.
      conn.discard(pending_);
      base += pending_;
      pending_ = 0;
      finish_exchange();
      continue;
    }
    const size_t at = base + pending_;
    const std::string_view piece = run_at(in, at);
    const bool was_idle = !parser_.in_message();
    const RequestParser::Step step = parser_.feed(piece);
    if (consume_) {
      conn.discard(step.used);
      base += step.used;
    } else {
      pending_ += step.used;
    }
    if (was_idle && parser_.in_message()) wait_for(Deadlines::header);
    switch (step.event) {
      case RequestParser::Event::need_more:
        if (at + step.used < in.size()) continue;  // The next segment.
        // The client shut its side: nothing more can complete a request.
        if (conn.input_ended()) {
          close_now();
          break;
        }
        if (parser_.head_complete()) wait_for(Deadlines::body);  // Touched on every read.
        in_process_ = false;
        return;
      case RequestParser::Event::head: on_head(in, base); break;
      case RequestParser::Event::message_end: on_message_end(in, base); break;
      case RequestParser::Event::error:
        WEFT_LOG(LogLevel::debug, "rejecting a request from %s: %s (%d)", conn.remote_address().to_string().c_str(),
                 parser_.error_reason(), parser_.error_status());
        reject(parser_.error_status());
        break;
    }
  }
  // Waiting for a response: requests piling up behind it wait in the kernel instead.
  if (state_ == State::open && message_ended_ && !reading_paused_ && in.size() - base > pending_ + kMaxWaitingInput) {
    reading_paused_ = true;
    conn.pause_reading();
  }
  in_process_ = false;
}

void ConnSession::on_head(const InputView& in, size_t& base) {
  Request& req = parser_.request();
  const size_t head_size = parser_.head_size();
  // Kept bytes: the head is the first head_size of them.
  RequestAccess::set_head(req, gather(in, base, head_size, head_store_).data(), {});
  RequestAccess::set_peer(req, conn_, nullptr);
  ++exchange_;
  meter_.head(now());
  dispatched_ = message_ended_ = response_ended_ = false;
  route_ = server_.router.match(req, req.upgrade(), &route_status_, &allow_);
  const bool has_body = req.chunked() || req.content_length().value_or(0) > 0;
  ResponseAccess::reset(response_, this, req.method() == Method::head, req.version_minor() == 0,
                        req.keep_alive() && !server_.stopping.load(std::memory_order_relaxed) &&
                            (server_.options.max_requests_per_connection == 0 ||
                             requests_ + 1 < server_.options.max_requests_per_connection));
  if (!has_body) return;
  const bool expect = RequestAccess::expect_continue(req) && req.version_minor() == 1;
  if (route_ == nullptr || route_->upgrade) {
    // The body is read and dropped, and the answer given at its end; unless the client
    // waits for 100 Continue, which it will not get: then answer now and close.
    if (expect) {
      answer(route_ == nullptr ? route_status_ : 400, false, allow_);
      return;
    }
    consume_ = true;
    conn_->discard(pending_);
    base += pending_;
    pending_ = 0;
    return;
  }
  if (route_->options.stream_body) {
    pin_head(in, base);
    consume_ = true;
    parser_.set_body_sink(this);
    if (expect) conn_->write(kContinue);
    call_handler();
    return;
  }
  if (req.chunked()) {
    pin_head(in, base);
    consume_ = true;
    body_store_.clear();
    parser_.set_body_sink(this);
    if (expect && in.size() == base) conn_->write(kContinue);
    return;
  }
  // A Content-Length body stays in the input: it is a view when the handler runs.
  if (expect && in.size() - base < head_size + *req.content_length()) conn_->write(kContinue);
}

// Copies the head aside and drops it from the input, for a body that is consumed as it is
// parsed. The request's spans are offsets, so only the base pointer changes.
void ConnSession::pin_head(const InputView& in, size_t& base) {
  Request& req = parser_.request();
  const char* head = RequestAccess::head(req);
  if (head != head_store_.data()) {
    head_store_.assign(head, parser_.head_size());
    RequestAccess::set_head(req, head_store_.data(), {});
  }
  (void)in;
  conn_->discard(pending_);
  base += pending_;
  pending_ = 0;
}

void ConnSession::on_body_bytes(std::string_view piece) {
  if (route_ != nullptr && route_->options.stream_body) {
    Request::BodyFn& fn = RequestAccess::body_fn(parser_.request());
    if (fn && !piece.empty()) fn(piece, false);
    return;
  }
  body_store_.append(piece);
}

void ConnSession::on_message_end(const InputView& in, size_t& base) {
  Request& req = parser_.request();
  message_ended_ = true;
  loop_.deadlines.leave(*this);
  if (route_ != nullptr && route_->options.stream_body && dispatched_) {
    Request::BodyFn& fn = RequestAccess::body_fn(req);
    if (fn) {
      Request::BodyFn last = std::move(fn);
      fn = nullptr;
      last({}, true);
    }
    after_handler();
    return;
  }
  if (req.chunked()) {
    RequestAccess::set_body(req, body_store_);
  } else if (!consume_ && req.content_length().value_or(0) > 0) {
    const size_t head_size = parser_.head_size();
    RequestAccess::set_body(req, gather(in, base + head_size, pending_ - head_size, body_store_));
  }
  parser_.set_body_sink(nullptr);
  if (route_ == nullptr) {
    answer(route_status_, true, allow_);
    return;
  }
  if (route_->upgrade) {
    start_upgrade(in, base);
    return;
  }
  call_handler();
}

void ConnSession::call_handler() {
  dispatched_ = true;
  wait_for(Deadlines::handler);
  Request& req = parser_.request();
  try {
    route_->handler(req, response_);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "handler for %s %s threw: %s", std::string(req.method_name()).c_str(),
             std::string(req.path()).c_str(), e.what());
    if (!response_.started()) {
      reject(500);
    } else {
      close_now();
    }
    return;
  }
  after_handler();
}

// After a handler, a deferred call or a drain: decides what the response still needs.
void ConnSession::after_handler() {
  if (state_ != State::open || !dispatched_) return;
  if (response_ended_) {
    if (!response_.keep_alive() || ResponseAccess::short_body(response_)) {
      // No need to read the rest of the request: the connection closes.
      close_now();
      return;
    }
    if (message_ended_ && !in_process_) process();  // Requests waiting behind this one.
    return;
  }
  const bool waiting =
      ResponseAccess::deferred(response_) || drain_ || (!message_ended_ && route_->options.stream_body);
  if (waiting) return;
  // The handler returned without completing the response or saying it will.
  WEFT_LOG(LogLevel::error, "handler for %s returned without answering; sending 500",
           std::string(parser_.request().path()).c_str());
  if (response_.started()) {
    close_now();
  } else {
    reject(500);
  }
}

void ConnSession::start_upgrade(const InputView& in, size_t& base) {
  Request& req = parser_.request();
  dispatched_ = true;
  std::unique_ptr<Upgraded> next = route_->upgrade->upgrade(req, response_, *conn_);
  if (!next) {
    after_handler();
    return;
  }
  meter_.response(101);  // The upgrade wrote its 101 itself, not through the Response.
  // The HTTP exchange is over; whatever follows in the input belongs to the new protocol.
  conn_->discard(pending_);
  base += pending_;
  pending_ = 0;
  loop_.deadlines.leave(*this);
  state_ = State::upgraded;
  upgraded_ = std::move(next);
  if (in.size() > base) upgraded_->on_traffic(*conn_);
}

void ConnSession::finish_exchange() {
  ++requests_;
  route_ = nullptr;
  consume_ = dispatched_ = message_ended_ = response_ended_ = false;
  drain_ = nullptr;
  if (!response_.keep_alive()) {
    close_now();
    return;
  }
  if (reading_paused_) {
    reading_paused_ = false;
    conn_->resume_reading();
  }
  wait_for(Deadlines::idle);
}

void ConnSession::answer(int status, bool keep_alive, std::string_view extra) {
  const bool keep = keep_alive && response_.keep_alive();
  std::string line;
  if (!extra.empty()) line = "Allow: " + std::string(extra) + "\r\n";
  write_error_response(conn_->output(), now(), server_name(), status, keep, line,
                       parser_.request().method() != Method::head);
  conn_->commit_output();
  meter_.response(status);
  dispatched_ = true;
  response_ended_ = true;
  ResponseAccess::set_keep_alive(response_, keep);
  if (!keep) close_now();
}

void ConnSession::reject(int status) {
  if (state_ != State::open) return;  // Lingering or closing: the client has its answer.
  write_error_response(conn_->output(), now(), server_name(), status, false);
  conn_->commit_output();
  meter_.response(status);
  close_now();
}

// The engine lingers on a close while the client may still be sending, so that late
// bytes never make the kernel reset the connection under the response.
void ConnSession::close_now() {
  if (state_ == State::closing) return;
  state_ = State::closing;
  loop_.deadlines.leave(*this);
  conn_->close();
}

// --- Responder ---------------------------------------------------------------------------

bool ConnSession::run_deferred(uint64_t exchange, const std::function<void(Response&)>& fn) {
  if (exchange != exchange_ || state_ != State::open || response_ended_) return false;
  try {
    fn(response_);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "a deferred response threw: %s", e.what());
    if (!response_.started()) {
      reject(500);
    } else {
      close_now();
    }
    return true;
  }
  after_handler();
  return true;
}

void ConnSession::abandon(uint64_t exchange) {
  if (exchange != exchange_ || state_ != State::open || response_ended_) return;
  WEFT_LOG(LogLevel::error, "a Responder was dropped without answering; sending 500");
  if (response_.started()) {
    close_now();
  } else {
    reject(500);
  }
}

// --- Exchange ----------------------------------------------------------------------------

Buffer& ConnSession::output() {
  return conn_->output();
}

std::error_code ConnSession::commit() {
  return conn_->commit_output();
}

void ConnSession::completed() {
  response_ended_ = true;
  meter_.response(response_.status_code());
  loop_.deadlines.leave(*this);
}

Responder ConnSession::defer() {
  return Responder(conn_->handle(), exchange_);
}

// The engine sends the range after what is queued, with sendfile where it can.
std::error_code ConnSession::queue_file(int fd, uint64_t offset, uint64_t length) {
  return conn_->write_file(fd, offset, length);
}

size_t ConnSession::unsent() const {
  return conn_->outbound_size();
}

bool ConnSession::congested() const {
  return high_water_ || conn_->outbound_size() > server_.options.net.high_water_mark;
}

void ConnSession::on_drain(std::function<void()> fn) {
  if (!congested()) {
    fn();
    return;
  }
  drain_ = std::move(fn);
  watch_drain();
}

Task<std::error_code> ConnSession::flush() {
  co_return writable() ? std::error_code() : make_error_code(Errc::closed);
}

bool ConnSession::writable() const {
  return state_ == State::open && conn_->writable();
}

TimePoint ConnSession::now() const {
  return loop_.loop->now();
}

std::string_view ConnSession::server_name() const {
  return server_.options.server_name;
}

}  // namespace weft::http::detail
