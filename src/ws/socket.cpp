#include "weft/ws/socket.h"

#include <stdexcept>

#include "weft/core/error.h"
#include "weft/coro/with_timeout.h"
#include "ws/frame_codec.h"
#include "ws/socket_state.h"

namespace weft::ws {
namespace detail {
namespace {

std::error_code closed() {
  return make_error_code(Errc::closed);
}

std::string close_payload(uint16_t code, std::string_view reason) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code);
  p += reason;
  return p;
}

}  // namespace

SocketState::SocketState(Stream& stream, const Options& options, const Handshake& handshake, std::string path)
    : stream_(stream),
      options_(options),
      inflater_(handshake.deflate ? std::make_unique<Inflater>() : nullptr),
      decoder_(options.max_message, inflater_.get(), handshake.deflate_params.client_no_context_takeover),
      deflate_(handshake.deflate_params),
      path_(std::move(path)),
      subprotocol_(handshake.subprotocol) {
  if (handshake.deflate) deflater_ = std::make_unique<Deflater>(deflate_.server_max_window_bits);
}

void SocketState::end(uint16_t code, std::string_view reason) {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  close_code_ = code;
  close_reason_.assign(reason);
  stream_.close();
}

void SocketState::keep_input() {
  if (input_.empty()) return;
  if (input_.data() >= carry_.data() && input_.data() <= carry_.data() + carry_.size()) {
    carry_.erase(0, static_cast<size_t>(input_.data() - carry_.data()));
  } else {
    carry_.assign(input_);
  }
  input_ = carry_;
}

Task<Result<Message>> SocketState::read() {
  for (;;) {
    if (phase_ == Phase::closed) co_return closed();
    if (input_.empty()) {
      Duration wait = Duration::zero();
      if (phase_ == Phase::closing) {
        wait = options_.close_timeout;
      } else if (options_.ping_interval > Duration::zero()) {
        wait = awaiting_pong_ ? options_.ping_timeout : options_.ping_interval;
      }
      // Not a conditional expression of two co_awaits: GCC 12 mishandles the temporaries.
      Result<std::string_view> got = make_error_code(Errc::closed);
      if (wait > Duration::zero()) {
        got = co_await with_timeout(wait, stream_.read_some());
      } else {
        got = co_await stream_.read_some();
      }
      if (!got) {
        if (got.error() == Errc::timeout && phase_ == Phase::open && !awaiting_pong_) {
          awaiting_pong_ = true;
          co_await send_frame(kPing, false, {});
          continue;
        }
        end(close_code::abnormal, got.error() == Errc::timeout ? "timed out" : "");
        co_return closed();
      }
      input_ = *got;
      awaiting_pong_ = false;
    }
    const MessageDecoder::Step step = decoder_.feed(input_);
    input_.remove_prefix(step.used);
    switch (step.event) {
      case MessageDecoder::Event::need_more: break;
      case MessageDecoder::Event::message:
        if (phase_ != Phase::open) break;  // Dropped while closing.
        keep_input();
        co_return Message{decoder_.type(), decoder_.payload()};
      case MessageDecoder::Event::ping:
        if (phase_ == Phase::open) co_await send_frame(kPong, false, decoder_.payload());
        break;
      case MessageDecoder::Event::pong: break;
      case MessageDecoder::Event::close: {
        const uint16_t code = decoder_.code();
        const std::string reason(decoder_.payload());
        if (phase_ == Phase::open) {
          // Named, not a temporary: GCC 12 mishandles temporaries of a conditional inside a
          // co_await expression (destroys them twice).
          const std::string answer = code == close_code::no_status ? std::string() : close_payload(code, {});
          co_await send_frame(kClose, false, answer);
        }
        end(code, reason);
        co_return closed();
      }
      case MessageDecoder::Event::error: {
        const uint16_t code = decoder_.code();
        const std::string reason(decoder_.error_reason());
        if (phase_ == Phase::open) {
          const std::string answer = close_payload(code, {});
          co_await send_frame(kClose, false, answer);
        }
        end(code, reason);
        co_return closed();
      }
    }
  }
}

Task<std::error_code> SocketState::send_frame(uint8_t opcode, bool rsv1, std::string_view payload) {
  char header[kMaxHeaderSize];
  const size_t size = write_header(header, opcode, true, rsv1, payload.size());
  const std::string_view parts[2] = {std::string_view(header, size), payload};
  co_return co_await stream_.writev(std::span<const std::string_view>(parts, payload.empty() ? 1 : 2));
}

Task<std::error_code> SocketState::write(std::string_view data, MessageType type) {
  if (phase_ != Phase::open) co_return closed();
  const auto opcode = static_cast<uint8_t>(type);
  if (deflater_ && data.size() >= options_.compression.threshold &&
      deflater_->deflate(data, compressed_, deflate_.server_no_context_takeover)) {
    co_return co_await send_frame(opcode, true, compressed_);
  }
  co_return co_await send_frame(opcode, false, data);
}

Task<std::error_code> SocketState::write(const Frame& frame) {
  if (phase_ != Phase::open) co_return closed();
  co_return co_await stream_.write(frame.bytes().view());
}

Task<std::error_code> SocketState::ping(std::string_view payload) {
  if (payload.size() > 125) co_return std::make_error_code(std::errc::message_size);
  if (phase_ != Phase::open) co_return closed();
  co_return co_await send_frame(kPing, false, payload);
}

Task<> SocketState::close(uint16_t code, std::string_view reason) {
  if (!sendable_close_code(code)) throw std::invalid_argument("ws::Socket::close: code " + std::to_string(code));
  if (reason.size() > 123) throw std::invalid_argument("ws::Socket::close: reason longer than 123 bytes");
  if (phase_ != Phase::open) co_return;
  const std::string mine(reason);
  phase_ = Phase::closing;
  const std::string payload = close_payload(code, mine);
  if (co_await send_frame(kClose, false, payload)) {
    end(code, mine);
    co_return;
  }
  // The client's close ends read() (messages meanwhile are dropped), or the timeout does.
  while (phase_ != Phase::closed) (void)co_await read();
}

Task<> SocketState::finish() {
  if (phase_ == Phase::open) co_await close(close_code::normal, {});
  end(close_code_, close_reason_);
}

}  // namespace detail

Task<Result<Message>> Socket::read() {
  return state_->read();
}
Task<std::error_code> Socket::write(std::string_view data, MessageType type) {
  return state_->write(data, type);
}
Task<std::error_code> Socket::write(const Frame& frame) {
  return state_->write(frame);
}
Task<std::error_code> Socket::ping(std::string_view payload) {
  return state_->ping(payload);
}
Task<> Socket::close(uint16_t code, std::string_view reason) {
  return state_->close(code, reason);
}
uint16_t Socket::close_code() const {
  return state_->close_code();
}
const std::string& Socket::close_reason() const {
  return state_->close_reason();
}
const std::string& Socket::path() const {
  return state_->path();
}
const std::string& Socket::subprotocol() const {
  return state_->subprotocol();
}
bool Socket::compressed() const {
  return state_->compressed();
}
Address Socket::remote_address() const {
  return state_->remote_address();
}

}  // namespace weft::ws
