#include "glob.h"

#include <cctype>

namespace weft::kv {
namespace {

char fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one byte c against the class starting right after '['; p ends just past the
// class's ']' (or at the end of the pattern when it is unterminated).
bool match_class(std::string_view pattern, size_t& p, char c, bool nocase) {
  const bool negate = p < pattern.size() && pattern[p] == '^';
  if (negate) ++p;
  bool match = false;
  while (p < pattern.size()) {
    const char x = pattern[p];
    if (x == '\\' && p + 1 < pattern.size()) {
      if (pattern[p + 1] == c) match = true;
      p += 2;
    } else if (x == ']') {
      ++p;
      return match != negate;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char lo = x;
      char hi = pattern[p + 2];
      if (lo > hi) std::swap(lo, hi);
      const char v = fold(c, nocase);
      if (v >= fold(lo, nocase) && v <= fold(hi, nocase)) match = true;
      p += 3;
    } else {
      if (fold(x, nocase) == fold(c, nocase)) match = true;
      ++p;
    }
  }
  return match != negate;
}

// give_up is set when a '*' failed to match the rest anywhere: a longer match for an
// earlier '*' cannot succeed either, so the whole search stops.
bool match(std::string_view pattern, size_t p, std::string_view s, size_t i, bool nocase, bool& give_up) {
  while (p < pattern.size() && i < s.size()) {
    const char x = pattern[p];
    if (x == '*') {
      while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
      if (p + 1 == pattern.size()) return true;
      for (; i < s.size(); ++i) {
        if (match(pattern, p + 1, s, i, nocase, give_up)) return true;
        if (give_up) return false;
      }
      give_up = true;
      return false;
    }
    if (x == '?') {
      ++p;
    } else if (x == '[') {
      ++p;
      if (!match_class(pattern, p, s[i], nocase)) return false;
    } else {
      if (x == '\\' && p + 1 < pattern.size()) ++p;
      if (fold(pattern[p], nocase) != fold(s[i], nocase)) return false;
      ++p;
    }
    ++i;
  }
  if (i == s.size()) {
    while (p < pattern.size() && pattern[p] == '*') ++p;
  }
  return p == pattern.size() && i == s.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view s, bool nocase) {
  // As Redis's stringmatchlen: nothing, not even "*", matches an empty string.
  if (s.empty()) return pattern.empty();
  bool give_up = false;
  return match(pattern, 0, s, 0, nocase, give_up);
}

}  // namespace weft::kv
