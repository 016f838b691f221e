#pragma once
// Shared checks for the codec fuzzers. Each target reads its codec options from the first
// bytes of the fuzz input, then feeds the rest through the test driver
// (tests/unit/codec/codec_driver.h) whole, byte by byte, in random reads and as one read
// cut into random segments, and aborts unless:
//   - every way of feeding gives the same events;
//   - no frame is longer than the codec allows;
//   - the driver never kept max_buffered() bytes or more between reads (memory stays
//     bounded by the largest frame plus its header, plus one read);
//   - every payload the encoder accepts decodes back to exactly that frame.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "codec_driver.h"
#include "weft/codec/codec.h"

namespace weft::codec::fuzz {

// Hands out option bytes from the front of the input; zero once it runs out.
class Params {
 public:
  Params(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  std::string_view rest() const {
    return {reinterpret_cast<const char*>(data_) + std::min(at_, size_), size_ - std::min(at_, size_)};
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

[[noreturn]] inline void fail(const char* what, const testing::Outcome& a, const testing::Outcome& b) {
  std::fprintf(stderr, "codec fuzz: %s (%zu vs %zu events)\n", what, a.events.size(), b.events.size());
  for (size_t i = 0; i < std::max(a.events.size(), b.events.size()); ++i) {
    std::string x = i < a.events.size() ? (a.events[i].error ? a.events[i].error.message() : a.events[i].payload) : "-";
    std::string y = i < b.events.size() ? (b.events[i].error ? b.events[i].error.message() : b.events[i].payload) : "-";
    std::fprintf(stderr, "  %zu: %zu bytes [%s] | %zu bytes [%s]\n", i, x.size(), x.substr(0, 40).c_str(), y.size(),
                 y.substr(0, 40).c_str());
  }
  std::abort();
}

inline std::vector<size_t> random_cuts(std::string_view input, std::mt19937& rng, size_t max_piece) {
  std::vector<size_t> cuts;
  std::uniform_int_distribution<size_t> piece(1, max_piece);
  for (size_t at = piece(rng); at < input.size(); at += piece(rng)) cuts.push_back(at);
  return cuts;
}

// max_payload: the longest frame payload the decoder may hand out.
template <class D>
void check_feedings(const D& prototype, std::string_view input, uint8_t seed, size_t max_payload) {
  D whole_decoder = prototype;
  const testing::Outcome whole = testing::feed_whole(whole_decoder, input);
  auto compare = [&](const char* how, const testing::Outcome& other) {
    if (other.events != whole.events) fail(how, whole, other);
    if (!other.failed && other.max_pending >= prototype.max_buffered()) {
      std::fprintf(stderr, "codec fuzz: %s kept %zu bytes, max_buffered() is %zu\n", how, other.max_pending,
                   prototype.max_buffered());
      std::abort();
    }
  };
  compare("whole", whole);
  for (const testing::Event& e : whole.events) {
    if (!e.error && e.payload.size() > max_payload) {
      std::fprintf(stderr, "codec fuzz: a %zu-byte frame, the limit is %zu\n", e.payload.size(), max_payload);
      std::abort();
    }
  }
  {
    D d = prototype;
    compare("byte by byte", testing::feed_bytewise(d, input));
  }
  std::mt19937 rng(seed);
  for (size_t max_piece : {3, 17, 300}) {
    const std::vector<size_t> cuts = random_cuts(input, rng, max_piece);
    D reads = prototype;
    compare("random reads", testing::feed_reads(reads, input, cuts, 1 + seed % 9));
    D segments = prototype;
    compare("random segments", testing::feed_segments(segments, input, cuts));
  }
}

// Every payload in `events` that the encoder accepts (and that fits max_payload) must
// decode, alone, to exactly that frame.
template <class D>
void check_round_trip(const D& prototype, const Encoder& encoder, const std::vector<testing::Event>& events,
                      size_t max_payload) {
  BlockPool pool(64);
  for (const testing::Event& e : events) {
    if (e.error || e.payload.size() > max_payload) continue;
    Buffer wire(pool);
    if (encoder.encode(e.payload, wire, e.type)) continue;
    D d = prototype;
    const testing::Outcome got = testing::feed_whole(d, wire.to_string());
    const testing::Outcome want{{e}, 0, false};
    if (got.events != want.events) fail("round trip", want, got);
  }
}

}  // namespace weft::codec::fuzz
