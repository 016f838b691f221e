#pragma once
// Str: the element of a container (a list item, a hash field or value, a set or sorted
// set member) in 16 bytes. Up to 15 bytes live inline; longer strings live in their own
// malloc block. Str is a plain value: copying one copies the pointer, and whoever owns it
// calls release() exactly once. Containers move Strs around with memcpy.

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace weft::kv {

struct Str {
  static constexpr size_t kInline = 15;
  static constexpr uint8_t kHeap = 0xff;

  char bytes[16];

  static Str make(std::string_view s) {
    Str out;
    if (s.size() <= kInline) {
      std::memcpy(out.bytes, s.data(), s.size());
      out.bytes[15] = static_cast<char>(s.size());
      return out;
    }
    void* p = std::malloc(s.size());
    if (p == nullptr) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    const auto n = static_cast<uint32_t>(s.size());
    std::memcpy(out.bytes, &p, sizeof p);
    std::memcpy(out.bytes + 8, &n, 4);
    out.bytes[15] = static_cast<char>(kHeap);
    return out;
  }

  bool inline_() const { return static_cast<uint8_t>(bytes[15]) != kHeap; }

  std::string_view view() const {
    if (inline_()) return {bytes, static_cast<uint8_t>(bytes[15])};
    const char* p;
    uint32_t n;
    std::memcpy(&p, bytes, sizeof p);
    std::memcpy(&n, bytes + 8, 4);
    return {p, n};
  }

  bool operator==(std::string_view s) const { return view() == s; }

  // Frees the heap part, if any.
  void release() {
    if (!inline_()) {
      void* p;
      std::memcpy(&p, bytes, sizeof p);
      std::free(p);
    }
  }

  // Bytes on the heap beyond the 16 bytes themselves (a malloc chunk).
  size_t heap_footprint() const {
    if (inline_()) return 0;
    void* p;
    std::memcpy(&p, bytes, sizeof p);
    return malloc_usable_size(p) + sizeof(size_t);
  }
};

static_assert(sizeof(Str) == 16);

}  // namespace weft::kv
