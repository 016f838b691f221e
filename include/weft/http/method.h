#pragma once
// HTTP request methods. The values follow llhttp's numbering, so the parser hands its
// method through without translating it; Method::other stands for none of them (it never
// comes out of the parser, which rejects unknown methods with 400).

#include <cstdint>
#include <string_view>

namespace weft::http {

enum class Method : uint8_t {
  delete_ = 0,
  get = 1,
  head = 2,
  post = 3,
  put = 4,
  connect = 5,
  options = 6,
  trace = 7,
  copy = 8,
  lock = 9,
  mkcol = 10,
  move = 11,
  propfind = 12,
  proppatch = 13,
  search = 14,
  unlock = 15,
  bind = 16,
  rebind = 17,
  unbind = 18,
  acl = 19,
  report = 20,
  mkactivity = 21,
  checkout = 22,
  merge = 23,
  msearch = 24,
  notify = 25,
  subscribe = 26,
  unsubscribe = 27,
  patch = 28,
  purge = 29,
  mkcalendar = 30,
  link = 31,
  unlink = 32,
  source = 33,
  other = 34,
};

inline constexpr size_t kMethodCount = static_cast<size_t>(Method::other);

// "GET", "M-SEARCH", ...; "OTHER" for Method::other.
std::string_view to_string(Method method);
// The method with exactly this (case-sensitive) name, or Method::other.
Method method_from_string(std::string_view name);

}  // namespace weft::http
