#include "payload.h"

#include <algorithm>
#include <cstring>

namespace weft::test {
namespace {

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Eight pattern bytes per word; word w of seed s is splitmix(s * prime + w).
uint64_t word(uint64_t seed, uint64_t w) {
  return splitmix(seed * 0x100000001b3ull + w);
}

}  // namespace

void fill_pattern(uint64_t seed, uint64_t offset, std::span<char> out) {
  size_t i = 0;
  while (i < out.size()) {
    uint64_t pos = offset + i;
    uint64_t w = word(seed, pos / 8);
    char bytes[8];
    std::memcpy(bytes, &w, 8);
    size_t from = pos % 8;
    size_t take = std::min<size_t>(8 - from, out.size() - i);
    std::memcpy(out.data() + i, bytes + from, take);
    i += take;
  }
}

std::string make_pattern(uint64_t seed, size_t n) {
  std::string s(n, '\0');
  fill_pattern(seed, 0, s);
  return s;
}

size_t find_pattern_mismatch(uint64_t seed, uint64_t offset, std::string_view bytes) {
  char expected[4096];
  for (size_t done = 0; done < bytes.size();) {
    size_t n = std::min(sizeof expected, bytes.size() - done);
    fill_pattern(seed, offset + done, std::span<char>(expected, n));
    if (std::memcmp(expected, bytes.data() + done, n) != 0) {
      for (size_t k = 0; k < n; ++k) {
        if (expected[k] != bytes[done + k]) return done + k;
      }
    }
    done += n;
  }
  return std::string_view::npos;
}

void Checksum::update(std::string_view bytes) {
  uint64_t h = hash_;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  hash_ = h;
  size_ += bytes.size();
}

uint64_t checksum(std::string_view bytes) {
  Checksum c;
  c.update(bytes);
  return c.value();
}

uint64_t pattern_checksum(uint64_t seed, size_t n) {
  Checksum c;
  char chunk[4096];
  for (size_t done = 0; done < n;) {
    size_t take = std::min(sizeof chunk, n - done);
    fill_pattern(seed, done, std::span<char>(chunk, take));
    c.update(std::string_view(chunk, take));
    done += take;
  }
  return c.value();
}

void PatternVerifier::feed(std::string_view bytes) {
  if (ok()) {
    size_t at = find_pattern_mismatch(seed_, received_, bytes);
    if (at != std::string_view::npos) first_mismatch_ = received_ + at;
  }
  received_ += bytes.size();
}

}  // namespace weft::test
