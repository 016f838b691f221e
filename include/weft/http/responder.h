#pragma once
// Responder: answers a request later, from any thread (callback API).
//
//   router.get("/report", [&pool](http::Request& req, http::Response& res) {
//     std::string who(req.param("who"));                  // copy: views die with the handler
//     pool.submit([who, later = res.defer()]() mutable {
//       later.send(200, build_report(who));               // any thread
//     });
//   });
//
// A Responder names one response of one connection (by ConnHandle and exchange number),
// so one that outlives its connection is harmless: its operations report Errc::closed.
// While a response is deferred the connection reads no further request, so pipelined
// responses keep their order; a handler deadline (Timeouts::handler) answers 503 and
// closes the connection if it takes too long.
//
// Every done callback runs exactly once, on the connection's loop thread (or on the
// calling thread if the server has already stopped). A Responder destroyed while its
// response is still incomplete completes it with 500 and closes the connection.
// Like a ConnHandle it must not outlive the server. Move-only; any thread, one thread at
// a time.

#include <cstdint>
#include <functional>
#include <string>

#include "weft/net/conn_handle.h"

namespace weft::http {

class Response;
namespace detail {
class ConnSession;
}

class Responder {
 public:
  using Done = ConnHandle::Done;

  Responder() = default;
  Responder(Responder&& other) noexcept;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  // Completes the response: status, body, and content_type (the default text type if
  // empty). done gets success once the response is queued, or Errc::closed if the
  // connection or the response is gone. The Responder is empty afterwards.
  void send(int status, std::string body, std::string content_type = {}, Done done = {});
  // Runs fn with the Response on the loop thread, for anything send() does not cover
  // (headers, streaming with several posts). done gets success after fn ran, or
  // Errc::closed (and fn is not run) if the connection or the response is gone.
  void post(std::function<void(Response&)> fn, Done done = {});

  bool empty() const { return conn_.empty(); }

 private:
  friend class Response;
  friend class detail::ConnSession;
  Responder(ConnHandle conn, uint64_t exchange) : conn_(conn), exchange_(exchange) {}
  void abandon();
  static void post_to(ConnHandle conn, uint64_t exchange, std::function<void(Response&)> fn, Done done);

  ConnHandle conn_;
  uint64_t exchange_ = 0;
};

}  // namespace weft::http
