#pragma once
// Status codes: the reason phrases weft writes on status lines, and the rules about which
// responses carry a body.

#include <string_view>

namespace weft::http {

// The registered reason phrase ("Not Found"), or "Unknown" for a code without one.
std::string_view reason_phrase(int status);

// 1xx, 204 and 304 responses never have a body (RFC 9110 6.4.1).
inline bool status_allows_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

}  // namespace weft::http
