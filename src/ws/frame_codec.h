#pragma once
// WebSocket frame headers (RFC 6455 5.2), in and out.
//
//   0                   1                   2                   3
//   |F|R|R|R| opcode|M| len 7 bits  |  extended length (16 or 64)  |
//   |I|S|S|S|  (4)  |A|             |                               |
//   |N|V|V|V|       |S|             |                               |
//   | masking key (4 bytes, if MASK)                                |
//
// Parsing reads the layout only; what a server must refuse (an unmasked client frame,
// reserved bits, unknown opcodes, long or fragmented control frames, a length not in its
// shortest form) is decided by MessageDecoder.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "weft/core/buffer.h"

namespace weft::ws::detail {

enum Opcode : uint8_t { kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA };

inline bool is_control(uint8_t opcode) {
  return (opcode & 0x8) != 0;
}

struct FrameHeader {
  bool fin = false;
  bool rsv1 = false;
  bool rsv2 = false;
  bool rsv3 = false;
  bool masked = false;
  bool minimal_length = true;  // The length used its shortest encoding.
  uint8_t opcode = 0;
  uint64_t length = 0;
  uint8_t mask[4] = {};
  size_t size = 0;  // Bytes of the header.
};

inline constexpr size_t kMaxHeaderSize = 14;

// The size of the header whose first two bytes are b0 b1.
size_t header_size(uint8_t b1);
// Parses a header from the start of bytes (at least header_size() of them).
void parse_header(std::string_view bytes, FrameHeader& out);
// Writes a server (unmasked) header into out (kMaxHeaderSize bytes); returns its size.
size_t write_header(char* out, uint8_t opcode, bool fin, bool rsv1, uint64_t length);
// Appends a whole unmasked frame.
void append_frame(Buffer& out, uint8_t opcode, bool fin, bool rsv1, std::string_view payload);
// Copies n bytes from src to dst, unmasking with key as if they started `offset` bytes into
// the payload.
void unmask_copy(char* dst, const char* src, size_t n, const uint8_t (&key)[4], uint64_t offset);

}  // namespace weft::ws::detail
