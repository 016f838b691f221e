#include "http/coro_session.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "http/coro_state.h"
#include "http/request_access.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"
#include "weft/coro/with_timeout.h"

namespace weft::http::detail {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr size_t kFileSlice = 64 * 1024;

// Queues bytes on the stream without awaiting: Stream::write copies at once (it only
// waits, afterwards, while the output is above the high water mark), so the awaitable's
// first step does the work. For a timer callback, which cannot await.
void write_now(Stream& stream, std::string_view bytes) {
  auto op = stream.write(bytes);
  (void)op.await_ready();
}

// co_await ContextOf{} yields the context of the awaiting coroutine's tree (the
// connection's root), without suspending.
struct ContextOf {
  weft::detail::CoroContext* context = nullptr;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    context = weft::detail::context_of(h);
    return false;
  }
  weft::detail::CoroContext* await_resume() const noexcept { return context; }
};

}  // namespace

Task<> serve_connection(CoroState* state, Stream stream) {
  CoroSession session(*state, stream);
  co_await session.run();
}

CoroSession::CoroSession(CoroState& state, Stream& stream)
    : state_(state),
      home_(state.loop_of(stream.loop())),
      stream_(stream),
      loop_(stream.loop()),
      meter_(*home_.shared.stats),
      x_(home_.shared.exchanges.acquire()),
      out_(loop_->pool()) {
  home_.sessions.push_back(*this);
}

CoroSession::~CoroSession() {
  disarm_handler_deadline();
  if (file_fd_ >= 0) ::close(file_fd_);
  home_.shared.deadlines.leave(*this);
  home_.shared.exchanges.release(x_);
  home_.sessions.remove(*this);
  state_.session_ended(home_);
}

TimePoint CoroSession::now() const {
  return loop_->now();
}

std::string_view CoroSession::server_name() const {
  return state_.options.server_name;
}

void CoroSession::on_stopping() {
  if (upgraded_) {
    // The upgraded protocol's coroutine is cancelled: what it awaits reports closed.
    if (tree_ != nullptr) tree_->cancel();
    return;
  }
  if (idle_) {
    if (!wait_for_one_more()) end_idle();
    return;
  }
  // A request in progress is finished, and its response closes the connection; one whose
  // head is still arriving sees the server stopping when it is complete.
  if (in_request_) ResponseAccess::set_keep_alive(x_->response, false);
}

bool CoroSession::wait_for_one_more() {
  if (state_.options.timeouts.idle_on_stop <= Duration::zero()) return false;
  // Entered once: the wait is not restarted by a later call.
  if (!waiting()) home_.shared.deadlines.enter(*this, Deadlines::stopping);
  return true;
}

void CoroSession::expire(Deadlines::Kind kind) {
  // Only the stopping deadline is kept here; the read's own timeouts are with_timeout's.
  if (kind == Deadlines::stopping && idle_) end_idle();
}

// The pending read reports closed at once (rather than when a lingering close ends), so
// the session ends and the coroutine resumes inline: nothing may follow.
void CoroSession::end_idle() {
  stream_.close();
  if (tree_ != nullptr) tree_->cancel();
}

Duration CoroSession::read_timeout(bool between) const {
  const Timeouts& t = state_.options.timeouts;
  if (between) return requests_ == 0 ? t.header : t.idle;
  if (x_->parser.head_complete()) return t.body;
  if (t.header <= Duration::zero()) return Duration::zero();
  // The whole head must arrive within the header timeout from its first byte.
  return std::max<Duration>(t.header - (now() - message_start_), Duration(1));
}

