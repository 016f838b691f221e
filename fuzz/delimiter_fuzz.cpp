// libFuzzer target: DelimiterDecoder and DelimiterEncoder. Delimiters are drawn from a
// three-letter alphabet so that overlapping sets ("ab", "b", "aab") come up often.
#include "fuzz_common.h"
#include "weft/codec/delimiter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  using namespace weft::codec;
  fuzz::Params p(data, size);
  DelimiterOptions o;
  o.max_length = p.byte() % 48;
  const uint8_t flags = p.byte();
  o.strip_delimiter = flags & 1;
  o.fail_fast = flags & 2;
  o.delimiters.clear();
  const size_t count = 1 + (flags >> 2) % 3;
  size_t longest = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t spec = p.byte();
    std::string d;
    for (size_t j = 0; j < 1 + spec % 4; ++j) d += "ab\n"[p.byte() % 3];
    longest = std::max(longest, d.size());
    o.delimiters.push_back(d);
  }
  const uint8_t seed = p.byte();
  const std::string_view input = p.rest();

  DelimiterDecoder decoder(o);
  fuzz::check_feedings(decoder, input, seed, o.max_length + (o.strip_delimiter ? 0 : longest));

  DelimiterOptions stripped = o;
  stripped.strip_delimiter = true;
  DelimiterDecoder d(stripped);
  const auto events = testing::feed_whole(d, input).events;
  fuzz::check_round_trip(DelimiterDecoder(stripped), DelimiterEncoder(o), events, o.max_length);
  return 0;
}
