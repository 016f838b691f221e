#include "http/request_parser.h"

#include <algorithm>
#include <cstring>

#include "http/token.h"

namespace weft::http::detail {
namespace {

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

// Host = uri-host [ ":" port ]: unreserved, sub-delims, pct-encoded, ':' and IPv6 brackets.
bool is_host_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("-._~!$&'()*+,;=:[]%", c) != nullptr && c != '\0';
}

}  // namespace

// llhttp calls plain functions; these forward to the parser that owns the llhttp_t.
struct Callbacks {
  static RequestParser& self(llhttp_t* p) { return *static_cast<RequestParser*>(p->data); }
  static int method(llhttp_t* p, const char* at, size_t n) { return self(p).on_method(at, n); }
  static int url(llhttp_t* p, const char* at, size_t n) { return self(p).on_url(at, n); }
  static int version(llhttp_t* p, const char* at, size_t n) { return self(p).on_version(at, n); }
  static int version_complete(llhttp_t* p) { return self(p).on_version_complete(); }
  static int header_field(llhttp_t* p, const char* at, size_t n) { return self(p).on_header_field(at, n); }
  static int header_field_complete(llhttp_t* p) { return self(p).on_header_field_complete(); }
  static int header_value(llhttp_t* p, const char* at, size_t n) { return self(p).on_header_value(at, n); }
  static int header_value_complete(llhttp_t* p) { return self(p).on_header_value_complete(); }
  static int headers_complete(llhttp_t* p) { return self(p).on_headers_complete(); }
  static int body(llhttp_t* p, const char* at, size_t n) { return self(p).on_body(at, n); }
  static int chunk_header(llhttp_t* p) { return self(p).on_chunk_header(); }
  static int chunk_extension(llhttp_t* p, const char*, size_t n) { return self(p).on_chunk_extension(n); }
  static int chunk_extension_complete(llhttp_t* p) { return self(p).on_chunk_extensions_complete(); }
  static int chunk_complete(llhttp_t* p) {
    self(p).extensions_ = 0;
    return 0;
  }
  static int message_complete(llhttp_t* p) { return self(p).on_message_complete(); }

  static llhttp_settings_t make() {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_method = method;
    s.on_url = url;
    s.on_version = version;
    s.on_version_complete = version_complete;
    s.on_header_field = header_field;
    s.on_header_field_complete = header_field_complete;
    s.on_header_value = header_value;
    s.on_header_value_complete = header_value_complete;
    s.on_headers_complete = headers_complete;
    s.on_body = body;
    s.on_chunk_header = chunk_header;
    s.on_chunk_extension_name = chunk_extension;
    s.on_chunk_extension_value = chunk_extension;
    s.on_chunk_extension_name_complete = chunk_extension_complete;
    s.on_chunk_extension_value_complete = chunk_extension_complete;
    s.on_chunk_complete = chunk_complete;
    s.on_message_complete = message_complete;
    return s;
  }
};

namespace {
const llhttp_settings_t kSettings = Callbacks::make();
}  // namespace

RequestParser::RequestParser(const Limits& limits) : limits_(limits) {
  reset();
}

void RequestParser::reset() {
  llhttp_init(&parser_, HTTP_REQUEST, &kSettings);
  parser_.data = this;
  error_status_ = 0;
  error_reason_ = "";
  after_message_ = false;
  continue_upgrade_ = false;
  begin_message();
}