Task<CoroSession::Next> CoroSession::next_event(bool piece) {
  // The first round parses what is buffered, even nothing: a message without a body ends
  // right after its head.
  for (bool first = true;; first = false) {
    if (input_.empty() && !first) {
      const bool between = !x_->parser.in_message();
      if (between) {
        // Waiting for the next request: the exchange state goes back to the loop, and
        // while the server stops the wait is for one more request at most.
        home_.shared.exchanges.release(x_);
        x_ = nullptr;
        if (state_.stopping.load(std::memory_order_relaxed) && !wait_for_one_more()) {
          x_ = home_.shared.exchanges.acquire();
          co_return Next{RequestParser::Event::need_more, make_error_code(Errc::closed)};
        }
        idle_ = true;
      }
      const Duration limit = read_timeout(between);
      // Not a conditional expression of two co_awaits: GCC 12 mishandles the temporaries.
      Result<std::string_view> got = make_error_code(Errc::closed);
      if (limit > Duration::zero()) {
        got = co_await with_timeout(limit, stream_.read_some());
      } else {
        got = co_await stream_.read_some();
      }
      if (between) {
        idle_ = false;
        home_.shared.deadlines.leave(*this);
        x_ = home_.shared.exchanges.acquire();
      }
      if (!got) co_return Next{RequestParser::Event::need_more, got.error()};
      input_ = *got;
    }
    const bool idle = !x_->parser.in_message();
    const RequestParser::Step step = x_->parser.feed(input_);
    // The head is kept: the bytes parsed up to its end (a new message starts in feed()).
    if (step.used > 0 && (!x_->parser.head_complete() || step.event == RequestParser::Event::head)) {
      x_->head_store.append(input_.data(), step.used);
    }
    if (idle && x_->parser.in_message()) message_start_ = now();
    input_.remove_prefix(step.used);
    if (step.event != RequestParser::Event::need_more) co_return Next{step.event, {}};
    if (piece && !x_->piece.empty()) co_return Next{};  // A piece of a streamed body.
  }
}

void CoroSession::keep_input() {
  if (input_.empty()) {
    x_->carry.clear();
    input_ = {};
    return;
  }
  if (input_.data() >= x_->carry.data() && input_.data() <= x_->carry.data() + x_->carry.size()) {
    x_->carry.erase(0, static_cast<size_t>(input_.data() - x_->carry.data()));
  } else {
    x_->carry.assign(input_);
  }
  input_ = x_->carry;
}

void CoroSession::on_body_bytes(std::string_view piece) {
  if (!streaming_) {
    x_->body_store.append(piece);
  } else if (x_->route != nullptr && x_->route->coro) {
    x_->piece.append(piece);
  } else if (Request::BodyFn& fn = RequestAccess::body_fn(x_->parser.request())) {
    fn(piece, false);
  }
}

Task<> CoroSession::run() {
  tree_ = co_await ContextOf{};
  while (stream_.is_open() && !closing_) {
    in_request_ = false;
    x_->head_store.clear();
    Next next = co_await next_event();
    if (next.error) {
      // A timeout in the middle of a request is answered; otherwise the connection ends.
      if (next.error == Errc::timeout && x_->parser.in_message()) co_await reject(408);
      co_return;
    }
    if (next.event == RequestParser::Event::error) {
      co_await reject(x_->parser.error_status());
      co_return;
    }
    co_await serve_request();
  }
}

