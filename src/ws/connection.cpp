#include "ws/connection.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "weft/core/error.h"
#include "weft/core/log.h"
#include "ws/frame_codec.h"

namespace weft::ws {
namespace detail {
namespace {

// One loop's timeout lists, by duration. Thread-local: a loop is one thread, and several
// servers' loops never share one.
struct LoopLists {
  EventLoop* loop;
  std::vector<std::unique_ptr<http::detail::TimeoutList>> lists;
};
thread_local std::vector<LoopLists> t_lists;

void expire(http::detail::TimeoutHook& hook) {
  static_cast<Connection&>(hook).on_timeout();
}

std::error_code closed() {
  return make_error_code(Errc::closed);
}

}  // namespace

http::detail::TimeoutList& timeout_list(EventLoop& loop, Duration timeout) {
  LoopLists* mine = nullptr;
  for (LoopLists& l : t_lists) {
    if (l.loop == &loop) mine = &l;
  }
  if (mine == nullptr) mine = &t_lists.emplace_back(LoopLists{&loop, {}});
  for (auto& list : mine->lists) {
    if (list->timeout() == timeout) return *list;
  }
  return *mine->lists.emplace_back(std::make_unique<http::detail::TimeoutList>(loop, timeout, expire));
}

Connection::Connection(Conn& conn, Handler& handler, const Options& options, const Handshake& handshake,
                       std::string path)
    : conn_(conn),
      handler_(handler),
      options_(options),
      inflater_(handshake.deflate ? std::make_unique<Inflater>() : nullptr),
      decoder_(options.max_message, inflater_.get(), handshake.deflate_params.client_no_context_takeover),
      deflate_(handshake.deflate_params) {
  path_ = std::move(path);
  subprotocol_ = handshake.subprotocol;
  compressed_ = handshake.deflate;
  if (handshake.deflate) deflater_ = std::make_unique<Deflater>(deflate_.server_max_window_bits);
}

Connection::~Connection() {
  http::detail::TimeoutList::leave(*this);
}

void Connection::start() {
  wait_for_traffic();
  try {
    handler_.on_open(*this);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "WebSocket on_open threw: %s", e.what());
    fail(close_code::internal_error, "internal error");
  }
}

void Connection::wait_for_traffic() {
  awaiting_pong_ = false;
  if (options_.ping_interval > Duration::zero()) timeout_list(conn_.loop(), options_.ping_interval).enter(*this);
}

// --- input ---------------------------------------------------------------------------

void Connection::on_traffic(Conn& conn) {
  if (phase_ == Phase::closed) {
    conn.discard();
    return;
  }
  if (phase_ == Phase::open) wait_for_traffic();
  const InputView in = conn.inbound();
  for (size_t s = 0; s < in.segment_count() && phase_ != Phase::closed; ++s) {
    std::string_view bytes = in.segment(s);
    while (!bytes.empty() && phase_ != Phase::closed) {
      const MessageDecoder::Step step = decoder_.feed(bytes);
      bytes.remove_prefix(step.used);
      conn.discard(step.used);
      try {
        switch (step.event) {
          case MessageDecoder::Event::need_more: break;
          case MessageDecoder::Event::message:
            if (phase_ == Phase::open) handler_.on_message(*this, decoder_.type(), decoder_.payload());
            break;
          case MessageDecoder::Event::ping:
            if (phase_ == Phase::open) send_control(kPong, decoder_.payload());
            break;
          case MessageDecoder::Event::pong: handler_.on_pong(*this, decoder_.payload()); break;
          case MessageDecoder::Event::close:
            // Answer with the same code (none if it sent none), then close.
            if (phase_ == Phase::open) {
              const uint16_t code = decoder_.code();
              char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code)};
              send_control(kClose, code == close_code::no_status ? std::string_view() : std::string_view(payload, 2));
            }
            end(decoder_.code(), decoder_.payload());
            break;
          case MessageDecoder::Event::error: fail(decoder_.code(), decoder_.error_reason()); break;
        }
      } catch (const std::exception& e) {
        WEFT_LOG(LogLevel::error, "WebSocket handler threw: %s", e.what());
        fail(close_code::internal_error, "internal error");
      }
    }
  }
  // The client shut its side without a close frame.
  if (conn.input_ended() && phase_ != Phase::closed) end(close_code::abnormal, "");
}

void Connection::on_close(Conn&, CloseReason, std::error_code) {
  phase_ = Phase::closed;
  http::detail::TimeoutList::leave(*this);
  report(close_code::abnormal, "");
}

