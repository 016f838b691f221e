#include "weft/http/response.h"

#include <unistd.h>

#include <charconv>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "http/date_cache.h"
#include "http/exchange.h"
#include "http/token.h"
#include "weft/core/error.h"
#include "weft/http/request.h"
#include "weft/http/status.h"

namespace weft::http {
namespace {

// Appends the parts to out, copying them straight into the tail block when they fit
// (a whole small response is then one memcpy per part and no block walk).
void emit(Buffer& out, std::initializer_list<std::string_view> parts) {
  size_t total = 0;
  for (std::string_view p : parts) total += p.size();
  std::span<char> space = out.prepare();
  if (space.size() >= total) {
    char* at = space.data();
    for (std::string_view p : parts) {
      if (p.empty()) continue;  // Its data() may be null, which memcpy must not get.
      std::memcpy(at, p.data(), p.size());
      at += p.size();
    }
    out.commit(total);
    return;
  }
  for (std::string_view p : parts) {
    if (!p.empty()) out.append(p);
  }
}

std::string_view status_digits(int status, char (&buf)[3]) {
  buf[0] = static_cast<char>('0' + status / 100 % 10);
  buf[1] = static_cast<char>('0' + status / 10 % 10);
  buf[2] = static_cast<char>('0' + status % 10);
  return {buf, 3};
}

std::string_view number(uint64_t v, char (&buf)[24]) {
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, static_cast<size_t>(r.ptr - buf)};
}

std::string_view hex(uint64_t v, char (&buf)[24]) {
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  return {buf, static_cast<size_t>(r.ptr - buf)};
}

std::error_code closed() {
  return make_error_code(Errc::closed);
}

}  // namespace

namespace detail {

void write_error_response(Buffer& out, TimePoint now, std::string_view server_name, int status, bool keep_alive,
                          std::string_view extra, bool with_body) {
  char code[3];
  char length[24];
  const std::string_view reason = reason_phrase(status);
  // The body names the status: "404 Not Found\n".
  const size_t body_size = 3 + 1 + reason.size() + 1;
  emit(out, {"HTTP/1.1 ", status_digits(status, code), " ", reason, "\r\n",
             server_name.empty() ? "" : "Server: ", server_name, server_name.empty() ? "" : "\r\n", date_line(now),
             "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ", number(body_size, length), "\r\n",
             keep_alive ? "" : "Connection: close\r\n", extra, "\r\n", with_body ? status_digits(status, code) : "",
             with_body ? " " : "", with_body ? reason : "", with_body ? "\n" : ""});
}

}  // namespace detail

std::error_code Response::check_open() const {
  if (exchange_ == nullptr || !exchange_->writable()) return closed();
  return {};
}

Response& Response::status(int code) {
  if (code < 100 || code > 999) throw std::invalid_argument("Response::status: " + std::to_string(code));
  status_ = code;
  return *this;
}

Response& Response::header(std::string_view name, std::string_view value) {
  if (started_) throw std::logic_error("Response::header after the head was written");
  if (name.empty()) throw std::invalid_argument("Response::header: empty name");
  for (char c : name) {
    if (!detail::is_tchar(c))
      throw std::invalid_argument("Response::header: \"" + std::string(name) + "\" is not a token");
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      throw std::invalid_argument("Response::header: the value of " + std::string(name) + " has CR, LF or NUL");
    }
  }
  for (std::string_view framing : {"content-length", "transfer-encoding", "connection", "date"}) {
    if (iequals(name, framing)) {
      throw std::invalid_argument("Response::header: " + std::string(name) +
                                  " is weft's to set (use begin(length) or close_connection())");
    }
  }
  if (iequals(name, "content-type")) has_content_type_ = true;
  if (iequals(name, "server")) has_server_ = true;
  headers_.append(name).append(": ").append(value).append("\r\n");
  return *this;
}

Response& Response::close_connection() {
  keep_alive_ = false;
  return *this;
}

