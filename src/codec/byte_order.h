#pragma once
// Fixed-width unsigned integers of 1 to 8 bytes in either byte order, and a peek at a few
// header bytes of an InputView that copies only when they span segments.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "weft/core/input_view.h"

namespace weft::codec::detail {

inline uint64_t load_uint(const char* p, size_t n, std::endian order) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  uint64_t v = 0;
  if (order == std::endian::big) {
    for (size_t i = 0; i < n; ++i) v = (v << 8) | b[i];
  } else {
    for (size_t i = n; i > 0; --i) v = (v << 8) | b[i - 1];
  }
  return v;
}

// Writes the low n bytes of v.
inline void store_uint(char* p, uint64_t v, size_t n, std::endian order) {
  for (size_t i = 0; i < n; ++i) {
    size_t at = order == std::endian::big ? n - 1 - i : i;
    p[at] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

// The bytes [offset, offset + n) of in (which must hold them), as a pointer into the view
// or, when they span segments, into tmp (at least n bytes).
inline const char* peek(const InputView& in, size_t offset, size_t n, char* tmp) {
  std::string_view v = in.contiguous(offset, n);
  if (v.data() != nullptr) return v.data();
  in.copy_to(offset, n, tmp);
  return tmp;
}

}  // namespace weft::codec::detail
