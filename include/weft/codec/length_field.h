#pragma once
// Length-field framing with the semantics of netty's LengthFieldBasedFrameDecoder and
// LengthFieldPrepender.
//
// A frame is
//   [length_field_offset bytes][length field][the rest of the frame]
// and its whole length, header included, is
//   frame = length_field_offset + length_field_length + value + length_adjustment.
// The frame is handed out without its first initial_bytes_to_strip bytes.
// Examples (netty's):
//   offset 0, length 2, adjustment 0, strip 0:  00 0C "HELLO, WORLD" -> all 14 bytes
//   offset 0, length 2, adjustment 0, strip 2:  00 0C "HELLO, WORLD" -> "HELLO, WORLD"
//   offset 0, length 2, adjustment -2, strip 0: 00 0E "HELLO, WORLD" -> all 14 bytes
//   offset 1, length 2, adjustment 1, strip 3:  CA 00 0C FE "HELLO, WORLD" -> FE "HELLO, WORLD"
//
// Errors, as in netty:
//   - frame > max_frame_length (checked before stripping): Errc::frame_too_long, non-fatal.
//     The frame's bytes are skipped, across as many reads as needed, and decoding resumes
//     at the next frame. fail_fast reports as soon as the length field is read; otherwise
//     the report comes once the last byte of the frame has been skipped.
//   - an 8-byte value with the top bit set ("negative"), or frame < offset + length:
//     Errc::corrupted_frame, fatal (framing is lost); consumed covers the header up to the
//     end of the length field, as netty skips.
//   - initial_bytes_to_strip > frame: Errc::corrupted_frame, not fatal (framing is intact);
//     consumed covers the frame.
// Where netty's long arithmetic would wrap (an 8-byte value near 2^63 plus the adjustment),
// the frame is taken as too long instead.

#include <bit>
#include <cstddef>
#include <cstdint>

#include "weft/codec/codec.h"

namespace weft::codec {

struct LengthFieldOptions {
  size_t max_frame_length = 1024 * 1024;  // Whole frame, header included.
  size_t length_field_offset = 0;
  size_t length_field_length = 4;  // 1, 2, 3, 4 or 8.
  int64_t length_adjustment = 0;
  size_t initial_bytes_to_strip = 4;  // Set with length_field_length: the default strips
                                      // the 4-byte field and yields the payload.
  std::endian byte_order = std::endian::big;
  bool fail_fast = true;
};

class LengthFieldDecoder final : public Decoder {
 public:
  // Throws std::invalid_argument naming the bad field: a length other than 1/2/3/4/8, a
  // max_frame_length of 0 or one shorter than offset + length, or a strip longer than
  // any frame can be.
  explicit LengthFieldDecoder(const LengthFieldOptions& options = {});

  Decoded decode(const InputView& in) override;
  void reset() override;
  size_t max_buffered() const override { return max_frame_length_; }

 private:
  Decoded discard(const InputView& in);

  size_t max_frame_length_;
  size_t offset_;
  size_t length_;
  size_t end_offset_;  // offset_ + length_.
  int64_t adjustment_;
  size_t strip_;
  std::endian order_;
  bool fail_fast_;
  uint64_t discard_left_ = 0;  // Bytes of a too-long frame still to skip.
  bool discarding_ = false;
};

struct LengthFieldPrependerOptions {
  size_t length_field_length = 4;  // 1, 2, 3, 4 or 8.
  int64_t length_adjustment = 0;   // Added to the payload size.
  bool length_includes_length_field = false;
  std::endian byte_order = std::endian::big;
};

// Writes the length field, then the payload. Refuses a message whose length does not fit
// the field (Errc::frame_too_long) or comes out negative (std::errc::invalid_argument).
class LengthFieldPrepender final : public Encoder {
 public:
  // Throws std::invalid_argument for a length other than 1/2/3/4/8.
  explicit LengthFieldPrepender(const LengthFieldPrependerOptions& options = {});

 private:
  std::error_code do_encode(std::string_view payload, Buffer& out, uint32_t type) const override;

  size_t length_;
  int64_t adjustment_;
  bool includes_field_;
  std::endian order_;
};

// The default options pair up: 4-byte big-endian length, payload only.
CodecFactory length_field_codec(const LengthFieldOptions& decoder = {},
                                const LengthFieldPrependerOptions& encoder = {});

}  // namespace weft::codec
