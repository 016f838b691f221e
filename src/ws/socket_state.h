#pragma once
// SocketState: one WebSocket served by a coroutine over a Stream (http::CoroServer); what
// ws::Socket's operations run on. It lives in the frame of the route's upgrade coroutine.
// Loop thread only, inside that coroutine.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/coro/stream.h"
#include "weft/ws/socket.h"
#include "ws/deflate.h"
#include "ws/handshake.h"
#include "ws/message_decoder.h"

namespace weft::ws::detail {

class SocketState {
 public:
  SocketState(Stream& stream, const Options& options, const Handshake& handshake, std::string path);

  Task<Result<Message>> read();
  Task<std::error_code> write(std::string_view data, MessageType type);
  Task<std::error_code> write(const Frame& frame);
  Task<std::error_code> ping(std::string_view payload);
  Task<> close(uint16_t code, std::string_view reason);
  // After the application's coroutine: closes with 1000 unless a close was exchanged.
  Task<> finish();

  uint16_t close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& path() const { return path_; }
  const std::string& subprotocol() const { return subprotocol_; }
  bool compressed() const { return inflater_ != nullptr; }
  Address remote_address() const { return stream_.remote_address(); }

 private:
  enum class Phase : uint8_t { open, closing, closed };

  Task<std::error_code> send_frame(uint8_t opcode, bool rsv1, std::string_view payload);
  // Ends the connection, remembering why.
  void end(uint16_t code, std::string_view reason);
  // Moves unparsed input into own storage: the read's view dies at the caller's next await.
  void keep_input();

  Stream& stream_;
  const Options& options_;
  std::unique_ptr<Inflater> inflater_;
  MessageDecoder decoder_;
  std::unique_ptr<Deflater> deflater_;
  DeflateParams deflate_;
  std::string compressed_;
  std::string_view input_;
  std::string carry_;
  std::string path_;
  std::string subprotocol_;
  std::string close_reason_;
  uint16_t close_code_ = close_code::abnormal;
  Phase phase_ = Phase::open;
  bool awaiting_pong_ = false;
};

}  // namespace weft::ws::detail
