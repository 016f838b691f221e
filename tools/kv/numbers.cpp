#include "numbers.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace weft::kv {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Redis's MAX_LONG_DOUBLE_CHARS.
constexpr size_t kMaxFloatChars = 5 * 1024;

}  // namespace

std::optional<int64_t> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative && ++i == s.size()) return std::nullopt;
  if (s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const auto d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > (uint64_t{1} << 63)) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<double> parse_double(std::string_view s) {
  if (s.empty() || s.size() >= kMaxFloatChars || is_space(s[0])) return std::nullopt;
  char buf[kMaxFloatChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(buf, &end);
  if (static_cast<size_t>(end - buf) != s.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return std::nullopt;
  return v;
}

std::optional<long double> parse_long_double(std::string_view s) {
  if (s.empty() || s.size() >= kMaxFloatChars || is_space(s[0])) return std::nullopt;
  char buf[kMaxFloatChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  const long double v = std::strtold(buf, &end);
  if (static_cast<size_t>(end - buf) != s.size() || std::isnan(v) || errno == EINVAL) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) return std::nullopt;
  return v;
}

size_t format_int(int64_t v, char* buf) {
  char tmp[24];
  char* end = tmp + sizeof tmp;
  char* p = end;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) *--p = '-';
  const auto n = static_cast<size_t>(end - p);
  std::memcpy(buf, p, n);
  return n;
}

size_t format_long_double(long double v, char* buf, size_t size) {
  if (std::isinf(v)) {
    const char* text = v > 0 ? "inf" : "-inf";
    const size_t n = std::strlen(text);
    std::memcpy(buf, text, n);
    return n;
  }
  int written = std::snprintf(buf, size, "%.17Lf", v);
  if (written < 0 || static_cast<size_t>(written) >= size) return 0;
  auto n = static_cast<size_t>(written);
  if (std::memchr(buf, '.', n) != nullptr) {
    while (buf[n - 1] == '0') --n;
    if (buf[n - 1] == '.') --n;
  }
  if (n == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    n = 1;
  }
  return n;
}

}  // namespace weft::kv
