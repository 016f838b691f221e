#pragma once
// Deterministic payload patterns for the integration tests. A pattern is named by a seed;
// byte i of it can be computed on its own, so large payloads are generated and checked in
// chunks without storing them, and a mismatch names the exact offset.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace weft::test {

// Fills out with bytes [offset, offset + out.size()) of the pattern named by seed.
void fill_pattern(uint64_t seed, uint64_t offset, std::span<char> out);
// The first n bytes of the pattern named by seed.
std::string make_pattern(uint64_t seed, size_t n);
// Checks that bytes equal the pattern at offset. Returns the index in bytes of the first
// mismatch, or npos if they all match.
size_t find_pattern_mismatch(uint64_t seed, uint64_t offset, std::string_view bytes);

// A streaming FNV-1a checksum: update with chunks in any split, same value.
class Checksum {
 public:
  void update(std::string_view bytes);
  uint64_t value() const { return hash_; }
  uint64_t size() const { return size_; }

 private:
  uint64_t hash_ = 1469598103934665603ull;
  uint64_t size_ = 0;
};

uint64_t checksum(std::string_view bytes);
// The checksum of the first n bytes of a pattern.
uint64_t pattern_checksum(uint64_t seed, size_t n);

// Checks a stream chunk by chunk against a pattern, remembering the first mismatch.
class PatternVerifier {
 public:
  explicit PatternVerifier(uint64_t seed) : seed_(seed) {}
  void feed(std::string_view bytes);
  uint64_t received() const { return received_; }
  bool ok() const { return first_mismatch_ == kNone; }
  // Offset in the stream of the first wrong byte, or kNone.
  uint64_t first_mismatch() const { return first_mismatch_; }

  static constexpr uint64_t kNone = ~uint64_t{0};

 private:
  uint64_t seed_;
  uint64_t received_ = 0;
  uint64_t first_mismatch_ = kNone;
};

}  // namespace weft::test
