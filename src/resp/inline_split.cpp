#include "resp/inline_split.h"

namespace weft::resp::detail {
namespace {

// C's isspace() in the "C" locale.
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char unescape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
  }
}

}  // namespace

bool split_inline(std::string_view line, std::string& words, std::vector<std::string_view>& out) {
  words.clear();
  words.reserve(line.size());
  const size_t n = line.size();
  size_t i = 0;
  for (;;) {
    while (i < n && is_blank(line[i])) ++i;
    if (i == n) return true;
    const size_t word_start = words.size();
    enum { plain, double_quoted, single_quoted } mode = plain;
    for (bool done = false; !done;) {
      // Past the end of the line: a word ends there, a quoted part is unterminated.
      const bool at_end = i >= n;
      const char c = at_end ? '\0' : line[i];
      if (mode == double_quoted) {
        if (at_end) return false;
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && hex_value(line[i + 2]) >= 0 &&
            hex_value(line[i + 3]) >= 0) {
          words.push_back(static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < n) {
          ++i;
          words.push_back(unescape(line[i]));
        } else if (c == '"') {
          if (i + 1 < n && !is_blank(line[i + 1])) return false;
          done = true;
        } else {
          words.push_back(c);
        }
      } else if (mode == single_quoted) {
        if (at_end) return false;
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          words.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < n && !is_blank(line[i + 1])) return false;
          done = true;
        } else {
          words.push_back(c);
        }
      } else if (at_end || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        done = true;
      } else if (c == '"') {
        mode = double_quoted;
      } else if (c == '\'') {
        mode = single_quoted;
      } else {
        words.push_back(c);
      }
      if (!at_end) ++i;
    }
    out.emplace_back(words.data() + word_start, words.size() - word_start);
  }
}

}  // namespace weft::resp::detail