std::error_code Response::write_head(std::optional<uint64_t> length, std::string_view body) {
  Buffer& out = exchange_->output();
  const bool allow_body = status_allows_body(status_);
  chunked_ = false;
  length_known_ = length.has_value() || !allow_body;
  remaining_ = allow_body ? length.value_or(0) : 0;
  char code[3];
  char digits[24];
  std::string_view framing;
  std::string_view framing_value;
  std::string_view framing_end;
  if (!allow_body) {
    // No body and no framing header for 1xx, 204 and 304.
  } else if (length) {
    framing = "Content-Length: ";
    framing_value = number(*length, digits);
    framing_end = "\r\n";
  } else if (!http10_) {
    chunked_ = true;
    framing = "Transfer-Encoding: chunked\r\n";
  } else {
    keep_alive_ = false;  // The end of an HTTP/1.0 body without a length is the close.
  }
  std::string_view connection;
  if (!keep_alive_) {
    connection = "Connection: close\r\n";
  } else if (http10_) {
    connection = "Connection: keep-alive\r\n";
  }
  const std::string_view server = has_server_ ? std::string_view() : exchange_->server_name();
  const bool default_type = allow_body && !has_content_type_ && (!body.empty() || !length || *length != 0);
  emit(out,
       {"HTTP/1.1 ", status_digits(status_, code), " ", reason_phrase(status_), "\r\n",
        server.empty() ? "" : "Server: ", server, server.empty() ? "" : "\r\n", detail::date_line(exchange_->now()),
        default_type ? "Content-Type: " : "", default_type ? kDefaultContentType : "", default_type ? "\r\n" : "",
        framing, framing_value, framing_end, connection, headers_, "\r\n", head_only_ ? "" : body});
  started_ = true;
  return {};
}

std::error_code Response::send(int code, std::string_view body) {
  status(code);
  return send(body);
}

std::error_code Response::send(std::string_view body) {
  if (std::error_code ec = check_open()) return ec;
  if (started_) return std::make_error_code(std::errc::operation_in_progress);
  const bool allow_body = status_allows_body(status_);
  write_head(allow_body ? std::optional<uint64_t>(body.size()) : std::nullopt, allow_body ? body : std::string_view());
  remaining_ = 0;
  finished_ = true;
  std::error_code ec = exchange_->commit();
  exchange_->completed();
  return ec;
}

std::error_code Response::begin(std::optional<uint64_t> length) {
  if (std::error_code ec = check_open()) return ec;
  if (started_) return std::make_error_code(std::errc::operation_in_progress);
  write_head(length, {});
  return exchange_->commit();
}

std::error_code Response::write(std::string_view bytes) {
  if (std::error_code ec = check_open()) return ec;
  if (finished_) return std::make_error_code(std::errc::operation_not_permitted);
  if (!started_) {
    if (std::error_code ec = begin()) return ec;
  }
  if (length_known_) {
    if (bytes.size() > remaining_) return std::make_error_code(std::errc::message_size);
    remaining_ -= bytes.size();
  }
  if (head_only_ || bytes.empty()) return {};
  Buffer& out = exchange_->output();
  if (chunked_) {
    char digits[24];
    emit(out, {hex(bytes.size(), digits), "\r\n", bytes, "\r\n"});
  } else {
    out.append(bytes);
  }
  return exchange_->commit();
}

std::error_code Response::write_file(int fd, uint64_t offset, uint64_t length) {
  std::error_code ec = check_open();
  if (!ec && (!started_ || finished_ || !length_known_)) ec = std::make_error_code(std::errc::operation_not_permitted);
  if (!ec && length > remaining_) ec = std::make_error_code(std::errc::message_size);
  if (ec || head_only_ || length == 0) {
    ::close(fd);
    if (!ec) remaining_ -= length;
    return ec;
  }
  remaining_ -= length;
  return exchange_->queue_file(fd, offset, length);
}

std::error_code Response::end() {
  if (std::error_code ec = check_open()) return ec;
  if (finished_) return std::make_error_code(std::errc::operation_not_permitted);
  if (!started_) return send();
  if (chunked_ && !head_only_) exchange_->output().append("0\r\n\r\n");
  if (length_known_ && remaining_ != 0) keep_alive_ = false;  // The peer cannot find the next response.
  finished_ = true;
  std::error_code ec = exchange_->commit();
  exchange_->completed();
  return ec;
}

Responder Response::defer() {
  if (exchange_ == nullptr) return {};
  if (deferred_) throw std::logic_error("Response::defer called twice");
  Responder r = exchange_->defer();
  deferred_ = true;
  return r;
}

bool Response::congested() const {
  return exchange_ != nullptr && exchange_->congested();
}

size_t Response::unsent() const {
  return exchange_ != nullptr ? exchange_->unsent() : 0;
}

void Response::on_drain(std::function<void()> fn) {
  if (exchange_ != nullptr) exchange_->on_drain(std::move(fn));
}

Task<std::error_code> Response::flush() {
  if (exchange_ == nullptr) co_return closed();
  co_return co_await exchange_->flush();
}

}  // namespace weft::http
