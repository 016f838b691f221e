#pragma once
// Delimiter framing with one or more delimiters, like netty's DelimiterBasedFrameDecoder:
// a frame ends at the delimiter occurrence that gives the shortest frame (the earliest
// start; on a tie the delimiter listed first). Frames and max_length exclude the delimiter.
//
// Unlike netty, the answer never depends on how the bytes were split into reads: a match
// is taken only when no delimiter that could still appear would give a shorter frame, and
// a delimiter split across reads is found even while a too-long frame is being discarded.
//
// Too long: as for LineDecoder. fail_fast reports Errc::frame_too_long (non-fatal) as soon
// as max_length + 1 bytes are seen with no delimiter able to start among them (consuming
// exactly those bytes) and then skips to the delimiter silently; otherwise the report
// comes when the delimiter arrives. Decoding resumes after the delimiter.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "weft/codec/codec.h"
#include "weft/codec/needle_cursor.h"

namespace weft::codec {

struct DelimiterOptions {
  std::vector<std::string> delimiters = {"\r\n", "\n"};  // Non-empty, none of them empty.
  size_t max_length = 8192;
  bool strip_delimiter = true;
  bool fail_fast = true;
};

class DelimiterDecoder final : public Decoder {
 public:
  // Throws std::invalid_argument for no delimiters, an empty one, or an absurd max_length.
  explicit DelimiterDecoder(const DelimiterOptions& options);

  Decoded decode(const InputView& in) override;
  void reset() override;
  size_t max_buffered() const override { return max_length_ + longest_; }

 private:
  struct Candidate {
    size_t start;
    size_t index;
  };
  Candidate earliest_partial(const InputView& in);
  Decoded done(const Decoded& d);

  std::vector<std::string> delimiters_;
  std::vector<detail::NeedleCursor> cursors_;
  size_t longest_ = 0;
  size_t max_length_;
  bool strip_;
  bool fail_fast_;
  bool discarding_ = false;
  std::string tail_;  // Room for the last longest_ - 1 bytes when they span segments.
};

// Appends payload and the first delimiter. Refuses (std::errc::invalid_argument) a payload
// in which the peer would find a delimiter before the one appended.
class DelimiterEncoder final : public Encoder {
 public:
  explicit DelimiterEncoder(const DelimiterOptions& options);

 private:
  std::error_code do_encode(std::string_view payload, Buffer& out, uint32_t type) const override;

  std::vector<std::string> delimiters_;
};

CodecFactory delimiter_codec(const DelimiterOptions& options);

}  // namespace weft::codec
