#pragma once
// Finding a multi-byte needle in bytes split over segments, in time linear in the bytes
// searched: a Knuth-Morris-Pratt scan that walks the segments once, with memchr for the
// needle's first byte whenever no partial match is pending. A partial match that
// straddles segments is carried in the matched length, so no byte is ever read twice by
// the matcher and no candidate is re-copied. The failure table lives on the stack for
// needles up to kInlineNeedle bytes; longer needles allocate it once per call.
//
// The Probe parameter counts the work done (a test checks the bound); InputView passes a
// probe whose calls compile away.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace weft::detail {

inline constexpr size_t kInlineNeedle = 64;

// Counts nothing.
struct NoSearchProbe {
  void compared() {}
  void scanned(size_t) {}
};

// failure[i]: the length of the longest proper prefix of needle[0..i] that is also its
// suffix.
class NeedleTable {
 public:
  explicit NeedleTable(std::string_view needle) {
    if (needle.size() > kInlineNeedle) {
      heap_ = std::make_unique<uint32_t[]>(needle.size());
      table_ = heap_.get();
    }
    table_[0] = 0;
    uint32_t k = 0;
    for (size_t i = 1; i < needle.size(); ++i) {
      while (k > 0 && needle[i] != needle[k]) k = table_[k - 1];
      if (needle[i] == needle[k]) ++k;
      table_[i] = k;
    }
  }
  uint32_t operator[](size_t i) const { return table_[i]; }

 private:
  uint32_t inline_[kInlineNeedle];
  std::unique_ptr<uint32_t[]> heap_;
  uint32_t* table_ = inline_;
};

// The offset (counted from `skip` bytes into the first segment) of the first occurrence
// of needle starting at or after from, or npos. needle.size() >= 1.
template <class Probe>
size_t find_in_segments(std::span<const std::string_view> segments, size_t skip, std::string_view needle, size_t from,
                        Probe& probe) {
  constexpr size_t npos = std::string_view::npos;
  const size_t m = needle.size();
  const NeedleTable failure(needle);
  size_t pos = from + skip;  // Where to start, within the current segment.
  size_t base = 0;           // Offset of the current segment's start, from the first segment's.
  size_t matched = 0;        // Needle bytes matched so far, possibly across segments.
  for (std::string_view s : segments) {
    if (pos >= s.size()) {
      pos -= s.size();
      base += s.size();
      continue;
    }
    const char* data = s.data();
    const size_t size = s.size();
    while (pos < size) {
      if (matched == 0) {
        // Nothing pending: skip ahead to the next candidate first byte.
        const void* hit = std::memchr(data + pos, needle[0], size - pos);
        if (hit == nullptr) {
          probe.scanned(size - pos);
          pos = size;
          break;
        }
        size_t at = static_cast<size_t>(static_cast<const char*>(hit) - data);
        probe.scanned(at + 1 - pos);
        pos = at + 1;
        matched = 1;
      } else {
        const char c = data[pos];
        probe.compared();
        while (matched > 0 && needle[matched] != c) {
          matched = failure[matched - 1];
          probe.compared();
        }
        if (needle[matched] == c) ++matched;
        ++pos;
      }
      if (matched == m) return base + pos - m - skip;
    }
    pos = 0;
    base += size;
  }
  return npos;
}

}  // namespace weft::detail
