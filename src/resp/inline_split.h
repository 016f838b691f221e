#pragma once
// Splits an inline request line into words the way redis-cli users expect and Redis does
// (its sdssplitargs): words are separated by blanks; "double quotes" take the escapes \n
// \r \t \b \a \\ \" and \xHH (two hex digits), any other escaped byte stands for itself;
// 'single quotes' take only \'; a closing quote must be followed by a blank or the end of
// the line; a quote inside an unquoted word opens a quoted part of that word.

#include <string>
#include <string_view>
#include <vector>

namespace weft::resp::detail {

// Appends the words of `line` (which holds no '\n') to `out`, their bytes decoded into
// `words`. `words` is cleared and reserved to line.size() first, so the views stay valid
// until it is next modified. Returns false for unbalanced quotes (out is then unspecified).
bool split_inline(std::string_view line, std::string& words, std::vector<std::string_view>& out);

}  // namespace weft::resp::detail
