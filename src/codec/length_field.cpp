#include "weft/codec/length_field.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "codec/byte_order.h"

namespace weft::codec {
namespace {

bool supported_length(size_t n) {
  return n == 1 || n == 2 || n == 3 || n == 4 || n == 8;
}

[[noreturn]] void reject(const char* what, const std::string& why) {
  throw std::invalid_argument(std::string(what) + ": " + why);
}

}  // namespace

LengthFieldDecoder::LengthFieldDecoder(const LengthFieldOptions& options)
    : max_frame_length_(options.max_frame_length),
      offset_(options.length_field_offset),
      length_(options.length_field_length),
      end_offset_(options.length_field_offset + options.length_field_length),
      adjustment_(options.length_adjustment),
      strip_(options.initial_bytes_to_strip),
      order_(options.byte_order),
      fail_fast_(options.fail_fast) {
  const char* what = "LengthFieldOptions";
  if (!supported_length(length_)) {
    reject(what, "length_field_length must be 1, 2, 3, 4 or 8 (got " + std::to_string(length_) + ")");
  }
  if (max_frame_length_ == 0 || max_frame_length_ > static_cast<size_t>(INT64_MAX)) {
    reject(what, "max_frame_length must be between 1 and 2^63 - 1 (got " + std::to_string(max_frame_length_) + ")");
  }
  if (max_frame_length_ < length_ || offset_ > max_frame_length_ - length_) {
    reject(what, "max_frame_length (" + std::to_string(max_frame_length_) + ") must be at least length_field_offset (" +
                     std::to_string(offset_) + ") + length_field_length (" + std::to_string(length_) + ")");
  }
  if (strip_ > max_frame_length_) {
    reject(what, "initial_bytes_to_strip (" + std::to_string(strip_) + ") is larger than max_frame_length (" +
                     std::to_string(max_frame_length_) + "), so no frame could ever be decoded");
  }
}

void LengthFieldDecoder::reset() {
  discarding_ = false;
  discard_left_ = 0;
}

Decoded LengthFieldDecoder::decode(const InputView& in) {
  if (discarding_) return discard(in);
  const size_t n = in.size();
  if (n < end_offset_) return Decoded::make_need_more(end_offset_ - n);

  char tmp[8];
  const uint64_t value = detail::load_uint(detail::peek(in, offset_, length_, tmp), length_, order_);
  // netty reads an 8-byte field as a signed long and refuses a negative one.
  if (value > static_cast<uint64_t>(INT64_MAX)) {
    return Decoded::make_error(Errc::corrupted_frame, end_offset_, true);
  }
  int64_t frame = 0;
  const bool overflow = __builtin_add_overflow(static_cast<int64_t>(value), adjustment_, &frame) ||
                        __builtin_add_overflow(frame, static_cast<int64_t>(end_offset_), &frame);
  if (!overflow && frame < static_cast<int64_t>(end_offset_)) {
    return Decoded::make_error(Errc::corrupted_frame, end_offset_, true);
  }
  if (overflow || static_cast<uint64_t>(frame) > max_frame_length_) {
    const uint64_t total = overflow ? UINT64_MAX : static_cast<uint64_t>(frame);
    if (n >= total) return Decoded::make_error(Errc::frame_too_long, total, false);
    discarding_ = true;
    discard_left_ = total - n;
    return fail_fast_ ? Decoded::make_error(Errc::frame_too_long, n, false) : Decoded::make_skip(n);
  }

  const size_t frame_length = static_cast<size_t>(frame);
  if (n < frame_length) return Decoded::make_need_more(frame_length - n);
  if (strip_ > frame_length) return Decoded::make_error(Errc::corrupted_frame, frame_length, false);
  return Decoded::make_frame(frame_length, strip_, frame_length - strip_);
}

Decoded LengthFieldDecoder::discard(const InputView& in) {
  const uint64_t take = std::min<uint64_t>(discard_left_, in.size());
  if (take == 0) return Decoded::make_need_more(1);
  discard_left_ -= take;
  const size_t used = static_cast<size_t>(take);
  if (discard_left_ > 0) return Decoded::make_skip(used);
  discarding_ = false;
  return fail_fast_ ? Decoded::make_skip(used) : Decoded::make_error(Errc::frame_too_long, used, false);
}

LengthFieldPrepender::LengthFieldPrepender(const LengthFieldPrependerOptions& options)
    : length_(options.length_field_length),
      adjustment_(options.length_adjustment),
      includes_field_(options.length_includes_length_field),
      order_(options.byte_order) {
  if (!supported_length(length_)) {
    reject("LengthFieldPrependerOptions",
           "length_field_length must be 1, 2, 3, 4 or 8 (got " + std::to_string(length_) + ")");
  }
}

std::error_code LengthFieldPrepender::do_encode(std::string_view payload, Buffer& out, uint32_t) const {
  int64_t length = 0;
  if (payload.size() > static_cast<size_t>(INT64_MAX) ||
      __builtin_add_overflow(static_cast<int64_t>(payload.size()), adjustment_, &length) ||
      (includes_field_ && __builtin_add_overflow(length, static_cast<int64_t>(length_), &length))) {
    return Errc::frame_too_long;
  }
  if (length < 0) return std::make_error_code(std::errc::invalid_argument);
  if (length_ < 8 && static_cast<uint64_t>(length) >= (uint64_t{1} << (8 * length_))) {
    return Errc::frame_too_long;
  }
  char head[8];
  detail::store_uint(head, static_cast<uint64_t>(length), length_, order_);
  out.append(head, length_);
  out.append(payload);
  return {};
}

CodecFactory length_field_codec(const LengthFieldOptions& decoder, const LengthFieldPrependerOptions& encoder) {
  return detail::make_codec_factory(LengthFieldDecoder(decoder), LengthFieldPrepender(encoder));
}

}  // namespace weft::codec
