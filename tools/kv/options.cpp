#include "options.h"

#include <cctype>

namespace weft::kv {

std::optional<uint64_t> parse_memory(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 19) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < digits; ++i) value = value * 10 + static_cast<uint64_t>(text[i] - '0');
  std::string unit;
  for (char c : text.substr(digits)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint64_t mul;
  if (unit.empty() || unit == "b")
    mul = 1;
  else if (unit == "k")
    mul = 1000;
  else if (unit == "kb")
    mul = 1024;
  else if (unit == "m")
    mul = 1000 * 1000;
  else if (unit == "mb")
    mul = 1024 * 1024;
  else if (unit == "g")
    mul = 1000ull * 1000 * 1000;
  else if (unit == "gb")
    mul = 1024ull * 1024 * 1024;
  else
    return std::nullopt;
  if (value > UINT64_MAX / mul) return std::nullopt;
  return value * mul;
}

std::optional<EvictionPolicy> parse_policy(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "noeviction") return EvictionPolicy::noeviction;
  if (lower == "allkeys-lru") return EvictionPolicy::allkeys_lru;
  return std::nullopt;
}

std::string_view to_string(EvictionPolicy policy) {
  return policy == EvictionPolicy::noeviction ? "noeviction" : "allkeys-lru";
}

}  // namespace weft::kv