void RequestParser::begin_message() {
  request_.clear();
  message_fed_ = 0;
  method_end_ = url_start_ = url_end_ = version_start_ = version_end_ = line_end_ = 0;
  method_seen_ = url_seen_ = version_seen_ = line_done_ = false;
  form_ = TargetForm::unknown;
  scheme_state_ = 0;
  path_started_ = query_started_ = false;
  field_ = {};
  field_started_ = false;
  name_size_ = 0;
  value_seen_ = false;
  expect_seen_ = false;
  last_line_end_ = 0;
  kind_ = HeaderKind::other;
  hosts_ = 0;
  host_invalid_ = false;
  te_.clear();
  expect_.clear();
  body_total_ = 0;
  extensions_ = 0;
  trailer_bytes_ = 0;
  trailer_too_long_ = false;
  head_size_ = 0;
  started_ = false;
  head_done_ = false;
  head_pending_ = false;
  line_pending_ = false;
  message_done_ = false;
  sink_ = nullptr;
}

int RequestParser::fail(int status, const char* reason) {
  error_status_ = status;
  error_reason_ = reason;
  return HPE_USER;
}

RequestParser::Step RequestParser::feed(std::string_view bytes) {
  if (error_status_ != 0) return {Event::error, 0};
  // llhttp computes data + len: never hand it a null pointer, even for no bytes.
  static constexpr char kNothing[1] = {};
  if (bytes.data() == nullptr) bytes = std::string_view(kNothing, 0);
  if (after_message_) {
    if (request_.upgrade_ && !continue_upgrade_) {
      fail(400, "bytes after an upgrade were offered to the HTTP parser");
      return {Event::error, 0};
    }
    after_message_ = false;
    begin_message();
  }
  size_t used = 0;
  // llhttp is run once even without bytes: after a pause at the end of a head it moves on
  // to the end of a message that has no body.
  for (bool first = true;; first = false) {
    size_t n = bytes.size() - used;
    if (!head_done_) {
      // Never let llhttp see past the limit on the part of the head being parsed.
      const uint64_t cap = line_done_ ? line_end_ + limits_.max_header_section : limits_.max_request_line + 2;
      if (message_fed_ >= cap) {
        fail(line_done_ ? 431 : 414, line_done_ ? "header section too long" : "request line too long");
        return {Event::error, used};
      }
      n = std::min<uint64_t>(n, cap - message_fed_);
    }
    if (n == 0 && !first) return {Event::need_more, used};
    if (n != 0) started_ = true;
    chunk_ = bytes.data() + used;
    chunk_offset_ = message_fed_;
    const llhttp_errno_t err = llhttp_execute(&parser_, chunk_, n);
    const size_t took = err == HPE_OK ? n : static_cast<size_t>(llhttp_get_error_pos(&parser_) - chunk_);
    used += took;
    message_fed_ += took;
    for (size_t i = took > 2 ? took - 2 : 0; i < took; ++i) {
      last_two_[0] = last_two_[1];
      last_two_[1] = chunk_[i];
    }
    // A check of ours failed inside a callback (llhttp reports it as that callback's error).
    if (error_status_ != 0) return {Event::error, used};
    switch (err) {
      case HPE_OK: continue;
      case HPE_PAUSED:
        llhttp_resume(&parser_);
        if (line_pending_) {
          // The request line is complete: the next bytes are held to the header limit.
          line_pending_ = false;
          continue;
        }
        if (head_pending_) {
          head_pending_ = false;
          head_size_ = message_fed_;
          if (check_head() != 0) return {Event::error, used};
          head_done_ = true;
          return {Event::head, used};
        }
        if (message_done_) {
          // llhttp lets a bare LF end the trailer section of a chunked body.
          if (request_.chunked_ && (last_two_[0] != '\r' || last_two_[1] != '\n')) {
            fail(400, "bare LF ends the chunked body");
            return {Event::error, used};
          }
          message_done_ = false;
          after_message_ = true;
          return {Event::message_end, used};
        }
        continue;
      case HPE_PAUSED_UPGRADE:
        // Met again after the upgrade request's message_end: the server declined it.
        llhttp_resume_after_upgrade(&parser_);
        continue;
      case HPE_INVALID_VERSION: fail(505, "unsupported HTTP version"); return {Event::error, used};
      default: fail(400, llhttp_get_error_reason(&parser_)); return {Event::error, used};
    }
  }
}

