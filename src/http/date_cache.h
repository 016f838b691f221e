#pragma once
// HTTP dates. Every response carries a Date header; rendering it costs a clock read and a
// gmtime, so each thread (each loop) renders it at most once per second and reuses it.

#include <cstddef>
#include <ctime>
#include <string_view>

#include "weft/core/time.h"

namespace weft::http::detail {

// The IMF-fixdate form, "Sun, 06 Nov 1994 08:49:37 GMT": always kHttpDateSize bytes.
inline constexpr size_t kHttpDateSize = 29;
void format_http_date(time_t t, char out[kHttpDateSize]);
// Parses an IMF-fixdate; returns false for anything else (the obsolete forms included).
bool parse_http_date(std::string_view text, time_t& out);

// "Date: <now>\r\n" for the current second. `now` is the loop's cached time; the wall
// clock is read only when it has moved into a new second. Thread-local: the view is valid
// until the calling thread's next call.
std::string_view date_line(TimePoint now);

}  // namespace weft::http::detail
