#pragma once
// The key hash: 64 bits from a seeded multiply-and-fold mix, fast for the short keys a
// cache holds. Seeded per process, so a client cannot choose keys that collide. Different
// bits serve different purposes and must stay independent:
//   top bits       the key's home slot in its shard's table (key_table.h)
//   bits 0..31     the shard (loop) that owns the key (shard_of)
//   bits 8..15     the tag kept beside each slot to skip most key comparisons

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace weft::kv {

// A 128-bit unsigned integer (a GCC and Clang extension).
__extension__ typedef unsigned __int128 Uint128;

namespace detail {

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
// The 128-bit product of a and b, its halves folded together.
inline uint64_t fold(uint64_t a, uint64_t b) {
  const Uint128 r = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline constexpr uint64_t kMix0 = 0x9e3779b97f4a7c15ull;
inline constexpr uint64_t kMix1 = 0xd6e8feb86659fd93ull;
inline constexpr uint64_t kMix2 = 0xa0761d6478bd642full;

}  // namespace detail

inline uint64_t hash_bytes(std::string_view s, uint64_t seed) {
  using namespace detail;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ kMix0;
  while (n > 16) {
    h = fold(load64(p) ^ kMix1, load64(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0;
  uint64_t b = 0;
  if (n >= 8) {
    a = load64(p);
    b = load64(p + n - 8);
  } else if (n >= 4) {
    a = load32(p);
    b = load32(p + n - 4);
  } else if (n > 0) {
    a = (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<uint8_t>(p[n / 2])) << 8) | static_cast<uint8_t>(p[n - 1]);
  }
  h = fold(a ^ kMix1 ^ h, b ^ kMix2 ^ (static_cast<uint64_t>(s.size()) << 32));
  return fold(h ^ kMix0, h ^ kMix2);
}

// A random seed chosen once per process, for the hash tables inside values (hashes, sets,
// sorted sets), so clients cannot choose members that collide. Any thread.
uint64_t process_seed();

// The loop that owns a key, among `shards`.
inline uint32_t shard_of(uint64_t hash, uint32_t shards) {
  return static_cast<uint32_t>((static_cast<uint64_t>(static_cast<uint32_t>(hash)) * shards) >> 32);
}

}  // namespace weft::kv
