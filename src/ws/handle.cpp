#include "weft/ws/handle.h"

#include <memory>
#include <stdexcept>
#include <string>

#include "http/conn_session.h"
#include "weft/core/error.h"
#include "ws/connection.h"

namespace weft::ws {
namespace {

// The WebSocket on conn, if it is one and still open for the application.
detail::Connection* connection_of(Conn& conn) {
  auto* session = static_cast<http::detail::ConnSession*>(conn.attachment());
  return session != nullptr ? dynamic_cast<detail::Connection*>(session->upgraded()) : nullptr;
}

// Runs fn on the loop with the connection; done gets fn's result, or Errc::closed.
void run_on(const ConnHandle& conn, std::function<std::error_code(detail::Connection&)> fn, Handle::Done done) {
  auto shared = std::make_shared<Handle::Done>(std::move(done));
  conn.post(
      [fn = std::move(fn), shared](Conn& c) {
        detail::Connection* ws = connection_of(c);
        const std::error_code ec = ws != nullptr ? fn(*ws) : make_error_code(Errc::closed);
        if (*shared) (*shared)(ec);
      },
      [shared](std::error_code ec) {
        if (ec && *shared) (*shared)(ec);
      });
}

}  // namespace

void Handle::send(std::string data, MessageType type, Done done) const {
  run_on(
      conn_, [data = std::move(data), type](detail::Connection& ws) { return ws.send_message(data, type); },
      std::move(done));
}

void Handle::send(Frame frame, Done done) const {
  run_on(
      conn_, [frame = std::move(frame)](detail::Connection& ws) { return ws.send_frame(frame); }, std::move(done));
}

void Handle::close(uint16_t code, std::string reason) const {
  // Checked here, on the caller's thread, where the mistake can be reported.
  if (!sendable_close_code(code)) throw std::invalid_argument("ws::Handle::close: code " + std::to_string(code));
  if (reason.size() > 123) throw std::invalid_argument("ws::Handle::close: reason longer than 123 bytes");
  run_on(conn_,
         [code, reason = std::move(reason)](detail::Connection& ws) {
           ws.start_close(code, reason);
           return std::error_code();
         },
         {});
}

void Handle::post(std::function<void(WebSocket&)> fn, Done done) const {
  run_on(
      conn_,
      [fn = std::move(fn)](detail::Connection& ws) {
        fn(ws);
        return std::error_code();
      },
      std::move(done));
}

}  // namespace weft::ws
