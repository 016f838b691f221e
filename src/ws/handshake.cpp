#include "ws/handshake.h"

#include "http/token.h"
#include "ws/sha1.h"

namespace weft::ws::detail {
namespace {

using http::detail::list_has_token;
using http::detail::trim_ows;

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

Handshake refuse(int status, const char* problem, std::string header = {}, std::string value = {}) {
  Handshake h;
  h.status = status;
  h.problem = problem;
  h.error_header = std::move(header);
  h.error_value = std::move(value);
  return h;
}

// Every value of the fields named `name`, joined with commas (lists may span fields).
std::string joined(const http::Request& req, std::string_view name) {
  std::string all;
  for (http::HeaderField f : req.headers()) {
    if (!http::iequals(f.name, name)) continue;
    if (!all.empty()) all += ',';
    all += f.value;
  }
  return all;
}

}  // namespace

Handshake check_handshake(const http::Request& req, const Options& options) {
  if (!list_has_token(joined(req, "upgrade"), "websocket")) {
    return refuse(426, "a WebSocket endpoint: upgrade to websocket", "Upgrade", "websocket");
  }
  if (req.version_minor() != 1 || req.method() != http::Method::get) {
    return refuse(400, "the WebSocket handshake needs GET and HTTP/1.1");
  }
  if (!list_has_token(joined(req, "connection"), "upgrade")) return refuse(400, "Connection has no upgrade");
  if (trim_ows(req.header("sec-websocket-version")) != "13") {
    return refuse(426, "only WebSocket version 13 is spoken", "Sec-WebSocket-Version", "13");
  }
  const std::string_view key = trim_ows(req.header("sec-websocket-key"));
  std::string nonce;
  if (!base64_decode(key, nonce) || nonce.size() != 16) return refuse(400, "Sec-WebSocket-Key is not 16 bytes");
  if (options.check_origin && !options.check_origin(req.header("origin"), req)) {
    return refuse(403, "this Origin may not connect");
  }
  Handshake h;
  const auto digest = sha1(std::string(key) + std::string(kGuid));
  h.accept = base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  const std::string offered = joined(req, "sec-websocket-protocol");
  for (const std::string& mine : options.subprotocols) {
    if (!offered.empty() && list_has_token(offered, mine)) {
      h.subprotocol = mine;
      break;
    }
  }
  const std::string extensions = joined(req, "sec-websocket-extensions");
  h.deflate = !extensions.empty() && negotiate_deflate(extensions, options.compression, h.deflate_params, h.extensions);
  return h;
}

void write_switching_protocols(Buffer& out, const Handshake& h) {
  std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
  head += h.accept;
  head += "\r\n";
  if (!h.subprotocol.empty()) head += "Sec-WebSocket-Protocol: " + h.subprotocol + "\r\n";
  if (!h.extensions.empty()) head += "Sec-WebSocket-Extensions: " + h.extensions + "\r\n";
  head += "\r\n";
  out.append(head);
}

}  // namespace weft::ws::detail
