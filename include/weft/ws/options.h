#pragma once
// Options of a WebSocket route: limits, keep-alive pings, compression, and the hooks that
// decide a handshake. A plain struct, checked once by ws::route (std::invalid_argument
// names the offending field).

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/time.h"

namespace weft::http {
class Request;
}

namespace weft::ws {

// permessage-deflate (RFC 7692), accepted when the client offers it.
struct Compression {
  bool enabled = true;
  // The window the server compresses with, 9 to 15 (zlib cannot honour 8).
  int server_max_window_bits = 15;
  // Forget the compression context after every message, both ways: less memory per
  // connection (no 32 KiB windows kept), larger messages.
  bool no_context_takeover = false;
  // Messages shorter than this are sent uncompressed.
  size_t threshold = 64;
};

struct Options {
  // The largest message, after decompression; a larger one closes with 1009.
  size_t max_message = 16 * 1024 * 1024;
  // After this long without receiving anything, the server sends a ping; if nothing
  // arrives within ping_timeout after it, the connection is closed. Zero: no pings.
  Duration ping_interval = Duration::zero();
  Duration ping_timeout = std::chrono::seconds(10);
  // After the server sends a close frame, how long it waits for the client's before it
  // closes the connection anyway.
  Duration close_timeout = std::chrono::seconds(5);
  Compression compression{};
  // Subprotocols the server speaks, in order of preference; the first one the client also
  // offers is chosen (Sec-WebSocket-Protocol). Empty: none is chosen.
  std::vector<std::string> subprotocols{};
  // Decides whether a browser's Origin may connect; unset accepts every origin. A refusal
  // answers 403. Runs on the loop thread.
  std::function<bool(std::string_view origin, const http::Request& request)> check_origin{};
};

// Throws std::invalid_argument naming the first inconsistent field.
void validate(const Options& options);

}  // namespace weft::ws
