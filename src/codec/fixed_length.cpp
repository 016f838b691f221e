#include "weft/codec/fixed_length.h"

#include <stdexcept>

namespace weft::codec {

FixedLengthDecoder::FixedLengthDecoder(size_t frame_length) : frame_length_(frame_length) {
  if (frame_length == 0) throw std::invalid_argument("fixed-length codec: frame_length must be at least 1");
}

Decoded FixedLengthDecoder::decode(const InputView& in) {
  if (in.size() < frame_length_) return Decoded::make_need_more(frame_length_ - in.size());
  return Decoded::make_frame(frame_length_, 0, frame_length_);
}

FixedLengthEncoder::FixedLengthEncoder(size_t frame_length) : frame_length_(frame_length) {
  if (frame_length == 0) throw std::invalid_argument("fixed-length codec: frame_length must be at least 1");
}

std::error_code FixedLengthEncoder::do_encode(std::string_view payload, Buffer& out, uint32_t) const {
  if (payload.size() != frame_length_) return std::make_error_code(std::errc::invalid_argument);
  out.append(payload);
  return {};
}

CodecFactory fixed_length_codec(size_t frame_length) {
  return detail::make_codec_factory(FixedLengthDecoder(frame_length), FixedLengthEncoder(frame_length));
}

}  // namespace weft::codec
