#include "ws/frame_codec.h"

#include <cstring>

#include "weft/ws/frame.h"

namespace weft::ws {

bool sendable_close_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

namespace detail {

size_t header_size(uint8_t b1) {
  const uint8_t len7 = b1 & 0x7F;
  const size_t mask = (b1 & 0x80) != 0 ? 4 : 0;
  if (len7 == 126) return 4 + mask;
  if (len7 == 127) return 10 + mask;
  return 2 + mask;
}

void parse_header(std::string_view bytes, FrameHeader& h) {
  const auto b0 = static_cast<uint8_t>(bytes[0]);
  const auto b1 = static_cast<uint8_t>(bytes[1]);
  h.fin = (b0 & 0x80) != 0;
  h.rsv1 = (b0 & 0x40) != 0;
  h.rsv2 = (b0 & 0x20) != 0;
  h.rsv3 = (b0 & 0x10) != 0;
  h.opcode = b0 & 0x0F;
  h.masked = (b1 & 0x80) != 0;
  const uint8_t len7 = b1 & 0x7F;
  size_t at = 2;
  if (len7 == 126) {
    h.length = static_cast<uint64_t>(static_cast<uint8_t>(bytes[2])) << 8 | static_cast<uint8_t>(bytes[3]);
    h.minimal_length = h.length >= 126;
    at = 4;
  } else if (len7 == 127) {
    h.length = 0;
    for (int i = 0; i < 8; ++i) h.length = h.length << 8 | static_cast<uint8_t>(bytes[2 + i]);
    h.minimal_length = h.length > 0xFFFF;
    at = 10;
  } else {
    h.length = len7;
    h.minimal_length = true;
  }
  if (h.masked) {
    std::memcpy(h.mask, bytes.data() + at, 4);
    at += 4;
  }
  h.size = at;
}

size_t write_header(char* out, uint8_t opcode, bool fin, bool rsv1, uint64_t length) {
  out[0] = static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0F));
  if (length < 126) {
    out[1] = static_cast<char>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<char>(length >> 8);
    out[3] = static_cast<char>(length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(length >> (56 - 8 * i));
  return 10;
}

void append_frame(Buffer& out, uint8_t opcode, bool fin, bool rsv1, std::string_view payload) {
  char header[kMaxHeaderSize];
  const size_t size = write_header(header, opcode, fin, rsv1, payload.size());
  std::span<char> space = out.prepare();
  if (space.size() >= size + payload.size()) {
    std::memcpy(space.data(), header, size);
    if (!payload.empty()) std::memcpy(space.data() + size, payload.data(), payload.size());
    out.commit(size + payload.size());
    return;
  }
  out.append(std::string_view(header, size));
  if (!payload.empty()) out.append(payload);
}

void unmask_copy(char* dst, const char* src, size_t n, const uint8_t (&key)[4], uint64_t offset) {
  // The key rotated so that byte 0 of this piece lines up with key[offset % 4].
  uint8_t k[4];
  for (int i = 0; i < 4; ++i) k[i] = key[(offset + i) % 4];
  uint32_t k32;
  std::memcpy(&k32, k, 4);
  const uint64_t k64 = static_cast<uint64_t>(k32) << 32 | k32;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, src + i, 8);
    v ^= k64;
    std::memcpy(dst + i, &v, 8);
  }
  for (; i < n; ++i) dst[i] = static_cast<char>(src[i] ^ static_cast<char>(k[i % 4]));
}

}  // namespace detail
}  // namespace weft::ws
