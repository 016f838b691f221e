#include "codec.h"

#include <cstring>

namespace weft_load {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::size_t Codec::min_size(Proto proto) noexcept {
  switch (proto) {
    case Proto::echo: return kSeqDigits;
    case Proto::line: return kSeqDigits + 1;
    case Proto::length: return kSeqDigits + 4;
  }
  return kSeqDigits;
}

Codec::Codec(Proto proto, std::size_t size)
    : proto_(proto), size_(size), prefix_(proto == Proto::length ? 4 : 0), body_(size - min_size(proto)) {
  pattern_.resize(body_ + kPatternSpan);
  std::uint64_t x = 0x9e3779b97f4a7c15ull;  // xorshift64, fixed seed: deterministic
  for (char& c : pattern_) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = kAlphabet[x & 63];
  }
}

const char* Codec::body_for(std::uint32_t conn_id, std::uint32_t seq) const noexcept {
  const std::uint64_t k = std::uint64_t{conn_id} * 31 + std::uint64_t{seq} * 7;
  return pattern_.data() + k % kPatternSpan;
}

void Codec::encode(std::uint32_t conn_id, std::uint32_t seq, char* out) const noexcept {
  if (proto_ == Proto::length) {
    const auto n = static_cast<std::uint32_t>(size_ - 4);
    out[0] = static_cast<char>(n >> 24);
    out[1] = static_cast<char>(n >> 16);
    out[2] = static_cast<char>(n >> 8);
    out[3] = static_cast<char>(n);
  }
  char* digits = out + prefix_;
  for (std::size_t i = 0; i < kSeqDigits; ++i) {
    digits[i] = kHex[(seq >> (4 * (kSeqDigits - 1 - i))) & 0xf];
  }
  std::memcpy(digits + kSeqDigits, body_for(conn_id, seq), body_);
  if (proto_ == Proto::line) out[size_ - 1] = '\n';
}

Codec::Verdict Codec::verify(std::uint32_t conn_id, std::uint32_t expected, const char* msg) const noexcept {
  if (proto_ == Proto::length) {
    const auto n = static_cast<std::uint32_t>(size_ - 4);
    const auto* u = reinterpret_cast<const unsigned char*>(msg);
    const std::uint32_t got =
        (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) | std::uint32_t{u[3]};
    if (got != n) return Verdict::corrupt;
  }
  std::uint32_t seq = 0;
  for (std::size_t i = 0; i < kSeqDigits; ++i) {
    const int v = hex_value(msg[prefix_ + i]);
    if (v < 0) return Verdict::corrupt;
    seq = (seq << 4) | static_cast<std::uint32_t>(v);
  }
  if (seq != expected) {
    // Serial-number arithmetic so the verdict survives wrap-around.
    return static_cast<std::int32_t>(seq - expected) > 0 ? Verdict::lost : Verdict::duplicate;
  }
  if (std::memcmp(msg + prefix_ + kSeqDigits, body_for(conn_id, seq), body_) != 0) {
    return Verdict::corrupt;
  }
  if (proto_ == Proto::line && msg[size_ - 1] != '\n') return Verdict::corrupt;
  return Verdict::ok;
}

}  // namespace weft_load