bool Connection::on_stopping(Conn&) {
  // The engine reads nothing more once the server stops, so the client's close frame
  // cannot be awaited: say going away, and let the connection close once flushed (its
  // lingering close absorbs the client's answer).
  if (phase_ == Phase::open)
    send_control(kClose,
                 "\x03\xe9"
                 "server stopping");  // 1001
  phase_ = Phase::closed;
  http::detail::TimeoutList::leave(*this);
  report(close_code::going_away, "server stopping");
  return true;
}

void Connection::on_high_water(Conn&) {
  high_water_ = true;
}

void Connection::on_low_water(Conn&) {
  high_water_ = false;
  if (phase_ != Phase::open) return;
  try {
    handler_.on_drain(*this);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "WebSocket on_drain threw: %s", e.what());
    fail(close_code::internal_error, "internal error");
  }
}

void Connection::on_timeout() {
  if (phase_ == Phase::closing) {
    end(close_code::abnormal, "no close frame from the client");
    return;
  }
  if (phase_ != Phase::open) return;
  if (awaiting_pong_) {
    end(close_code::abnormal, "no answer to a ping");
    return;
  }
  send_control(kPing, {});
  awaiting_pong_ = true;
  timeout_list(conn_.loop(), options_.ping_timeout).enter(*this);
}

// --- output --------------------------------------------------------------------------

void Connection::send_control(uint8_t opcode, std::string_view payload) {
  if (!conn_.writable()) return;
  append_frame(conn_.output(), opcode, true, false, payload);
  conn_.commit_output();
}

std::error_code Connection::send_message(std::string_view data, MessageType type) {
  if (phase_ != Phase::open || !conn_.writable()) return closed();
  const auto opcode = static_cast<uint8_t>(type);
  if (deflater_ && data.size() >= options_.compression.threshold &&
      deflater_->deflate(data, compressed_, deflate_.server_no_context_takeover)) {
    append_frame(conn_.output(), opcode, true, true, compressed_);
  } else {
    append_frame(conn_.output(), opcode, true, false, data);
  }
  return conn_.commit_output();
}

std::error_code Connection::send_frame(const Frame& frame) {
  if (phase_ != Phase::open) return closed();
  return conn_.write(frame.bytes());
}

std::error_code Connection::send_ping(std::string_view payload) {
  if (payload.size() > 125) return std::make_error_code(std::errc::message_size);
  if (phase_ != Phase::open || !conn_.writable()) return closed();
  send_control(kPing, payload);
  return {};
}

void Connection::start_close(uint16_t code, std::string_view reason) {
  if (!sendable_close_code(code)) throw std::invalid_argument("WebSocket::close: code " + std::to_string(code));
  if (reason.size() > 123) throw std::invalid_argument("WebSocket::close: reason longer than 123 bytes");
  if (phase_ != Phase::open) return;
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code);
  payload += reason;
  send_control(kClose, payload);
  phase_ = Phase::closing;
  timeout_list(conn_.loop(), options_.close_timeout).enter(*this);
}

void Connection::fail(uint16_t code, const char* reason) {
  if (phase_ == Phase::open) {
    char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code)};
    send_control(kClose, std::string_view(payload, 2));
  }
  end(code, reason);
}

void Connection::end(uint16_t code, std::string_view reason) {
  phase_ = Phase::closed;
  http::detail::TimeoutList::leave(*this);
  conn_.close();
  report(code, reason);
}

void Connection::report(uint16_t code, std::string_view reason) {
  if (reported_) return;
  reported_ = true;
  try {
    handler_.on_close(*this, code, reason);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "WebSocket on_close threw: %s", e.what());
  }
}

}  // namespace detail

// --- WebSocket -------------------------------------------------------------------------

detail::Connection& WebSocket::self() {
  return static_cast<detail::Connection&>(*this);
}
const detail::Connection& WebSocket::self() const {
  return static_cast<const detail::Connection&>(*this);
}

std::error_code WebSocket::send(std::string_view data, MessageType type) {
  return self().send_message(data, type);
}
std::error_code WebSocket::send(const Frame& frame) {
  return self().send_frame(frame);
}
std::error_code WebSocket::ping(std::string_view payload) {
  return self().send_ping(payload);
}
void WebSocket::close(uint16_t code, std::string_view reason) {
  self().start_close(code, reason);
}
Handle WebSocket::handle() const {
  return Handle(self().conn().handle());
}
bool WebSocket::is_open() const {
  return self().open();
}
size_t WebSocket::unsent() const {
  return self().conn().outbound_size();
}
bool WebSocket::congested() const {
  return self().congested();
}
Address WebSocket::remote_address() const {
  return self().conn().remote_address();
}

}  // namespace weft::ws
