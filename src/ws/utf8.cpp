#include "ws/utf8.h"

namespace weft::ws::detail {
namespace {

// States: 0 accept, 1 reject, then "expecting n more continuation bytes" with the range
// the next one must fall in (the first continuation byte is restricted after E0, ED, F0
// and F4 to exclude overlong forms, surrogates and code points above U+10FFFF).
enum State : uint8_t {
  kAcceptState = 0,
  kRejectState = 1,
  kOne = 2,           // one more byte, 80..BF
  kTwo = 3,           // two more, 80..BF then 80..BF
  kTwoAfterE0 = 4,    // two more, A0..BF then 80..BF
  kTwoAfterED = 5,    // two more, 80..9F then 80..BF
  kThree = 6,         // three more, 80..BF each
  kThreeAfterF0 = 7,  // three more, 90..BF then 80..BF twice
  kThreeAfterF4 = 8,  // three more, 80..8F then 80..BF twice
};

uint8_t step(uint8_t state, uint8_t b) {
  switch (state) {
    case kAcceptState:
      if (b < 0x80) return kAcceptState;
      if (b >= 0xC2 && b <= 0xDF) return kOne;
      if (b == 0xE0) return kTwoAfterE0;
      if (b == 0xED) return kTwoAfterED;
      if (b >= 0xE1 && b <= 0xEF) return kTwo;
      if (b == 0xF0) return kThreeAfterF0;
      if (b >= 0xF1 && b <= 0xF3) return kThree;
      if (b == 0xF4) return kThreeAfterF4;
      return kRejectState;
    case kOne: return b >= 0x80 && b <= 0xBF ? kAcceptState : kRejectState;
    case kTwo: return b >= 0x80 && b <= 0xBF ? kOne : kRejectState;
    case kTwoAfterE0: return b >= 0xA0 && b <= 0xBF ? kOne : kRejectState;
    case kTwoAfterED: return b >= 0x80 && b <= 0x9F ? kOne : kRejectState;
    case kThree: return b >= 0x80 && b <= 0xBF ? kTwo : kRejectState;
    case kThreeAfterF0: return b >= 0x90 && b <= 0xBF ? kTwo : kRejectState;
    case kThreeAfterF4: return b >= 0x80 && b <= 0x8F ? kTwo : kRejectState;
    default: return kRejectState;
  }
}

}  // namespace

bool Utf8Validator::feed(std::string_view bytes) {
  uint8_t s = state_;
  size_t i = 0;
  const size_t n = bytes.size();
  while (i < n && s != kRejectState) {
    // ASCII runs, eight bytes at a time, while on a character boundary.
    if (s == kAcceptState) {
      while (i + 8 <= n) {
        uint64_t word = 0;
        for (int k = 0; k < 8; ++k) word |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i + k])) << (8 * k);
        if (word & 0x8080808080808080ULL) break;
        i += 8;
      }
      if (i >= n) break;
    }
    s = step(s, static_cast<uint8_t>(bytes[i++]));
  }
  state_ = s;
  return s != kRejectState;
}

}  // namespace weft::ws::detail