// --- the request line ------------------------------------------------------------------

int RequestParser::on_method(const char* at, size_t n) {
  method_seen_ = true;
  method_end_ = offset_of(at) + static_cast<uint32_t>(n);
  return 0;
}

int RequestParser::on_url(const char* at, size_t n) {
  const uint32_t offset = offset_of(at);
  if (!url_seen_) {
    url_seen_ = true;
    url_start_ = offset;
    // Exactly one space between method and target.
    if (offset != method_end_ + 1) return fail(400, "malformed request line");
    request_.target_.at = offset;
    request_.method_ = static_cast<Method>(parser_.method);
  }
  url_end_ = offset + static_cast<uint32_t>(n);
  request_.target_.size = url_end_ - url_start_;
  scan_target(at, n, offset);
  return error_status_ != 0 ? HPE_USER : 0;
}

// Finds the path and query of the target as its pieces arrive.
void RequestParser::scan_target(const char* at, size_t n, uint32_t offset) {
  Request& r = request_;
  for (size_t i = 0; i < n; ++i) {
    const char c = at[i];
    const uint32_t pos = offset + static_cast<uint32_t>(i);
    if (form_ == TargetForm::unknown) {
      if (c == '/') {
        form_ = TargetForm::origin;
        path_started_ = true;
        r.path_.at = pos;
      } else if (c == '*') {
        form_ = TargetForm::asterisk;
        r.path_.at = pos;
        path_started_ = true;
      } else {
        form_ = r.method_ == Method::connect ? TargetForm::authority : TargetForm::absolute;
      }
    } else if (form_ == TargetForm::absolute && !path_started_ && !query_started_) {
      // scheme "://" authority, then the path begins at '/' (or the query at '?').
      if (scheme_state_ < 3) {
        scheme_state_ = c == ":/"[std::min<int>(scheme_state_, 1)] ? scheme_state_ + 1 : (c == ':' ? 1 : 0);
        continue;
      }
      if (c == '/') {
        path_started_ = true;
        r.path_.at = pos;
      }
    }
    if (c == '#') {
      fail(400, "fragment in request target");
      return;
    }
    if (c == '?' && !query_started_ && form_ != TargetForm::authority) {
      query_started_ = true;
      if (path_started_) r.path_.size = pos - r.path_.at;
      r.query_.at = pos + 1;
      continue;
    }
  }
  const uint32_t end = offset + static_cast<uint32_t>(n);
  if (query_started_) {
    r.query_.size = end - r.query_.at;
  } else if (path_started_) {
    r.path_.size = end - r.path_.at;
  }
}

int RequestParser::on_version(const char* at, size_t n) {
  const uint32_t offset = offset_of(at);
  if (!version_seen_) {
    version_seen_ = true;
    version_start_ = offset;
    // " HTTP/" between target and version.
    if (offset != url_end_ + 6) return fail(400, "malformed request line");
  }
  version_end_ = offset + static_cast<uint32_t>(n);
  return 0;
}

int RequestParser::on_version_complete() {
  if (version_end_ > limits_.max_request_line) return fail(414, "request line too long");
  if (parser_.http_major != 1 || parser_.http_minor > 1) return fail(505, "unsupported HTTP version");
  line_end_ = version_end_ + 2;
  line_done_ = true;
  line_pending_ = true;
  last_line_end_ = version_end_;
  switch (form_) {
    case TargetForm::asterisk:
      if (request_.method_ != Method::options || request_.target_.size != 1) {
        return fail(400, "asterisk target without OPTIONS");
      }
      break;
    case TargetForm::authority: break;
    default:
      if (request_.method_ == Method::connect) return fail(400, "CONNECT needs an authority target");
      break;
  }
  return HPE_PAUSED;
}

// --- fields ------------------------------------------------------------------------------

