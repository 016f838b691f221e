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
    : server_(server), loop_(loop), meter_(*loop.stats), conn_(&conn) {
  // A new connection has until the header timeout to send its first head.
  wait_for(Deadlines::header);
}

ConnSession::~ConnSession() {
  loop_.deadlines.leave(*this);
  if (drain_timer_) loop_.loop->cancel(drain_timer_);
  loop_.exchanges.release(x_);
}

void ConnSession::borrow() {
  if (x_ == nullptr) x_ = loop_.exchanges.acquire();
}

// Called where no caller up the stack uses the state any more: the end of the outermost
// process() pass.
void ConnSession::give_back_if_idle() {
  if (x_ == nullptr || state_ != State::open || x_->parser.in_message() || message_ended_ || dispatched_ ||
      pending_ != 0 || consume_) {
    return;
  }
  loop_.exchanges.release(x_);
  x_ = nullptr;
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
  if (x_ != nullptr) ResponseAccess::detach(x_->response);
  if (upgraded_) upgraded_->on_close(*conn_, reason, error);
}

bool ConnSession::on_stopping() {
  if (state_ == State::upgraded) return upgraded_->on_stopping(*conn_);
  if (state_ != State::open) return true;
  // Whatever is answered from now on says Connection: close (a request that begins later
  // sees the server stopping).
  const bool in_exchange = x_ != nullptr && (dispatched_ || x_->parser.in_message());
  if (in_exchange) ResponseAccess::set_keep_alive(x_->response, false);
  // With idle_on_stop, the connection goes on reading: a request on its way, or one whose
  // head or body is still arriving, is answered (and then the connection closes), and one
  // between requests waits idle_on_stop for its next request.
  if (server_.options.timeouts.idle_on_stop > Duration::zero()) {
    if (!in_exchange) wait_for(Deadlines::stopping);
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
  if (x_ != nullptr && x_->drain) {
    if (congested()) {
      watch_drain();  // Written again before this iteration's flush: look after it.
    } else {
      std::function<void()> fn = std::move(x_->drain);
      x_->drain = nullptr;
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
      if (x_ != nullptr && x_->parser.in_message()) {
        reject(408);
      } else {
        close_now();
      }
      break;
    case Deadlines::body: reject(408); break;
    case Deadlines::idle:
    case Deadlines::stopping: close_now(); break;
    case Deadlines::handler:
      if (x_ == nullptr) break;  // Entered only while a request is on the connection.
      WEFT_LOG(LogLevel::warn, "a handler did not answer %s %s within the handler timeout; closing",
               std::string(x_->parser.request().method_name()).c_str(),
               std::string(x_->parser.request().path()).c_str());
      if (x_->response.started()) {
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
    borrow();
    const bool was_idle = !x_->parser.in_message();
    const RequestParser::Step step = x_->parser.feed(piece);
    if (consume_) {
      conn.discard(step.used);
      base += step.used;
    } else {
      pending_ += step.used;
    }
    if (was_idle && x_->parser.in_message()) wait_for(Deadlines::header);
    switch (step.event) {
      case RequestParser::Event::need_more:
        if (at + step.used < in.size()) continue;  // The next segment.
        // The client shut its side: nothing more can complete a request.
        if (conn.input_ended()) {
          close_now();
          break;
        }
        if (x_->parser.head_complete()) wait_for(Deadlines::body);  // Touched on every read.
        in_process_ = false;
        give_back_if_idle();
        return;
      case RequestParser::Event::head: on_head(in, base); break;
      case RequestParser::Event::message_end: on_message_end(in, base); break;
      case RequestParser::Event::error:
        WEFT_LOG(LogLevel::debug, "rejecting a request from %s: %s (%d)", conn.remote_address().to_string().c_str(),
                 x_->parser.error_reason(), x_->parser.error_status());
        reject(x_->parser.error_status());
        break;
    }
  }
  // Waiting for a response: requests piling up behind it wait in the kernel instead.
  if (state_ == State::open && message_ended_ && !reading_paused_ && in.size() - base > pending_ + kMaxWaitingInput) {
    reading_paused_ = true;
    conn.pause_reading();
  }
  in_process_ = false;
  give_back_if_idle();
}

void ConnSession::on_head(const InputView& in, size_t& base) {
  Request& req = x_->parser.request();
  const size_t head_size = x_->parser.head_size();
  // Kept bytes: the head is the first head_size of them.
  RequestAccess::set_head(req, gather(in, base, head_size, x_->head_store).data(), {});
  RequestAccess::set_peer(req, conn_, nullptr);
  ++exchange_;
  meter_.head(now());
  dispatched_ = message_ended_ = response_ended_ = false;
  x_->route = server_.router.match(req, req.upgrade(), &x_->route_status, &x_->allow);
  const bool has_body = req.chunked() || req.content_length().value_or(0) > 0;
  ResponseAccess::reset(x_->response, this, req.method() == Method::head, req.version_minor() == 0,
                        keeps_alive(server_.options, server_.stopping.load(std::memory_order_relaxed), req, requests_));
  if (!has_body) return;
  const bool expect = RequestAccess::expect_continue(req) && req.version_minor() == 1;
  if (x_->route == nullptr || x_->route->upgrade) {
    // The body is read and dropped, and the answer given at its end; unless the client
    // waits for 100 Continue, which it will not get: then answer now and close.
    if (expect) {
      answer(x_->route == nullptr ? x_->route_status : 400, false, x_->allow);
      return;
    }
    consume_ = true;
    conn_->discard(pending_);
    base += pending_;
    pending_ = 0;
    return;
  }
  if (x_->route->options.stream_body) {
    pin_head(in, base);
    consume_ = true;
    x_->parser.set_body_sink(this);
    if (expect) conn_->write(kContinue);
    call_handler();
    return;
  }
  if (req.chunked()) {
    pin_head(in, base);
    consume_ = true;
    x_->body_store.clear();
    x_->parser.set_body_sink(this);
    if (expect && in.size() == base) conn_->write(kContinue);
    return;
  }
  // A Content-Length body stays in the input: it is a view when the handler runs.
  if (expect && in.size() - base < head_size + *req.content_length()) conn_->write(kContinue);
}

// Copies the head aside and drops it from the input, for a body that is consumed as it is
// parsed. The request's spans are offsets, so only the base pointer changes.
void ConnSession::pin_head(const InputView& in, size_t& base) {
  Request& req = x_->parser.request();
  const char* head = RequestAccess::head(req);
  if (head != x_->head_store.data()) {
    x_->head_store.assign(head, x_->parser.head_size());
    RequestAccess::set_head(req, x_->head_store.data(), {});
  }
  (void)in;
  conn_->discard(pending_);
  base += pending_;
  pending_ = 0;
}

void ConnSession::on_body_bytes(std::string_view piece) {
  if (x_->route != nullptr && x_->route->options.stream_body) {
    Request::BodyFn& fn = RequestAccess::body_fn(x_->parser.request());
    if (fn && !piece.empty()) fn(piece, false);
    return;
  }
  x_->body_store.append(piece);
}

void ConnSession::on_message_end(const InputView& in, size_t& base) {
  Request& req = x_->parser.request();
  message_ended_ = true;
  loop_.deadlines.leave(*this);
  if (x_->route != nullptr && x_->route->options.stream_body && dispatched_) {
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
    RequestAccess::set_body(req, x_->body_store);
  } else if (!consume_ && req.content_length().value_or(0) > 0) {
    const size_t head_size = x_->parser.head_size();
    RequestAccess::set_body(req, gather(in, base + head_size, pending_ - head_size, x_->body_store));
  }
  x_->parser.set_body_sink(nullptr);
  if (x_->route == nullptr) {
    answer(x_->route_status, true, x_->allow);
    return;
  }
  if (x_->route->upgrade) {
    start_upgrade(in, base);
    return;
  }
  call_handler();
}

void ConnSession::call_handler() {
  dispatched_ = true;
  wait_for(Deadlines::handler);
  Request& req = x_->parser.request();
  try {
    x_->route->handler(req, x_->response);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "handler for %s %s threw: %s", std::string(req.method_name()).c_str(),
             std::string(req.path()).c_str(), e.what());
    if (!x_->response.started()) {
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
    if (!x_->response.keep_alive() || ResponseAccess::short_body(x_->response)) {
      // No need to read the rest of the request: the connection closes.
      close_now();
      return;
    }
    if (message_ended_ && !in_process_) process();  // Requests waiting behind this one.
    return;
  }
  const bool waiting =
      ResponseAccess::deferred(x_->response) || x_->drain || (!message_ended_ && x_->route->options.stream_body);
  if (waiting) return;
  // The handler returned without completing the response or saying it will.
  WEFT_LOG(LogLevel::error, "handler for %s returned without answering; sending 500",
           std::string(x_->parser.request().path()).c_str());
  if (x_->response.started()) {
    close_now();
  } else {
    reject(500);
  }
}

void ConnSession::start_upgrade(const InputView& in, size_t& base) {
  Request& req = x_->parser.request();
  dispatched_ = true;
  std::unique_ptr<Upgraded> next = x_->route->upgrade->upgrade(req, x_->response, *conn_);
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
  x_->route = nullptr;
  consume_ = dispatched_ = message_ended_ = response_ended_ = false;
  x_->drain = nullptr;
  if (!x_->response.keep_alive()) {
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
  const bool keep = keep_alive && x_->response.keep_alive();
  std::string line;
  if (!extra.empty()) line = "Allow: " + std::string(extra) + "\r\n";
  write_error_response(conn_->output(), now(), server_name(), status, keep, line,
                       x_->parser.request().method() != Method::head);
  conn_->commit_output();
  meter_.response(status);
  dispatched_ = true;
  response_ended_ = true;
  ResponseAccess::set_keep_alive(x_->response, keep);
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
  if (exchange != exchange_ || state_ != State::open || !dispatched_ || response_ended_) return false;
  try {
    fn(x_->response);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "a deferred response threw: %s", e.what());
    if (!x_->response.started()) {
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
  if (exchange != exchange_ || state_ != State::open || !dispatched_ || response_ended_) return;
  WEFT_LOG(LogLevel::error, "a Responder was dropped without answering; sending 500");
  if (x_->response.started()) {
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
  meter_.response(x_->response.status_code());
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
  x_->drain = std::move(fn);
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
