#pragma once
// Fixed-length framing: every frame is exactly frame_length bytes (netty's
// FixedLengthFrameDecoder). There is nothing to get wrong on the wire, so the decoder
// never reports an error.

#include <cstddef>

#include "weft/codec/codec.h"

namespace weft::codec {

class FixedLengthDecoder final : public Decoder {
 public:
  // Throws std::invalid_argument when frame_length is 0.
  explicit FixedLengthDecoder(size_t frame_length);

  Decoded decode(const InputView& in) override;
  void reset() override {}
  size_t max_buffered() const override { return frame_length_; }

 private:
  size_t frame_length_;
};

// Refuses (std::errc::invalid_argument) a payload that is not exactly frame_length bytes.
class FixedLengthEncoder final : public Encoder {
 public:
  explicit FixedLengthEncoder(size_t frame_length);

 private:
  std::error_code do_encode(std::string_view payload, Buffer& out, uint32_t type) const override;

  size_t frame_length_;
};

CodecFactory fixed_length_codec(size_t frame_length);

}  // namespace weft::codec
