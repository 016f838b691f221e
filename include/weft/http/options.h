#pragma once
// Options of an HTTP server: limits on what a request may be, timeouts, and the engine's
// own ServerOptions. A plain struct with sensible defaults, checked once when the server
// is constructed (std::invalid_argument names the offending field).
//
// What a request over a limit gets (one response with "Connection: close", then the
// connection closes; the handler is never called):
//   request line longer than max_request_line              414 URI Too Long
//   header section longer than max_header_section          431 Request Header Fields Too Large
//   more than max_headers fields                           431
//   Content-Length or the sum of chunk sizes over max_body 413 Content Too Large
//   (checked before the body is read)
//   head not complete within timeouts.header               408 Request Timeout
//   handler not answered within timeouts.handler           503 Service Unavailable

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "weft/core/time.h"
#include "weft/net/server_options.h"

namespace weft::http {

struct Limits {
  // The request line without its CRLF.
  size_t max_request_line = 8 * 1024;
  // The field lines after the request line, with their CRLFs and the final empty line.
  // At most kMaxHeaderSection.
  size_t max_header_section = 16 * 1024;
  size_t max_headers = 100;
  // A body collected whole, or streamed, may not exceed this.
  uint64_t max_body = 1024 * 1024;

  static constexpr size_t kMaxHeaderSection = 80 * 1024;
};

struct Timeouts {
  // From the first byte of a request to the end of its head (slowloris). Zero: none.
  Duration header = std::chrono::seconds(10);
  // How long a body may go without a byte arriving. Zero: none.
  Duration body = std::chrono::seconds(30);
  // A keep-alive connection waiting for its next request. Zero: none.
  Duration idle = std::chrono::seconds(60);
  // From the call of a handler to the end of its response (a handler that answers later,
  // or a coroutine that awaits). Zero: none.
  Duration handler = Duration::zero();
  // When the server stops (a stop signal, stop(), or the old generation of a hot restart),
  // how long a keep-alive connection between requests stays open for one more request,
  // answered with "Connection: close". A client that sent its next request just as the stop
  // began then gets an answer instead of a closed connection. Zero: such connections close
  // at once. Both servers.
  Duration idle_on_stop = Duration::zero();
};

struct Options {
  Limits limits{};
  Timeouts timeouts{};
  // The Server header; empty sends none.
  std::string server_name = "weft";
  // Requests served on one connection before it is closed. Zero: no limit.
  size_t max_requests_per_connection = 0;
  // Threads, sockets, backpressure and stop signals: see weft/net/server_options.h.
  // max_inbound is raised, if needed, to hold the largest head and body.
  ServerOptions net{};
};

// Throws std::invalid_argument naming the first inconsistent field.
void validate(const Options& options);

}  // namespace weft::http
