#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "options.h"

namespace weft_load {

// Builds and checks messages of exactly size() bytes:
//
//   [4-byte big-endian payload length]   --proto length only (= size - 4)
//   8 lowercase hex digits                per-connection sequence number mod 2^32
//   pattern bytes                         printable, derived from (connection, sequence)
//   ['\n']                                --proto line only
//
// Because each byte is a function of (connection id, sequence, offset), any
// lost, duplicated, reordered or altered byte of the echoed stream shows up as
// a wrong sequence number or a pattern mismatch.
class Codec {
 public:
  enum class Verdict { ok, corrupt, lost, duplicate };

  Codec(Proto proto, std::size_t size);

  static std::size_t min_size(Proto proto) noexcept;
  std::size_t size() const noexcept { return size_; }

  void encode(std::uint32_t conn_id, std::uint32_t seq, char* out) const noexcept;

  // ok, or why `msg` is not the message with sequence `expected` on `conn_id`.
  // lost: a later sequence arrived; duplicate: an earlier one arrived again.
  Verdict verify(std::uint32_t conn_id, std::uint32_t expected, const char* msg) const noexcept;

 private:
  static constexpr std::size_t kSeqDigits = 8;
  static constexpr std::size_t kPatternSpan = 251;  // prime: distinct slices per sequence

  const char* body_for(std::uint32_t conn_id, std::uint32_t seq) const noexcept;

  Proto proto_;
  std::size_t size_;
  std::size_t prefix_;  // bytes before the sequence digits
  std::size_t body_;    // pattern bytes
  std::string pattern_;
};

}  // namespace weft_load
