#pragma once
// Incremental UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), for text messages that arrive in pieces: a piece may end inside a character.

#include <cstdint>
#include <string_view>

namespace weft::ws::detail {

class Utf8Validator {
 public:
  // Feeds more bytes; false once the text can no longer be valid (and from then on).
  bool feed(std::string_view bytes);
  // True if everything fed so far is valid and ends on a character boundary.
  bool complete() const { return state_ == kAccept; }
  void reset() { state_ = kAccept; }

  static constexpr uint8_t kAccept = 0;
  static constexpr uint8_t kReject = 1;

 private:
  uint8_t state_ = kAccept;
};

// Whether bytes are valid UTF-8 as a whole.
inline bool valid_utf8(std::string_view bytes) {
  Utf8Validator v;
  return v.feed(bytes) && v.complete();
}

}  // namespace weft::ws::detail
