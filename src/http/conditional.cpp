#include "http/conditional.h"

#include <charconv>

#include "http/token.h"

namespace weft::http::detail {

std::string file_etag(int64_t mtime_ns, uint64_t size) {
  char mtime[17];
  char length[17];
  const auto m = std::to_chars(mtime, mtime + sizeof mtime, static_cast<uint64_t>(mtime_ns), 16);
  const auto l = std::to_chars(length, length + sizeof length, size, 16);
  std::string tag = "\"";
  tag.append(mtime, m.ptr).append("-").append(length, l.ptr).append("\"");
  return tag;
}

bool none_match(std::string_view list, std::string_view etag) {
  list = trim_ows(list);
  if (list == "*") return true;
  // Weak comparison: W/ prefixes are ignored.
  const std::string_view mine = etag.substr(etag.starts_with("W/") ? 2 : 0);
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view tag = trim_ows(list.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == mine) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

namespace {

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

RangeAnswer parse_range(std::string_view value, uint64_t size, ByteRange& range) {
  value = trim_ows(value);
  if (!value.starts_with("bytes=")) return RangeAnswer::whole;
  std::string_view spec = trim_ows(value.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeAnswer::whole;  // Several ranges.
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeAnswer::whole;
  const std::string_view first = trim_ows(spec.substr(0, dash));
  const std::string_view last = trim_ows(spec.substr(dash + 1));
  uint64_t a = 0, b = 0;
  if (first.empty()) {
    // The last b bytes.
    if (!parse_u64(last, b)) return RangeAnswer::whole;
    if (b == 0 || size == 0) return RangeAnswer::unsatisfiable;
    range.length = b < size ? b : size;
    range.first = size - range.length;
    return RangeAnswer::partial;
  }
  if (!parse_u64(first, a)) return RangeAnswer::whole;
  if (!last.empty() && (!parse_u64(last, b) || b < a)) return RangeAnswer::whole;
  if (a >= size) return RangeAnswer::unsatisfiable;
  const uint64_t end = last.empty() || b >= size ? size - 1 : b;
  range.first = a;
  range.length = end - a + 1;
  return RangeAnswer::partial;
}

}  // namespace weft::http::detail
