#pragma once
// The server's side of the WebSocket opening handshake (RFC 6455 4.2): checks the
// upgrade request and prepares the 101 response, with the subprotocol and
// permessage-deflate chosen.

#include <string>

#include "weft/core/buffer.h"
#include "weft/http/request.h"
#include "weft/ws/options.h"
#include "ws/deflate.h"

namespace weft::ws::detail {

struct Handshake {
  int status = 0;            // 0: accepted; else the error status to answer.
  const char* problem = "";  // Why not, for the error response and the log.
  std::string error_header;  // A header the error response needs ("Sec-WebSocket-Version").
  std::string error_value;
  std::string accept;       // Sec-WebSocket-Accept.
  std::string subprotocol;  // Chosen, or empty.
  std::string extensions;   // The Sec-WebSocket-Extensions response value, or empty.
  bool deflate = false;
  DeflateParams deflate_params;
};

Handshake check_handshake(const http::Request& req, const Options& options);
// The 101 response for an accepted handshake.
void write_switching_protocols(Buffer& out, const Handshake& h);

}  // namespace weft::ws::detail
