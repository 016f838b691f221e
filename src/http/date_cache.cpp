#include "http/date_cache.h"

#include <cstring>

namespace weft::http::detail {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void two_digits(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

struct DateCache {
  TimePoint next{};  // When the rendered second is over, on the loop's clock.
  char line[6 + kHttpDateSize + 2] = {'D', 'a', 't', 'e', ':', ' '};
};

thread_local DateCache t_date;

int parse_number(std::string_view s) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

void format_http_date(time_t t, char out[kHttpDateSize]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  std::memcpy(out, kDays[tm.tm_wday], 3);
  out[3] = ',';
  out[4] = ' ';
  two_digits(out + 5, tm.tm_mday);
  out[7] = ' ';
  std::memcpy(out + 8, kMonths[tm.tm_mon], 3);
  out[11] = ' ';
  const int year = tm.tm_year + 1900;
  two_digits(out + 12, year / 100);
  two_digits(out + 14, year % 100);
  out[16] = ' ';
  two_digits(out + 17, tm.tm_hour);
  out[19] = ':';
  two_digits(out + 20, tm.tm_min);
  out[22] = ':';
  two_digits(out + 23, tm.tm_sec);
  std::memcpy(out + 25, " GMT", 4);
}

bool parse_http_date(std::string_view s, time_t& out) {
  if (s.size() != kHttpDateSize || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return false;
  struct tm tm {};
  tm.tm_mday = parse_number(s.substr(5, 2));
  tm.tm_mon = -1;
  for (int i = 0; i < 12; ++i) {
    if (s.substr(8, 3) == kMonths[i]) tm.tm_mon = i;
  }
  const int year = parse_number(s.substr(12, 4));
  tm.tm_hour = parse_number(s.substr(17, 2));
  tm.tm_min = parse_number(s.substr(20, 2));
  tm.tm_sec = parse_number(s.substr(23, 2));
  if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_mon < 0 || year < 1970 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
      tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60 || s[7] != ' ' || s[11] != ' ' ||
      s[16] != ' ' || s[19] != ':' || s[22] != ':') {
    return false;
  }
  tm.tm_year = year - 1900;
  out = timegm(&tm);
  return out != static_cast<time_t>(-1);
}

std::string_view date_line(TimePoint now) {
  DateCache& c = t_date;
  if (now >= c.next) {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    format_http_date(ts.tv_sec, c.line + 6);
    c.line[6 + kHttpDateSize] = '\r';
    c.line[6 + kHttpDateSize + 1] = '\n';
    // Valid until the wall clock's next second.
    c.next = now + std::chrono::nanoseconds(1000000000 - ts.tv_nsec);
  }
  return {c.line, sizeof c.line};
}

}  // namespace weft::http::detail
