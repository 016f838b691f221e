#pragma once
// Exchange: what a Response writes through, implemented by the two sessions: the callback
// session writes into its connection's output, the coroutine session into a buffer that
// its coroutine sends. ResponseAccess is how the sessions prepare and inspect a Response.

#include <cstdint>
#include <functional>
#include <string_view>
#include <system_error>

#include "weft/core/buffer.h"
#include "weft/core/time.h"
#include "weft/coro/task.h"
#include "weft/http/responder.h"
#include "weft/http/response.h"

namespace weft::http::detail {

class Exchange {
 public:
  // Where the response's bytes go; commit() hands over what was appended.
  virtual Buffer& output() = 0;
  virtual std::error_code commit() = 0;
  // The response is complete (its last byte is queued, or a file is).
  virtual void completed() = 0;
  virtual Responder defer() = 0;
  virtual std::error_code queue_file(int fd, uint64_t offset, uint64_t length) = 0;
  virtual size_t unsent() const = 0;
  virtual bool congested() const = 0;
  virtual void on_drain(std::function<void()> fn) = 0;
  virtual Task<std::error_code> flush() = 0;
  // False once the connection is closing: nothing more can be sent.
  virtual bool writable() const = 0;
  virtual TimePoint now() const = 0;
  virtual std::string_view server_name() const = 0;

 protected:
  ~Exchange() = default;
};

class ResponseAccess {
 public:
  // Prepares the response of a new request.
  static void reset(Response& r, Exchange* exchange, bool head_only, bool http10, bool keep_alive) {
    r.exchange_ = exchange;
    r.headers_.clear();
    r.remaining_ = 0;
    r.status_ = 200;
    r.started_ = r.finished_ = r.deferred_ = false;
    r.keep_alive_ = keep_alive;
    r.head_only_ = head_only;
    r.http10_ = http10;
    r.chunked_ = r.length_known_ = r.has_content_type_ = r.has_server_ = false;
  }
  // Detaches the response from its connection (closed): later calls report Errc::closed.
  static void detach(Response& r) { r.exchange_ = nullptr; }
  static bool deferred(const Response& r) { return r.deferred_; }
  static void set_keep_alive(Response& r, bool keep_alive) { r.keep_alive_ = keep_alive; }
  // Bytes of a declared length not written: the connection must close after it.
  static bool short_body(const Response& r) { return r.length_known_ && r.remaining_ != 0; }
};

// Writes a whole error response ("Connection: close" unless keep_alive) straight into out:
// a short text body naming the status (left out, its length kept, for HEAD). extra is
// inserted as is ("Allow: GET\r\n").
void write_error_response(Buffer& out, TimePoint now, std::string_view server_name, int status, bool keep_alive,
                          std::string_view extra = {}, bool with_body = true);

}  // namespace weft::http::detail
