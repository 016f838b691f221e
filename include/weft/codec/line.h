#pragma once
// Line framing: a frame ends at "\n" or "\r\n" (the decoder accepts both), like netty's
// LineBasedFrameDecoder.
//
// Too long: a line longer than max_length (not counting its delimiter) is discarded up to
// and including its delimiter, and reported once as Errc::frame_too_long (non-fatal):
//   - fail_fast: as soon as max_length + 1 bytes are seen with no line end possible among
//     them (that report consumes exactly those bytes); the rest is then skipped silently;
//   - otherwise: when the delimiter arrives, after skipping the whole line.
// The report comes at the same point of the stream however the bytes are split into
// reads, and decoding resumes with the next line.

#include <cstddef>
#include <string_view>

#include "weft/codec/codec.h"
#include "weft/codec/needle_cursor.h"

namespace weft::codec {

struct LineOptions {
  size_t max_length = 8192;     // The longest line, delimiter not counted.
  bool strip_delimiter = true;  // Frames exclude their "\n" or "\r\n".
  bool fail_fast = false;
  bool crlf = false;  // The encoder ends lines with "\r\n" instead of "\n".
};

class LineDecoder final : public Decoder {
 public:
  // Throws std::invalid_argument if max_length is absurd (over SIZE_MAX / 2).
  explicit LineDecoder(const LineOptions& options = {});

  Decoded decode(const InputView& in) override;
  void reset() override;
  size_t max_buffered() const override { return max_length_ + 2; }

 private:
  Decoded done(const Decoded& d);

  size_t max_length_;
  bool strip_;
  bool fail_fast_;
  bool discarding_ = false;
  detail::NeedleCursor newline_;
};

// Refuses (std::errc::invalid_argument) a payload that holds "\n", or, with "\n" endings,
// ends in "\r": the peer would see a different line.
class LineEncoder final : public Encoder {
 public:
  explicit LineEncoder(const LineOptions& options = {}) : crlf_(options.crlf) {}

 private:
  std::error_code do_encode(std::string_view payload, Buffer& out, uint32_t type) const override;

  bool crlf_;
};

CodecFactory line_codec(const LineOptions& options = {});

}  // namespace weft::codec
