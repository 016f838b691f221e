#pragma once
// Glob-style matching as Redis does it (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET):
//   *        any run of bytes        ?        one byte
//   [abc]    one of a, b, c          [^abc]   none of them
//   [a-z]    a range (either order)  \x       x itself
// An unterminated '[' class ends at the end of the pattern. As in Redis, an empty string
// matches only an empty pattern.

#include <string_view>

namespace weft::kv {

bool glob_match(std::string_view pattern, std::string_view s, bool nocase = false);

}  // namespace weft::kv