Task<> CoroSession::serve_request() {
  Request& req = x_->parser.request();
  RequestAccess::set_head(req, x_->head_store.data(), {});
  RequestAccess::set_peer(req, nullptr, &stream_);
  RequestAccess::set_body_source(req, this);
  meter_.head(now());
  x_->route = state_.router.match(req, req.upgrade(), &x_->route_status, &x_->allow);
  const bool keep_alive = keeps_alive(state_.options, state_.stopping.load(std::memory_order_relaxed), req, requests_);
  ResponseAccess::reset(x_->response, this, req.method() == Method::head, req.version_minor() == 0, keep_alive);
  in_request_ = true;
  response_ended_ = message_ended_ = streaming_ = false;
  x_->body_store.clear();
  x_->piece.clear();
  const bool has_body = req.chunked() || req.content_length().value_or(0) > 0;
  const bool expect = has_body && RequestAccess::expect_continue(req) && req.version_minor() == 1 && input_.empty();
  if (expect && (x_->route == nullptr || x_->route->upgrade)) {
    // The client waits for a 100 Continue it will not get: answer now, then close.
    const int status = x_->route == nullptr ? x_->route_status : 400;
    write_error_response(out_, now(), server_name(), status, false,
                         x_->route == nullptr && !x_->allow.empty() ? "Allow: " + x_->allow + "\r\n" : std::string());
    meter_.response(status);
    co_await send_output();
    closing_ = true;
    stream_.close();
    co_return;
  }
  if (expect) {
    out_.append(kContinue);
    if (co_await send_output()) co_return;
  }
  x_->parser.set_body_sink(has_body ? this : nullptr);
  if (x_->route != nullptr && x_->route->options.stream_body && has_body) {
    streaming_ = true;
    co_await call_handler();
  }
  // Reads the body (what a streaming handler left, dropped) up to the end of the message.
  while (!message_ended_ && !closing_) {
    Next next = co_await next_event(streaming_);
    x_->piece.clear();
    if (next.error) {
      if (next.error == Errc::timeout) co_await reject(408);
      closing_ = true;
      co_return;
    }
    if (next.event == RequestParser::Event::error) {
      co_await reject(x_->parser.error_status());
      co_return;
    }
    if (next.event == RequestParser::Event::message_end) message_ended_ = true;
  }
  if (closing_) co_return;
  x_->parser.set_body_sink(nullptr);
  if (streaming_) {
    Request::BodyFn& fn = RequestAccess::body_fn(req);
    if (fn) {
      Request::BodyFn last = std::move(fn);
      fn = nullptr;
      last({}, true);
    }
  } else {
    RequestAccess::set_body(req, x_->body_store);
    if (x_->route == nullptr) {
      write_error_response(out_, now(), server_name(), x_->route_status, x_->response.keep_alive(),
                           x_->allow.empty() ? std::string() : "Allow: " + x_->allow + "\r\n",
                           req.method() != Method::head);
      meter_.response(x_->route_status);
      response_ended_ = true;
    } else if (x_->route->upgrade) {
      keep_input();
      upgraded_ = true;
      co_await x_->route->upgrade->upgrade(req, x_->response, stream_);
      upgraded_ = false;
      // The upgraded protocol ran to its end, or the handshake was refused.
      if (!response_ended_) {
        // Its 101 went out through the upgrade, which returns only when the protocol ends:
        // counted now, not timed.
        meter_.untimed();
        meter_.response(101);
        closing_ = true;
        co_return;
      }
    } else {
      co_await call_handler();
    }
  }
  if (closing_) co_return;
  // Callback handlers that stream with on_drain are driven from here.
  while (x_->drain && !response_ended_ && stream_.is_open()) {
    if (co_await send_output()) break;
    std::function<void()> fn = std::move(x_->drain);
    x_->drain = nullptr;
    fn();
  }
  if (!response_ended_) {
    WEFT_LOG(LogLevel::error, "handler for %s returned without answering; sending 500",
             std::string(req.path()).c_str());
    if (x_->response.started()) {
      closing_ = true;
      co_await send_output();
      stream_.close();
    } else {
      co_await reject(500);
    }
    co_return;
  }
  if (co_await send_output()) {
    closing_ = true;
    co_return;
  }
  ++requests_;
  if (!x_->response.keep_alive() || ResponseAccess::short_body(x_->response)) {
    closing_ = true;
    stream_.close();
  }
}

Task<> CoroSession::call_handler() {
  Request& req = x_->parser.request();
  keep_input();  // A coroutine may await anything: the read's view would not survive.
  arm_handler_deadline();
  bool failed = false;
  try {
    if (x_->route->coro) {
      co_await x_->route->coro(req, x_->response);
    } else {
      x_->route->handler(req, x_->response);
    }
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "handler for %s %s threw: %s", std::string(req.method_name()).c_str(),
             std::string(req.path()).c_str(), e.what());
    failed = true;
  }
  disarm_handler_deadline();
  if (failed && !closing_) {
    if (x_->response.started()) {
      closing_ = true;
      co_await send_output();
      stream_.close();
    } else {
      co_await reject(500);
    }
  }
}

