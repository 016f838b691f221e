#pragma once
// RequestAccess: what the sessions and the router may change in a Request, and nobody else.

#include <string_view>
#include <vector>

#include "weft/http/request.h"

namespace weft::http::detail {

class RequestAccess {
 public:
  using Param = Request::Param;
  using Span = Request::Span;

  // Points the request's spans at its head and sets its body.
  static void set_head(Request& r, const char* head, std::string_view body) {
    r.head_ = head;
    r.body_ = body;
  }
  static void set_body(Request& r, std::string_view body) { r.body_ = body; }
  static const char* head(const Request& r) { return r.head_; }
  static void set_peer(Request& r, const Conn* conn, const Stream* stream) {
    r.conn_ = conn;
    r.stream_ = stream;
  }
  static bool expect_continue(const Request& r) { return r.expect_continue_; }
  static void set_keep_alive(Request& r, bool keep_alive) { r.keep_alive_ = keep_alive; }
  static Span path_span(const Request& r) { return r.path_; }
  static std::vector<Param>& params(Request& r) { return r.params_; }
  static Request::BodyFn& body_fn(Request& r) { return r.body_fn_; }
  static void set_body_source(Request& r, BodySource* source) { r.body_source_ = source; }
};

}  // namespace weft::http::detail
