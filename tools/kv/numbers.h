#pragma once
// Numbers as Redis reads and writes them. Reading is strict: no blanks, no '+', no leading
// zeros for integers ("0" alone), no trailing bytes; a value that does not fit is refused.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace weft::kv {

// Redis's string2ll.
std::optional<int64_t> parse_int(std::string_view s);
// Redis's string2d (ZADD scores, ranges): strtod, all bytes used, no NaN, no overflow.
std::optional<double> parse_double(std::string_view s);
// Redis's string2ld (INCRBYFLOAT).
std::optional<long double> parse_long_double(std::string_view s);

// Decimal text of v into buf (at least 21 bytes); returns its length.
size_t format_int(int64_t v, char* buf);
// INCRBYFLOAT's result: "%.17Lf" without trailing zeros ("inf"/"-inf" for infinities);
// buf holds at least 5200 bytes. Returns the length.
size_t format_long_double(long double v, char* buf, size_t size);

}  // namespace weft::kv
