#pragma once
// ConnSession: HTTP/1.1 on one connection, for the callback API. It lives in the
// connection's protocol attachment slot and is driven by the server's Handler.
//
// Input. Bytes are parsed from the connection's input views without copying. The bytes
// of the current message stay in the connection's input while it is parsed ("kept"), so
// the head, and a Content-Length body, are views into them when the handler runs; they
// are copied only when they lie in two blocks. A chunked body, and any body of a route
// that streams it, is instead consumed as it is parsed, with the head copied aside
// ("pinned") first, so that memory stays bounded by the body limit.
//
// Order. After a message ends, nothing more is parsed until its response is complete:
// pipelined requests are answered in order, and a deferred response keeps the requests
// behind it waiting in the input (reading pauses when they pile up). Responses written in
// one pass over the input leave in one send.
//
// Memory. The parser, the response and their storage are an ExchangeState lent by the
// loop while a request is on the connection (exchange_state.h); an idle keep-alive
// connection holds this session only.
//
// Loop thread only.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/deadlines.h"
#include "http/exchange.h"
#include "http/exchange_state.h"
#include "http/request_meter.h"
#include "http/server_state.h"
#include "weft/core/input_view.h"
#include "weft/net/conn.h"

namespace weft::http::detail {

class ConnSession final : public Conn::Attachment, public Exchange, public Deadlines::Hook, private BodySink {
 public:
  ConnSession(ServerState& server, LoopState& loop, Conn& conn);
  ~ConnSession() override;

  // The connection's events, forwarded by the server's Handler.
  void on_traffic();
  void on_close(CloseReason reason, std::error_code error);
  void on_high_water();
  void on_low_water();
  // The server is stopping: a response in progress is finished (and then the connection
  // closes); otherwise the connection closes once flushed (true), unless
  // Timeouts::idle_on_stop keeps it for one more request.
  bool on_stopping();
  // A deadline of this session's passed.
  void expire(Deadlines::Kind kind);
  // The protocol the connection was upgraded to, if any.
  Upgraded* upgraded() const { return upgraded_.get(); }

  // Responder's work, on the loop thread: runs fn with the response if exchange is still
  // the current one and incomplete. Returns false (fn not run) otherwise.
  bool run_deferred(uint64_t exchange, const std::function<void(Response&)>& fn);
  // A Responder went away; if its response is still incomplete, answer 500 and close.
  void abandon(uint64_t exchange);

  // Exchange.
  Buffer& output() override;
  std::error_code commit() override;
  void completed() override;
  Responder defer() override;
  std::error_code queue_file(int fd, uint64_t offset, uint64_t length) override;
  size_t unsent() const override;
  bool congested() const override;
  void on_drain(std::function<void()> fn) override;
  Task<std::error_code> flush() override;
  bool writable() const override;
  TimePoint now() const override;
  std::string_view server_name() const override;

 private:
  enum class State : uint8_t { open, closing, upgraded };

  void on_body_bytes(std::string_view piece) override;
  // Parses and answers what is buffered, until the input runs out or a response is due.
  void process();
  void on_head(const InputView& in, size_t& base);
  void on_message_end(const InputView& in, size_t& base);
  void pin_head(const InputView& in, size_t& base);
  void call_handler();
  void after_handler();
  void start_upgrade(const InputView& in, size_t& base);
  // The response is complete and the message has ended: prepare for the next request.
  void finish_exchange();
  // Borrows the exchange state if the session has none; gives it back when no request is
  // on the connection (between requests, with no input left).
  void borrow();
  void give_back_if_idle();
  // Answers status (keep_alive: as the request allows) without calling a handler.
  void answer(int status, bool keep_alive, std::string_view extra = {});
  // Rejects the stream: one error response with Connection: close, then close.
  void reject(int status);
  // Closes after what was written.
  void close_now();
  void drained();
  void watch_drain();
  void wait_for(Deadlines::Kind kind) { loop_.deadlines.enter(*this, kind); }

  ServerState& server_;
  LoopState& loop_;
  RequestMeter meter_;
  Conn* conn_;
  ExchangeState* x_ = nullptr;  // Lent by loop_.exchanges while a request is on the connection.
  std::unique_ptr<Upgraded> upgraded_;
  uint64_t exchange_ = 0;  // Number of the current request, for Responders.
  uint64_t requests_ = 0;  // Requests answered on this connection.
  size_t pending_ = 0;     // Bytes of the current message parsed and kept in the input.
  State state_ = State::open;
  bool consume_ = false;     // The current message's bytes are dropped as they are parsed.
  bool dispatched_ = false;  // The handler of the current message was called.
  bool message_ended_ = false;
  bool response_ended_ = false;  // send() or end() was called.
  bool in_process_ = false;
  bool reading_paused_ = false;
  bool high_water_ = false;
  TimerId drain_timer_;
};

}  // namespace weft::http::detail
