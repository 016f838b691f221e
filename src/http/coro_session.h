#pragma once
// CoroSession: HTTP/1.1 on one connection, for the coroutine API. It lives in the frame of
// the connection's coroutine and feeds the same RequestParser as the callback session
// from Stream::read_some() views.
//
// Input. A view from read_some() lives only until the coroutine's next await other than a
// write, and a coroutine handler may await anything: so the head is copied into the
// session as it is parsed, the body (Content-Length or chunked) is collected into it, and
// bytes read past a request are kept aside before a coroutine handler runs.
//
// Output. A Response writes into the session's buffer; the session hands it to the
// stream after the handler (and on Response::flush), so pipelined responses written
// without suspending leave in one send.
//
// Memory. The parser, the response and their storage are an ExchangeState lent by the
// loop (exchange_state.h) while a request is on the connection, as in the callback
// session: a connection waiting for its next request holds none.
//
// Stopping: see coro_state.h. The session is in its loop's list from construction to
// destruction.
//
// Loop thread only, inside the connection's coroutine.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/intrusive_list.h"
#include "http/deadlines.h"
#include "http/exchange.h"
#include "http/exchange_state.h"
#include "http/request_meter.h"
#include "weft/coro/coro_server.h"
#include "weft/coro/stream.h"

namespace weft::detail {
class CoroContext;
}

namespace weft::http::detail {

struct CoroState;
struct CoroLoop;

// The coroutine that serves one connection.
Task<> serve_connection(CoroState* state, Stream stream);

class CoroSession final : public Exchange, public Deadlines::Hook, private BodySink, public BodySource {
 public:
  CoroSession(CoroState& state, Stream& stream);
  ~CoroSession();
  CoroSession(const CoroSession&) = delete;
  CoroSession& operator=(const CoroSession&) = delete;

  // Serves requests until the connection ends.
  Task<> run();
  // The server is stopping (coro_state.h). Loop thread, outside the coroutine.
  void on_stopping();
  // The stopping deadline of a connection waiting for its next request passed.
  void expire(Deadlines::Kind kind);

  // Exchange.
  Buffer& output() override { return out_; }
  std::error_code commit() override { return {}; }
  void completed() override {
    response_ended_ = true;
    meter_.response(x_->response.status_code());
  }
  Responder defer() override;
  std::error_code queue_file(int fd, uint64_t offset, uint64_t length) override;
  size_t unsent() const override { return stream_.unsent() + out_.size(); }
  bool congested() const override;
  void on_drain(std::function<void()> fn) override;
  Task<std::error_code> flush() override;
  bool writable() const override { return stream_.is_open() && !closing_; }
  TimePoint now() const override;
  std::string_view server_name() const override;

  // BodySource: the next piece of a streamed body.
  Task<Result<std::string_view>> next_body_piece() override;

  weft::detail::ListHook<CoroSession> link_;  // In its CoroLoop's sessions.

 private:
  struct Next {
    RequestParser::Event event = RequestParser::Event::need_more;
    std::error_code error;  // The stream failed or timed out first.
  };

  void on_body_bytes(std::string_view piece) override;
  // Feeds the parser until its next event, reading from the stream as needed; with piece
  // set, also returns (event need_more) once a read has brought a piece of the body.
  Task<Next> next_event(bool piece = false);
  // How long the next read may wait, or zero for no limit (between: no request begun).
  Duration read_timeout(bool between) const;
  // Before waiting for the next request while the server stops: false to end instead.
  bool wait_for_one_more();
  // Ends a session waiting for its next request.
  void end_idle();
  // Moves unparsed input into the session's own storage (before a coroutine may await).
  void keep_input();
  Task<> serve_request();
  Task<> call_handler();
  // Hands the buffered response, then any file, to the stream.
  Task<std::error_code> send_output();
  Task<std::error_code> send_file();
  // One error response with Connection: close, sent; then the stream closes.
  Task<> reject(int status);
  void arm_handler_deadline();
  void disarm_handler_deadline();

  CoroState& state_;
  CoroLoop& home_;
  Stream& stream_;
  EventLoop* loop_;  // The stream's, kept: a closed stream no longer names it.
  RequestMeter meter_;
  weft::detail::CoroContext* tree_ = nullptr;  // The connection's coroutine tree.
  ExchangeState* x_ = nullptr;                 // Lent by home_ while a request is on the connection.
  Buffer out_;
  std::string_view input_;  // Unparsed input: a read's view, or carry_.
  TimePoint message_start_{};
  TimerId handler_timer_;
  uint64_t requests_ = 0;
  int file_fd_ = -1;
  uint64_t file_offset_ = 0;
  uint64_t file_left_ = 0;
  bool response_ended_ = false;
  bool message_ended_ = false;
  bool streaming_ = false;
  bool closing_ = false;
  bool idle_ = false;        // Waiting for the next request.
  bool in_request_ = false;  // x_->response belongs to the current request.
  bool upgraded_ = false;    // Inside an upgraded protocol's coroutine.
};

}  // namespace weft::http::detail