Task<Result<std::string_view>> CoroSession::next_body_piece() {
  x_->piece.clear();
  while (x_->piece.empty() && !message_ended_) {
    if (closing_) co_return make_error_code(Errc::closed);
    Next next = co_await next_event(true);
    if (next.error) {
      closing_ = true;
      co_return next.error;
    }
    if (next.event == RequestParser::Event::error) {
      // Answered once the handler returns; the handler learns the body is bad.
      co_await reject(x_->parser.error_status());
      co_return make_error_code(Errc::protocol_error);
    }
    if (next.event == RequestParser::Event::message_end) message_ended_ = true;
  }
  co_return std::string_view(x_->piece);
}

// --- output --------------------------------------------------------------------------

Task<std::error_code> CoroSession::send_output() {
  while (!out_.empty()) {
    x_->parts.clear();
    out_.segments(x_->parts);
    std::error_code ec = co_await stream_.writev(x_->parts);
    out_.clear();
    if (ec) co_return ec;
  }
  if (file_fd_ >= 0) co_return co_await send_file();
  co_return std::error_code();
}

Task<std::error_code> CoroSession::send_file() {
  std::string slice(static_cast<size_t>(std::min<uint64_t>(kFileSlice, file_left_)), '\0');
  std::error_code ec;
  while (file_left_ > 0 && !ec) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(slice.size(), file_left_));
    const ssize_t n = ::pread(file_fd_, slice.data(), want, static_cast<off_t>(file_offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      WEFT_LOG(LogLevel::error, "reading a file for a response failed (%s); closing the connection",
               n == 0 ? "it shrank" : std::strerror(errno));
      ec = make_error_code(Errc::closed);
      break;
    }
    file_offset_ += static_cast<uint64_t>(n);
    file_left_ -= static_cast<uint64_t>(n);
    ec = co_await stream_.write(std::string_view(slice.data(), static_cast<size_t>(n)));
  }
  ::close(file_fd_);
  file_fd_ = -1;
  file_left_ = 0;
  if (ec) stream_.close();
  co_return ec;
}

Task<> CoroSession::reject(int status) {
  if (closing_ || !stream_.is_open()) co_return;
  closing_ = true;
  out_.clear();
  write_error_response(out_, now(), server_name(), status, false);
  meter_.response(status);
  co_await send_output();
  stream_.close();
}

std::error_code CoroSession::queue_file(int fd, uint64_t offset, uint64_t length) {
  if (file_fd_ >= 0) ::close(file_fd_);
  file_fd_ = fd;
  file_offset_ = offset;
  file_left_ = length;
  return {};
}

Responder CoroSession::defer() {
  throw std::logic_error("Response::defer is for http::Server; a coroutine handler awaits instead");
}

bool CoroSession::congested() const {
  return unsent() > state_.options.net.high_water_mark;
}

void CoroSession::on_drain(std::function<void()> fn) {
  if (!congested()) {
    fn();
    return;
  }
  x_->drain = std::move(fn);
}

Task<std::error_code> CoroSession::flush() {
  if (!writable()) co_return make_error_code(Errc::closed);
  co_return co_await send_output();
}

// --- the handler deadline ------------------------------------------------------------

void CoroSession::arm_handler_deadline() {
  const Duration limit = state_.options.timeouts.handler;
  if (limit <= Duration::zero()) return;
  handler_timer_ = loop_->run_after(limit, [this] {
    handler_timer_ = {};
    WEFT_LOG(LogLevel::warn, "a handler did not answer %s within the handler timeout; closing",
             std::string(x_->parser.request().path()).c_str());
    // Closing the stream cancels what the handler awaits; it sees Errc::closed.
    closing_ = true;
    if (!x_->response.started()) {
      out_.clear();
      write_error_response(out_, now(), server_name(), 503, false);
      meter_.response(503);
      std::vector<std::string_view> parts;
      out_.segments(parts);
      for (std::string_view p : parts) write_now(stream_, p);
      out_.clear();
    }
    stream_.close();
    // What the handler awaits completes with Errc::closed. This resumes the coroutine,
    // which may end the session: nothing may follow.
    if (tree_ != nullptr) tree_->cancel();
  });
}

void CoroSession::disarm_handler_deadline() {
  if (!handler_timer_) return;
  loop_->cancel(handler_timer_);
  handler_timer_ = {};
}

}  // namespace weft::http::detail
