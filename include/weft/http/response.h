#pragma once
// Response: how a handler answers one request.
//
//   res.send(200, "hello");                                   // whole, with Content-Length
//   res.header("Cache-Control", "no-store").send(404, "no");
//
//   res.status(200).content_type("text/csv");                 // streamed
//   res.begin();                                              // chunked (HTTP/1.1) or
//   while (more) res.write(next());                           // until close (HTTP/1.0)
//   res.end();
//
// Framing is weft's: Content-Length when the length is known (send, begin(length)),
// chunked when it is not, no body for HEAD requests and for 1xx/204/304. Every response
// carries Date (rendered once per second per loop), Server (unless empty in the options)
// and Connection when the connection will close after it (or stays open for an HTTP/1.0
// client that asked for keep-alive). Headers that would contradict weft's framing
// (Content-Length, Transfer-Encoding, Connection, Date) cannot be set.
//
// Bytes go straight into the connection's output, which the loop sends after the
// handler returns: many pipelined requests answered in one pass leave in one send.
//
// Completion: a response is complete after send() or end(). A handler that returns
// without completing it, and without defer() (callback API), gets it completed with 500.
// Nothing is read from the connection while a response is incomplete, so pipelined
// responses always leave in request order.
//
// Threads: the connection's loop thread (the handler, or a task it posted, or the
// coroutine). To answer from another thread use defer(). Calls after the connection has
// closed are harmless: they report Errc::closed.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "weft/coro/task.h"
#include "weft/http/responder.h"

namespace weft {
class Buffer;
}

namespace weft::http {

namespace detail {
class Exchange;
class ResponseAccess;
}  // namespace detail

class Response {
 public:
  static constexpr const char* kDefaultContentType = "text/plain; charset=utf-8";

  Response() = default;
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;

  // The status for begin() and send(body); 200 unless set.
  Response& status(int code);
  // Adds a header field. Throws std::invalid_argument for a name that is not a token, a
  // value with CR, LF or NUL, or a framing header (see above). Before begin/send only.
  Response& header(std::string_view name, std::string_view value);
  Response& content_type(std::string_view type) { return header("Content-Type", type); }
  // Closes the connection after this response ("Connection: close").
  Response& close_connection();

  // The whole response: status() (or `code`), the headers added, body with its length.
  // A body without a Content-Type gets kDefaultContentType.
  std::error_code send(std::string_view body = {});
  std::error_code send(int code, std::string_view body);

  // Streaming: begin() writes the head (Content-Length if length is given, otherwise
  // chunked for HTTP/1.1 and close-delimited for HTTP/1.0), write() queues body bytes,
  // end() completes. Writing more than a declared length is refused with
  // std::errc::message_size; ending short of it closes the connection.
  std::error_code begin(std::optional<uint64_t> length = std::nullopt);
  std::error_code write(std::string_view bytes);
  // Queues length bytes of the open file fd from offset (sent with sendfile on plain TCP
  // where the engine supports it). Takes ownership of fd: it is closed once sent, or when
  // the connection closes. After begin() with a length.
  std::error_code write_file(int fd, uint64_t offset, uint64_t length);
  std::error_code end();

  // Callback API: keeps the response open after the handler returns, to be answered
  // later from any thread through the Responder (see responder.h). Once per response.
  // Coroutine handlers simply co_await instead; there defer() throws std::logic_error.
  Responder defer();

  // Backpressure while streaming a large body. congested() is true while the connection's
  // unsent output is above ServerOptions::high_water_mark; on_drain(fn) runs fn once, on
  // the loop thread, when it has drained to low_water_mark (at once if not congested).
  bool congested() const;
  size_t unsent() const;
  void on_drain(std::function<void()> fn);
  // Coroutine API: sends what was written so far and waits while the output is above
  // the high water mark. Completes at once in the callback API.
  Task<std::error_code> flush();

  bool started() const { return started_; }
  bool finished() const { return finished_; }
  int status_code() const { return status_; }
  // Whether the connection stays open after this response.
  bool keep_alive() const { return keep_alive_; }

 private:
  friend class detail::ResponseAccess;

  std::error_code write_head(std::optional<uint64_t> length, std::string_view body);
  std::error_code check_open() const;

  detail::Exchange* exchange_ = nullptr;
  std::string headers_;     // "Name: value\r\n" lines added by header().
  uint64_t remaining_ = 0;  // Body bytes still due under a declared length.
  int status_ = 200;
  bool started_ = false;
  bool finished_ = false;
  bool deferred_ = false;
  bool keep_alive_ = true;
  bool head_only_ = false;  // A HEAD request: the head without the body.
  bool http10_ = false;
  bool chunked_ = false;
  bool length_known_ = false;
  bool has_content_type_ = false;
  bool has_server_ = false;
};

}  // namespace weft::http
