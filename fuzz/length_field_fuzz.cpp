// libFuzzer target: LengthFieldDecoder and LengthFieldPrepender. Options that the decoder
// refuses at construction are skipped.
#include <stdexcept>

#include "fuzz_common.h"
#include "weft/codec/length_field.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  using namespace weft::codec;
  static constexpr size_t kLengths[] = {1, 2, 3, 4, 8};
  fuzz::Params p(data, size);
  LengthFieldOptions o;
  o.length_field_offset = p.byte() % 4;
  o.length_field_length = kLengths[p.byte() % 5];
  const uint8_t flags = p.byte();
  o.byte_order = flags & 1 ? std::endian::little : std::endian::big;
  o.fail_fast = flags & 2;
  const auto adjustment = static_cast<int8_t>(p.byte());
  o.length_adjustment = flags & 4 ? (adjustment < 0 ? INT64_MIN : INT64_MAX) : adjustment;
  o.initial_bytes_to_strip = p.byte() % 16;
  o.max_frame_length = o.length_field_offset + o.length_field_length + p.byte();
  const uint8_t seed = p.byte();
  const std::string_view input = p.rest();

  try {
    LengthFieldDecoder probe(o);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  LengthFieldDecoder decoder(o);
  fuzz::check_feedings(decoder, input, seed, o.max_frame_length);

  // A matching pair on the same field: the decoder strips the field and undoes what the
  // prepender added.
  LengthFieldPrependerOptions e;
  e.length_field_length = o.length_field_length;
  e.byte_order = o.byte_order;
  e.length_includes_length_field = flags & 8;
  LengthFieldOptions matching;
  matching.max_frame_length = o.max_frame_length;
  matching.length_field_length = o.length_field_length;
  matching.byte_order = o.byte_order;
  matching.initial_bytes_to_strip = o.length_field_length;
  matching.length_adjustment = e.length_includes_length_field ? -static_cast<int64_t>(e.length_field_length) : 0;
  LengthFieldDecoder d(o);
  fuzz::check_round_trip(LengthFieldDecoder(matching), LengthFieldPrepender(e), testing::feed_whole(d, input).events,
                         o.max_frame_length - o.length_field_length);
  return 0;
}
