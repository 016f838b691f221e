// libFuzzer target: HeaderDecoder and HeaderEncoder.
#include "fuzz_common.h"
#include "weft/codec/header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  using namespace weft::codec;
  fuzz::Params p(data, size);
  HeaderOptions o;
  o.max_payload = p.byte() % 64;
  const uint8_t seed = p.byte();
  const std::string_view input = p.rest();

  HeaderDecoder decoder(o);
  fuzz::check_feedings(decoder, input, seed, o.max_payload);
  HeaderDecoder d(o);
  fuzz::check_round_trip(decoder, HeaderEncoder(o), testing::feed_whole(d, input).events, o.max_payload);
  return 0;
}
