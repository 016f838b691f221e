#pragma once
// Request: one parsed HTTP/1.x request as a handler sees it.
//
//   router.get("/users/:id", [](http::Request& req, http::Response& res) {
//     std::string_view id = req.param("id");          // "42" for GET /users/42
//     std::string_view agent = req.header("user-agent");
//     res.send(200, id);
//   });
//
// Views, not copies. Every string_view a Request returns (method name, target, path,
// query, header names and values, parameters, body, trailers) points into the bytes the
// connection received, or into the connection's own storage when they had to be joined.
// They stay valid until the handler returns (callback API) or until the handler's
// coroutine completes (coroutine API). Copy what you keep longer, and copy before handing
// work to another thread.
//
// Header lookup is case-insensitive and returns the first field with that name; values
// come without their surrounding whitespace. Repeated fields are reached by iterating
// headers(). Parameters and the path are as sent (not percent-decoded); see
// percent_decode().
//
// Threads: the connection's loop thread (or the handler's coroutine), while valid.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/address.h"
#include "weft/coro/result.h"
#include "weft/coro/task.h"
#include "weft/http/method.h"

namespace weft {
class Conn;
class Stream;
}  // namespace weft

namespace weft::http {

namespace detail {
class RequestParser;
class RequestAccess;
// Where a coroutine handler's streamed body comes from (the coroutine session).
class BodySource {
 public:
  virtual Task<Result<std::string_view>> next_body_piece() = 0;

 protected:
  ~BodySource() = default;
};
}  // namespace detail

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

class Request {
 public:
  Request() = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  Method method() const { return method_; }
  std::string_view method_name() const { return to_string(method_); }
  // The request target as sent: "/a/b?x=1", "http://host/a" (absolute form), "*".
  std::string_view target() const { return view(target_); }
  // The target's path ("/a/b"; "*" for OPTIONS *) and its query ("x=1", without '?').
  std::string_view path() const { return path_.size != 0 ? view(path_) : std::string_view("/"); }
  std::string_view query() const { return view(query_); }
  // The raw value of the first query parameter named key ("" if absent or valueless).
  std::string_view query_value(std::string_view key) const;
  // 0 for HTTP/1.0, 1 for HTTP/1.1.
  int version_minor() const { return version_minor_; }

  // The first field named name, case-insensitively, trimmed; empty if there is none.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  size_t header_count() const { return fields_.size(); }
  HeaderField header_at(size_t i) const { return {view(fields_[i].name), view(fields_[i].value)}; }

  // The fields in the order they came: for (auto [name, value] : req.headers()).
  class Fields {
   public:
    class Iterator {
     public:
      HeaderField operator*() const { return request_->header_at(i_); }
      Iterator& operator++() {
        ++i_;
        return *this;
      }
      bool operator!=(const Iterator& other) const { return i_ != other.i_; }

     private:
      friend class Fields;
      Iterator(const Request* r, size_t i) : request_(r), i_(i) {}
      const Request* request_;
      size_t i_;
    };
    Iterator begin() const { return {request_, 0}; }
    Iterator end() const { return {request_, request_->header_count()}; }

   private:
    friend class Request;
    explicit Fields(const Request* r) : request_(r) {}
    const Request* request_;
  };
  Fields headers() const { return Fields(this); }

  // A route parameter (":id" or "*rest" in the pattern), as sent; empty if there is none.
  std::string_view param(std::string_view name) const;
  // Whether the route has that parameter (a wildcard's value may be empty).
  bool has_param(std::string_view name) const;

  // The body, collected whole (routes that stream the body see it piece by piece instead).
  std::string_view body() const { return body_; }

  // Routes with RouteOptions::stream_body, callback API: fn gets the body piece by piece
  // as it arrives, then once with last set (the piece then empty) when it is complete.
  // The pieces are views valid during the call. Set it in the handler; at most max_body
  // bytes arrive. fn may answer through the Response at any time.
  using BodyFn = std::function<void(std::string_view piece, bool last)>;
  void on_body(BodyFn fn) { body_fn_ = std::move(fn); }
  // The same for coroutine handlers: the next piece of the body, or an empty view once it
  // is complete. The view is valid until the next read_body() or the handler's next
  // co_await. Errc::closed if the connection closes first.
  Task<Result<std::string_view>> read_body();
  // The declared Content-Length, if the request had one.
  std::optional<uint64_t> content_length() const {
    return has_content_length_ ? std::optional<uint64_t>(content_length_) : std::nullopt;
  }
  bool chunked() const { return chunked_; }
  // Trailer fields of a chunked body, like header().
  std::string_view trailer(std::string_view name) const;
  size_t trailer_count() const { return trailers_.size(); }
  HeaderField trailer_at(size_t i) const;

  // Whether the client lets the connection stay open after this exchange (HTTP/1.1
  // without "Connection: close", or HTTP/1.0 with "Connection: keep-alive").
  bool keep_alive() const { return keep_alive_; }
  // Whether the client asked for a protocol upgrade (Connection: upgrade + Upgrade).
  bool upgrade() const { return upgrade_; }
  // The peer's address.
  Address remote_address() const;

 private:
  friend class detail::RequestParser;
  friend class detail::RequestAccess;

  // A range of the request's head, relative to its first byte.
  struct Span {
    uint32_t at = 0;
    uint32_t size = 0;
  };
  struct Field {
    Span name;
    Span value;
  };
  struct Param {
    std::string_view name;  // Points into the router's pattern.
    Span value;
  };

  std::string_view view(Span s) const { return {head_ + s.at, s.size}; }
  // Forgets the previous request; keeps the vectors' capacity.
  void clear();

  const char* head_ = "";  // The request's head, contiguous: see Span.
  Span target_;
  Span path_;
  Span query_;
  std::vector<Field> fields_;
  std::vector<Param> params_;
  std::string_view body_;
  uint64_t content_length_ = 0;
  Method method_ = Method::get;
  uint8_t version_minor_ = 1;
  bool has_content_length_ = false;
  bool chunked_ = false;
  bool keep_alive_ = true;
  bool upgrade_ = false;
  bool expect_continue_ = false;
  // Trailers are rare and arrive after the head: they are copied, names and values
  // alternating in trailer_text_.
  std::string trailer_text_;
  std::vector<std::pair<Span, Span>> trailers_;
  const Conn* conn_ = nullptr;
  const Stream* stream_ = nullptr;
  BodyFn body_fn_;
  detail::BodySource* body_source_ = nullptr;
};

// Decodes %XX escapes (and '+' as a space when plus_as_space, for form and query data)
// into out. Returns false, leaving out unspecified, for a malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space = false);

// Case-insensitive ASCII comparison of header names and tokens.
bool iequals(std::string_view a, std::string_view b);

}  // namespace weft::http
