#include "weft/http/options.h"

#include <stdexcept>
#include <string>

namespace weft::http {
namespace {

[[noreturn]] void bad(const char* field, const std::string& why) {
  throw std::invalid_argument(std::string("http::Options::") + field + " " + why);
}

}  // namespace

void validate(const Options& o) {
  if (o.limits.max_request_line < 16) bad("limits.max_request_line", "must be at least 16");
  if (o.limits.max_request_line > 1024 * 1024) bad("limits.max_request_line", "must be at most 1 MiB");
  if (o.limits.max_header_section < 2) bad("limits.max_header_section", "must be at least 2");
  if (o.limits.max_header_section > Limits::kMaxHeaderSection) {
    bad("limits.max_header_section", "must be at most " + std::to_string(Limits::kMaxHeaderSection) + " (80 KiB)");
  }
  if (o.limits.max_headers == 0) bad("limits.max_headers", "must be at least 1");
  if (o.timeouts.header < Duration::zero()) bad("timeouts.header", "must not be negative");
  if (o.timeouts.body < Duration::zero()) bad("timeouts.body", "must not be negative");
  if (o.timeouts.idle < Duration::zero()) bad("timeouts.idle", "must not be negative");
  if (o.timeouts.handler < Duration::zero()) bad("timeouts.handler", "must not be negative");
  if (o.timeouts.idle_on_stop < Duration::zero()) bad("timeouts.idle_on_stop", "must not be negative");
  for (char c : o.server_name) {
    if (c == '\r' || c == '\n' || c == '\0') bad("server_name", "must not contain CR, LF or NUL");
  }
}

}  // namespace weft::http
