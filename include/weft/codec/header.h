#pragma once
// A small binary header protocol:
//
//   magic (4 bytes) | version (1) | type (2, big-endian) | payload length (4, big-endian) | payload
//
// The decoder checks the magic and version byte by byte as they arrive, so a client that
// speaks another protocol is refused at its first wrong byte: Errc::protocol_error, fatal.
// A payload longer than max_payload is reported as Errc::frame_too_long (non-fatal) as soon
// as the header is read; its bytes are then skipped and decoding resumes at the next frame.
// Frames carry the type in Decoded::type / Frame::type.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "weft/codec/codec.h"

namespace weft::codec {

struct HeaderOptions {
  std::string magic = "WEFT";  // Exactly 4 bytes.
  uint8_t version = 1;         // The only version accepted, and the one written.
  uint32_t max_payload = 1024 * 1024;
};

class HeaderDecoder final : public Decoder {
 public:
  static constexpr size_t kHeaderSize = 11;

  // Throws std::invalid_argument unless the magic is 4 bytes.
  explicit HeaderDecoder(const HeaderOptions& options = {});

  Decoded decode(const InputView& in) override;
  void reset() override;
  size_t max_buffered() const override { return kHeaderSize + max_payload_; }

 private:
  std::array<char, 5> expected_;  // Magic and version.
  uint32_t max_payload_;
  uint64_t discard_left_ = 0;  // Payload bytes of a too-long frame still to skip.
};

// Refuses a type over 0xFFFF (std::errc::invalid_argument) and a payload over max_payload
// (Errc::frame_too_long).
class HeaderEncoder final : public Encoder {
 public:
  explicit HeaderEncoder(const HeaderOptions& options = {});

 private:
  std::error_code do_encode(std::string_view payload, Buffer& out, uint32_t type) const override;

  std::array<char, 5> prefix_;
  uint32_t max_payload_;
};

CodecFactory header_codec(const HeaderOptions& options = {});

}  // namespace weft::codec
