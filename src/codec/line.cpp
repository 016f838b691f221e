#include "weft/codec/line.h"

#include <cstdint>
#include <stdexcept>

namespace weft::codec {

LineDecoder::LineDecoder(const LineOptions& options)
    : max_length_(options.max_length), strip_(options.strip_delimiter), fail_fast_(options.fail_fast) {
  if (options.max_length > SIZE_MAX / 2) {
    throw std::invalid_argument("LineOptions: max_length must be at most SIZE_MAX / 2");
  }
}

void LineDecoder::reset() {
  discarding_ = false;
  newline_.reset();
}

Decoded LineDecoder::done(const Decoded& d) {
  newline_.consumed(d.consumed);
  return d;
}

Decoded LineDecoder::decode(const InputView& in) {
  const size_t n = in.size();
  const size_t lf = newline_.find(in, "\n");
  if (lf != InputView::npos) {
    const size_t used = lf + 1;
    if (discarding_) {
      discarding_ = false;
      return done(fail_fast_ ? Decoded::make_skip(used) : Decoded::make_error(Errc::frame_too_long, used, false));
    }
    const size_t length = lf > 0 && in.at(lf - 1) == '\r' ? lf - 1 : lf;
    if (length > max_length_) return done(Decoded::make_error(Errc::frame_too_long, used, false));
    return done(Decoded::make_frame(used, 0, strip_ ? length : used));
  }
  if (discarding_) return n == 0 ? Decoded::make_need_more(1) : done(Decoded::make_skip(n));
  // A trailing '\r' may be the start of "\r\n", so the line may still end one byte earlier.
  const size_t shortest = n > 0 && in.at(n - 1) == '\r' ? n - 1 : n;
  if (shortest > max_length_) {
    discarding_ = true;
    const size_t used = max_length_ + 1;
    return done(fail_fast_ ? Decoded::make_error(Errc::frame_too_long, used, false) : Decoded::make_skip(used));
  }
  return Decoded::make_need_more(1);
}

std::error_code LineEncoder::do_encode(std::string_view payload, Buffer& out, uint32_t) const {
  if (payload.find('\n') != std::string_view::npos || (!crlf_ && !payload.empty() && payload.back() == '\r')) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  out.append(payload);
  out.append(crlf_ ? std::string_view("\r\n") : std::string_view("\n"));
  return {};
}

CodecFactory line_codec(const LineOptions& options) {
  return detail::make_codec_factory(LineDecoder(options), LineEncoder(options));
}

}  // namespace weft::codec
