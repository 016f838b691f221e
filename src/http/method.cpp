#include "weft/http/method.h"

#include <array>

namespace weft::http {
namespace {

constexpr std::array<std::string_view, kMethodCount> kNames = {
    "DELETE",      "GET",   "HEAD",   "POST",       "PUT",       "CONNECT", "OPTIONS",  "TRACE",  "COPY",
    "LOCK",        "MKCOL", "MOVE",   "PROPFIND",   "PROPPATCH", "SEARCH",  "UNLOCK",   "BIND",   "REBIND",
    "UNBIND",      "ACL",   "REPORT", "MKACTIVITY", "CHECKOUT",  "MERGE",   "M-SEARCH", "NOTIFY", "SUBSCRIBE",
    "UNSUBSCRIBE", "PATCH", "PURGE",  "MKCALENDAR", "LINK",      "UNLINK",  "SOURCE",
};

}  // namespace

std::string_view to_string(Method method) {
  const auto i = static_cast<size_t>(method);
  return i < kNames.size() ? kNames[i] : "OTHER";
}

Method method_from_string(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Method>(i);
  }
  return Method::other;
}

}  // namespace weft::http
