#include "weft/http/request.h"

#include "http/token.h"

namespace weft::http {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (detail::ascii_lower(a[i]) != detail::ascii_lower(b[i])) return false;
  }
  return true;
}

void Request::clear() {
  head_ = "";
  target_ = path_ = query_ = {};
  fields_.clear();
  params_.clear();
  body_ = {};
  content_length_ = 0;
  method_ = Method::get;
  version_minor_ = 1;
  has_content_length_ = chunked_ = upgrade_ = expect_continue_ = false;
  keep_alive_ = true;
  trailer_text_.clear();
  trailers_.clear();
  body_fn_ = nullptr;
  body_source_ = nullptr;
}

Task<Result<std::string_view>> Request::read_body() {
  if (body_source_ == nullptr) co_return std::make_error_code(std::errc::operation_not_supported);
  co_return co_await body_source_->next_body_piece();
}

std::string_view Request::header(std::string_view name) const {
  for (const Field& f : fields_) {
    if (iequals(view(f.name), name)) return view(f.value);
  }
  return {};
}

bool Request::has_header(std::string_view name) const {
  for (const Field& f : fields_) {
    if (iequals(view(f.name), name)) return true;
  }
  return false;
}

std::string_view Request::query_value(std::string_view key) const {
  std::string_view rest = query();
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
  }
  return {};
}

std::string_view Request::param(std::string_view name) const {
  for (const Param& p : params_) {
    if (p.name == name) return view(p.value);
  }
  return {};
}

bool Request::has_param(std::string_view name) const {
  for (const Param& p : params_) {
    if (p.name == name) return true;
  }
  return false;
}

std::string_view Request::trailer(std::string_view name) const {
  for (size_t i = 0; i < trailers_.size(); ++i) {
    HeaderField f = trailer_at(i);
    if (iequals(f.name, name)) return f.value;
  }
  return {};
}

HeaderField Request::trailer_at(size_t i) const {
  const auto& [name, value] = trailers_[i];
  return {std::string_view(trailer_text_).substr(name.at, name.size),
          std::string_view(trailer_text_).substr(value.at, value.size)};
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_as_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

namespace detail {

bool list_has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (iequals(trim_ows(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace detail
}  // namespace weft::http
