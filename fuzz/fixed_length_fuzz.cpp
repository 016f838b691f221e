// libFuzzer target: FixedLengthDecoder and FixedLengthEncoder.
#include "fuzz_common.h"
#include "weft/codec/fixed_length.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  using namespace weft::codec;
  fuzz::Params p(data, size);
  const size_t frame_length = 1 + p.byte() % 32;
  const uint8_t seed = p.byte();
  const std::string_view input = p.rest();

  FixedLengthDecoder decoder(frame_length);
  fuzz::check_feedings(decoder, input, seed, frame_length);
  FixedLengthDecoder d(frame_length);
  fuzz::check_round_trip(decoder, FixedLengthEncoder(frame_length), testing::feed_whole(d, input).events, frame_length);
  return 0;
}