int RequestParser::on_header_field(const char* at, size_t n) {
  const uint32_t offset = offset_of(at);
  if (!field_started_) {
    field_started_ = true;
    // A new field starts right after the previous line's CRLF (in trailers, where the
    // last chunk's line is not tracked, after the previous trailer's).
    if (offset != last_line_end_ + 2 && (!head_done_ || !request_.trailers_.empty())) {
      return fail(400, "bare LF or obs-fold in the head");
    }
    field_.name.at = offset;
    trailer_name_at_ = static_cast<uint32_t>(request_.trailer_text_.size());
  }
  for (size_t i = 0; i < n && name_size_ + i < sizeof name_; ++i) name_[name_size_ + i] = ascii_lower(at[i]);
  name_size_ += static_cast<uint32_t>(n);
  field_.name.size = name_size_;
  if (head_done_) {
    trailer_bytes_ += n;
    if (trailer_bytes_ > limits_.max_header_section) trailer_too_long_ = true;
    if (!trailer_too_long_) request_.trailer_text_.append(at, n);
  }
  return 0;
}

int RequestParser::on_header_field_complete() {
  if (name_size_ == 0) return fail(400, "empty header field name");
  if (trailer_too_long_) return fail(431, "trailer section too long");
  // Counted here, where the name is known to be valid: a piece of a name can arrive before
  // llhttp has seen the character that makes it invalid.
  const size_t count = head_done_ ? request_.trailers_.size() : request_.fields_.size();
  if (count >= limits_.max_headers) return fail(431, "too many header fields");
  const std::string_view name(name_, std::min<size_t>(name_size_, sizeof name_));
  kind_ = HeaderKind::other;
  if (!head_done_ && name_size_ <= sizeof name_) {
    if (name == "host") {
      kind_ = HeaderKind::host;
      ++hosts_;
      if (hosts_ > 1) return fail(400, "more than one Host field");
    } else if (name == "transfer-encoding") {
      kind_ = HeaderKind::transfer_encoding;
      if (!te_.empty()) te_ += ',';
    } else if (name == "expect") {
      kind_ = HeaderKind::expect;
      expect_seen_ = true;
    }
  }
  last_line_end_ = field_.name.at + name_size_ + 1;  // Past the colon, if no value follows.
  return 0;
}

int RequestParser::on_header_value(const char* at, size_t n) {
  // llhttp reports an empty value with an empty piece placed after the line's CRLF.
  if (n == 0) return 0;
  const uint32_t offset = offset_of(at);
  if (!value_seen_) {
    value_seen_ = true;
    field_.value.at = offset;
    value_trimmed_end_ = offset;
    trailer_value_at_ = static_cast<uint32_t>(request_.trailer_text_.size());
  } else if (offset != last_line_end_) {
    // llhttp joins an obs-fold continuation to the value; the gap is the fold's CRLF.
    return fail(400, "obs-fold in a header field");
  }
  last_line_end_ = offset + static_cast<uint32_t>(n);
  for (size_t i = n; i > 0; --i) {
    if (!is_ows(at[i - 1])) {
      value_trimmed_end_ = offset + static_cast<uint32_t>(i);
      break;
    }
  }
  switch (kind_) {
    case HeaderKind::host:
      for (size_t i = 0; i < n; ++i) {
        if (!is_host_char(at[i])) host_invalid_ = true;
      }
      break;
    case HeaderKind::transfer_encoding:
      if (te_.size() + n <= limits_.max_header_section) te_.append(at, n);
      break;
    case HeaderKind::expect:
      if (expect_.size() + n <= 64) expect_.append(at, n);
      break;
    case HeaderKind::other: break;
  }
  if (head_done_) {
    trailer_bytes_ += n;
    if (trailer_bytes_ > limits_.max_header_section) trailer_too_long_ = true;
    if (!trailer_too_long_) request_.trailer_text_.append(at, n);
  }
  return 0;
}

