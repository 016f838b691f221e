// libFuzzer target: LineDecoder and LineEncoder.
#include "fuzz_common.h"
#include "weft/codec/line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  using namespace weft::codec;
  fuzz::Params p(data, size);
  LineOptions o;
  o.max_length = p.byte() % 64;
  const uint8_t flags = p.byte();
  o.strip_delimiter = flags & 1;
  o.fail_fast = flags & 2;
  o.crlf = flags & 4;
  const uint8_t seed = p.byte();
  const std::string_view input = p.rest();

  LineDecoder decoder(o);
  // A kept delimiter adds up to two bytes to the frame.
  fuzz::check_feedings(decoder, input, seed, o.max_length + (o.strip_delimiter ? 0 : 2));

  LineOptions stripped = o;
  stripped.strip_delimiter = true;
  LineDecoder d(stripped);
  const auto events = testing::feed_whole(d, input).events;
  fuzz::check_round_trip(LineDecoder(stripped), LineEncoder(o), events, o.max_length);
  return 0;
}
