#pragma once
// The parts of RFC 9110 a file server needs: entity tags, conditional requests
// (If-None-Match, If-Modified-Since, If-Range) and single byte ranges.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace weft::http::detail {

// A strong entity tag for a file of this size and modification time: "\"<mtime>-<size>\"".
std::string file_etag(int64_t mtime_ns, uint64_t size);

// Whether If-None-Match (a list of tags, or "*") matches etag by weak comparison.
bool none_match(std::string_view if_none_match, std::string_view etag);

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

enum class RangeAnswer { whole, partial, unsatisfiable };

// Reads a Range value against a resource of `size` bytes: a single "bytes=" range that
// fits answers partial (range filled in); one that cannot be satisfied, unsatisfiable;
// anything else (no header, several ranges, another unit, malformed) whole.
RangeAnswer parse_range(std::string_view value, uint64_t size, ByteRange& range);

}  // namespace weft::http::detail
