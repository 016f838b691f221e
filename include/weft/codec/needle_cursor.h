#pragma once
// Machinery for the delimiter decoders (public only because they hold one by value).
// NeedleCursor remembers how far a search for one needle got in a connection's buffered
// bytes, so that bytes offered again (with more appended) are not scanned twice and a
// delimiter search costs O(bytes received) over a connection's life, not O(bytes x frames).
// It relies on the Decoder contract: each call sees what is left after the bytes the
// decoder said to drop, which consumed() is told about.

#include <cstddef>
#include <string_view>

#include "weft/core/input_view.h"

namespace weft::codec::detail {

class NeedleCursor {
 public:
  static constexpr size_t npos = InputView::npos;

  // The offset of the first occurrence of needle in `in`, or npos.
  size_t find(const InputView& in, std::string_view needle) {
    if (found_ != npos) return found_;
    size_t at = needle.size() == 1 ? in.find(needle[0], clean_) : in.find(needle, clean_);
    if (at != npos) {
      found_ = at;
    } else if (in.size() >= needle.size()) {
      clean_ = in.size() - needle.size() + 1;
    }
    return at;
  }

  // The first n bytes were dropped from the front of the input.
  void consumed(size_t n) {
    if (found_ != npos) {
      if (found_ >= n) {
        found_ -= n;
        return;
      }
      clean_ = found_ + 1;  // Nothing is known past the dropped occurrence.
      found_ = npos;
    }
    clean_ = clean_ > n ? clean_ - n : 0;
  }

  void reset() {
    found_ = npos;
    clean_ = 0;
  }

 private:
  size_t found_ = npos;  // The first occurrence, when known.
  size_t clean_ = 0;     // No occurrence starts before this offset.
};

}  // namespace weft::codec::detail