int RequestParser::on_header_value_complete() {
  if (trailer_too_long_) return fail(431, "trailer section too long");
  if (!value_seen_) field_.value.at = value_trimmed_end_ = last_line_end_;
  field_.value.size = value_trimmed_end_ - field_.value.at;
  if (kind_ == HeaderKind::host && host_invalid_) return fail(400, "invalid Host");
  if (head_done_) {
    // Trailer spans index trailer_text_, where names and values are copied.
    if (!value_seen_) trailer_value_at_ = static_cast<uint32_t>(request_.trailer_text_.size());
    request_.trailers_.push_back({{trailer_name_at_, name_size_}, {trailer_value_at_, field_.value.size}});
  } else {
    request_.fields_.push_back(field_);
  }
  field_ = {};
  field_started_ = false;
  name_size_ = 0;
  value_seen_ = false;
  kind_ = HeaderKind::other;
  return 0;
}

// --- the end of the head ---------------------------------------------------------------

int RequestParser::on_headers_complete() {
  Request& r = request_;
  if (!version_seen_) return fail(400, "request line without a version");
  r.version_minor_ = parser_.http_minor;
  r.keep_alive_ = llhttp_should_keep_alive(&parser_) != 0;
  r.upgrade_ = parser_.upgrade != 0;
  r.chunked_ = (parser_.flags & F_CHUNKED) != 0;
  r.has_content_length_ = (parser_.flags & F_CONTENT_LENGTH) != 0;
  r.content_length_ = r.has_content_length_ ? parser_.content_length : 0;
  if (r.version_minor_ == 1 && hosts_ == 0) return fail(400, "HTTP/1.1 request without Host");
  if ((parser_.flags & F_TRANSFER_ENCODING) != 0) {
    if (r.version_minor_ == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    // RFC 9112 6.1: chunked must be the last coding, once; we implement no other.
    size_t chunked = 0;
    bool last_chunked = false;
    bool other = false;
    for (std::string_view rest = te_; !rest.empty();) {
      const size_t comma = rest.find(',');
      std::string_view coding = trim_ows(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (coding.empty()) continue;
      last_chunked = iequals(coding, "chunked");
      if (last_chunked) {
        ++chunked;
      } else {
        other = true;
      }
    }
    if (chunked > 1 || (chunked == 1 && !last_chunked)) return fail(400, "chunked is not the last transfer coding");
    if (other) return fail(501, "unsupported transfer coding");
    if (chunked == 0) return fail(400, "empty Transfer-Encoding");
  }
  if (expect_seen_) {
    if (!iequals(trim_ows(expect_), "100-continue")) return fail(417, "unsupported expectation");
    r.expect_continue_ = true;
  }
  if (r.has_content_length_ && r.content_length_ > limits_.max_body) return fail(413, "body too large");
  head_pending_ = true;
  return HPE_PAUSED;
}

int RequestParser::check_head() {
  // The head ends with CRLF CRLF right after the last field (or the request line).
  if (head_size_ != last_line_end_ + 4) {
    fail(400, "bare LF in the head");
    return -1;
  }
  return 0;
}

// --- the body ----------------------------------------------------------------------------

int RequestParser::on_body(const char* at, size_t n) {
  if (sink_ != nullptr) sink_->on_body_bytes({at, n});
  return 0;
}

int RequestParser::on_chunk_header() {
  const uint64_t size = parser_.content_length;
  if (size > limits_.max_body - body_total_) return fail(413, "body too large");
  body_total_ += size;
  return 0;
}

int RequestParser::on_chunk_extension(size_t n) {
  extensions_ += n;
  return 0;
}

int RequestParser::on_chunk_extensions_complete() {
  if (extensions_ > kMaxChunkExtensions) return fail(400, "chunk extensions too long");
  return 0;
}

int RequestParser::on_message_complete() {
  message_done_ = true;
  return HPE_PAUSED;
}

}  // namespace weft::http::detail
