#pragma once
// WebSocket message types, close codes, and Frame: a message encoded once, as the server
// sends it, to be sent to many connections without a copy per receiver.
//
//   ws::Frame news = ws::Frame::text("the room is open");   // encoded (and copied) once
//   for (ws::Handle& h : room) h.send(news);                // a reference each
//
// A Frame is never compressed (RFC 7692 lets every message choose), so the same bytes suit
// every connection, whatever it negotiated. Any thread; cheap to copy.

#include <cstdint>
#include <string_view>

#include "weft/core/shared_bytes.h"

namespace weft::ws {

enum class MessageType : uint8_t { text = 1, binary = 2 };

// Close codes (RFC 6455 7.4.1).
namespace close_code {
inline constexpr uint16_t normal = 1000;
inline constexpr uint16_t going_away = 1001;
inline constexpr uint16_t protocol_error = 1002;
inline constexpr uint16_t unsupported_data = 1003;
inline constexpr uint16_t no_status = 1005;  // Reported, never sent: the close had no code.
inline constexpr uint16_t abnormal = 1006;   // Reported, never sent: no close frame at all.
inline constexpr uint16_t invalid_data = 1007;
inline constexpr uint16_t policy_violation = 1008;
inline constexpr uint16_t message_too_big = 1009;
inline constexpr uint16_t internal_error = 1011;
}  // namespace close_code

// Whether code may be sent in a close frame: 1000-1003, 1007-1011, 3000-4999.
bool sendable_close_code(uint16_t code);

class Frame {
 public:
  Frame() = default;
  static Frame text(std::string_view data) { return Frame(MessageType::text, data); }
  static Frame binary(std::string_view data) { return Frame(MessageType::binary, data); }

  // The encoded frame (header and payload).
  const SharedBytes& bytes() const { return bytes_; }
  MessageType type() const { return type_; }
  bool empty() const { return bytes_.empty(); }

 private:
  Frame(MessageType type, std::string_view data);
  SharedBytes bytes_;
  MessageType type_ = MessageType::text;
};

}  // namespace weft::ws
