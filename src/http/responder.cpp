#include "weft/http/responder.h"

#include <memory>
#include <utility>

#include "http/conn_session.h"
#include "weft/core/error.h"
#include "weft/http/response.h"

namespace weft::http {
namespace {

detail::ConnSession* session_of(Conn& conn) {
  return static_cast<detail::ConnSession*>(conn.attachment());
}

}  // namespace

Responder::Responder(Responder&& other) noexcept : conn_(other.conn_), exchange_(other.exchange_) {
  other.conn_ = {};
}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    abandon();
    conn_ = other.conn_;
    exchange_ = other.exchange_;
    other.conn_ = {};
  }
  return *this;
}

Responder::~Responder() {
  abandon();
}

void Responder::abandon() {
  if (conn_.empty()) return;
  const uint64_t exchange = exchange_;
  conn_.post([exchange](Conn& conn) {
    if (detail::ConnSession* s = session_of(conn)) s->abandon(exchange);
  });
  conn_ = {};
}

void Responder::send(int status, std::string body, std::string content_type, Done done) {
  ConnHandle conn = conn_;
  conn_ = {};
  if (conn.empty()) {
    if (done) done(make_error_code(Errc::closed));
    return;
  }
  post_to(
      conn, exchange_,
      [status, body = std::move(body), type = std::move(content_type)](Response& res) {
        if (!type.empty()) res.content_type(type);
        res.send(status, body);
      },
      std::move(done));
}

void Responder::post(std::function<void(Response&)> fn, Done done) {
  if (conn_.empty()) {
    if (done) done(make_error_code(Errc::closed));
    return;
  }
  post_to(conn_, exchange_, std::move(fn), std::move(done));
}

// The done callback runs once: from the task (success, or closed when the response is
// gone) or, if the connection is gone, from ConnHandle::post's own report.
void Responder::post_to(ConnHandle conn, uint64_t exchange, std::function<void(Response&)> fn, Done done) {
  auto shared_done = std::make_shared<Done>(std::move(done));
  conn.post(
      [exchange, fn = std::move(fn), shared_done](Conn& c) {
        detail::ConnSession* s = session_of(c);
        const bool ran = s != nullptr && s->run_deferred(exchange, fn);
        if (*shared_done) (*shared_done)(ran ? std::error_code() : make_error_code(Errc::closed));
      },
      [shared_done](std::error_code ec) {
        if (ec && *shared_done) (*shared_done)(ec);
      });
}

}  // namespace weft::http
