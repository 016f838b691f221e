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
// Loop thread only, inside the connection's coroutine.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/exchange.h"
#include "http/request_meter.h"
#include "http/request_parser.h"
#include "http/route.h"
#include "weft/coro/coro_server.h"
#include "weft/coro/stream.h"
#include "weft/http/options.h"
#include "weft/http/router.h"
#include "weft/http/stats.h"

namespace weft::http::detail {

struct CoroState {
  CoroState(const Router& r, Options o) : router(r), options(std::move(o)) {}
  const Router& router;
  const Options options;
  std::unique_ptr<weft::CoroServer> runtime;
  std::atomic<bool> stopping{false};
  // Per I/O loop, made with the server (before its loops run), read by any thread.
  std::vector<std::pair<EventLoop*, std::unique_ptr<RequestStats>>> stats;

  RequestStats& stats_for(EventLoop* loop) {
    for (auto& [l, s] : stats) {
      if (l == loop) return *s;
    }
    return *stats.front().second;
  }
};

// The coroutine that serves one connection.
Task<> serve_connection(CoroState* state, Stream stream);

class CoroSession final : public Exchange, private BodySink, public BodySource {
 public:
  CoroSession(CoroState& state, Stream& stream);
  ~CoroSession();
  CoroSession(const CoroSession&) = delete;
  CoroSession& operator=(const CoroSession&) = delete;

  // Serves requests until the connection ends.
  Task<> run();

  // Exchange.
  Buffer& output() override { return out_; }
  std::error_code commit() override { return {}; }
  void completed() override {
    response_ended_ = true;
    meter_.response(response_.status_code());
  }
  Responder defer() override;
  std::error_code queue_file(int fd, uint64_t offset, uint64_t length) override;
  size_t unsent() const override { return stream_.unsent() + out_.size(); }
  bool congested() const override;
  void on_drain(std::function<void()> fn) override;
  Task<std::error_code> flush() override;
  bool writable() const override { return stream_.is_open() && !closing_; }
  TimePoint now() const override;
  std::string_view server_name() const override { return state_.options.server_name; }

  // BodySource: the next piece of a streamed body.
  Task<Result<std::string_view>> next_body_piece() override;

 private:
  struct Next {
    RequestParser::Event event = RequestParser::Event::need_more;
    std::error_code error;  // The stream failed or timed out first.
  };

  void on_body_bytes(std::string_view piece) override;
  // Feeds the parser until its next event, reading from the stream as needed; with piece
  // set, also returns (event need_more) once a read has brought a piece of the body.
  Task<Next> next_event(bool piece = false);
  // How long the next read may wait, or zero for no limit.
  Duration read_timeout() const;
  // Moves unparsed input into the session's own storage (before a coroutine may await).
  void keep_input();
  Task<> serve_request();
  Task<> call_handler();
  void call_callback();
  // Hands the buffered response, then any file, to the stream.
  Task<std::error_code> send_output();
  Task<std::error_code> send_file();
  // One error response with Connection: close, sent; then the stream closes.
  Task<> reject(int status);
  void arm_handler_deadline();
  void disarm_handler_deadline();

  CoroState& state_;
  Stream& stream_;
  EventLoop* loop_;  // The stream's, kept: a closed stream no longer names it.
  RequestMeter meter_;
  weft::detail::CoroContext* tree_ = nullptr;  // The connection's coroutine tree, for the handler deadline.
  RequestParser parser_;
  Response response_;
  Buffer out_;
  const Route* route_ = nullptr;
  std::string head_store_;
  std::string body_store_;
  std::string carry_;       // Input read past the current request, kept aside.
  std::string_view input_;  // Unparsed input: a read's view, or carry_.
  std::string allow_;
  std::string piece_;                    // A streamed body's piece for next_body_piece().
  std::vector<std::string_view> parts_;  // out_'s blocks, handed to the stream.
  std::function<void()> drain_;
  TimePoint message_start_{};
  TimerId handler_timer_;
  int route_status_ = 0;
  uint64_t requests_ = 0;
  int file_fd_ = -1;
  uint64_t file_offset_ = 0;
  uint64_t file_left_ = 0;
  bool response_ended_ = false;
  bool message_ended_ = false;
  bool streaming_ = false;
  bool closing_ = false;
};

}  // namespace weft::http::detail
