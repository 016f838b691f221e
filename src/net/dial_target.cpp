#include "net/dial_target.h"

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>

namespace weft::detail {
namespace {

[[noreturn]] void bad(std::string_view url, const std::string& why) {
  throw std::invalid_argument("cannot dial \"" + std::string(url) + "\": " + why);
}

// RFC 1123 host names: labels of letters, digits and hyphens, separated by dots.
bool valid_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return true;
}

// The host:port after the scheme; `url` (the whole) is what a numeric host parses as.
DialTarget parse_host_port(std::string_view url, std::string_view rest) {
  DialTarget t;
  std::string_view host;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos || rest.substr(close + 1, 1) != ":") bad(url, "expected [v6]:port");
    host = rest.substr(1, close - 1);
    port_text = rest.substr(close + 2);
  } else {
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) bad(url, "missing ':port'");
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    bad(url, "port must be a number from 1 to 65535");
  }
  t.host = std::string(host);
  t.port = static_cast<uint16_t>(port);
  in6_addr scratch;
  if (::inet_pton(AF_INET, t.host.c_str(), &scratch) == 1 || ::inet_pton(AF_INET6, t.host.c_str(), &scratch) == 1) {
    t.address = Address::parse(url);  // Numeric: parsed, never resolved.
    return t;
  }
  if (!valid_name(t.host)) bad(url, "missing or malformed host name");
  return t;
}

// A Unix path: the address at once.
DialTarget unix_target(std::string_view url) {
  DialTarget t;
  try {
    t.address = Address::parse(url);
  } catch (const std::invalid_argument& e) {
    bad(url, e.what());
  }
  t.host = t.address.host();
  return t;
}

}  // namespace

DialTarget parse_dial_target(std::string_view url) {
  if (url.starts_with("unix://")) return unix_target(url);
  std::string_view rest = url;
  if (rest.starts_with("tcp://")) {
    rest.remove_prefix(6);
  } else if (rest.starts_with("udp://") || rest.starts_with("unixgram://")) {
    bad(url,
        "a datagram address: dial it with UdpServer::dial (weft/net/udp.h) or, in a coroutine, udp_connect "
        "(weft/coro/datagram_socket.h)");
  } else if (rest.find("://") != std::string_view::npos) {
    bad(url, "unknown scheme (use tcp:// or unix://)");
  }
  return parse_host_port(url, rest);
}

DialTarget parse_datagram_target(std::string_view url) {
  if (url.starts_with("unixgram://")) return unix_target(url);
  if (!url.starts_with("udp://")) bad(url, "not a datagram address (use udp:// or unixgram://)");
  return parse_host_port(url, url.substr(6));
}

}  // namespace weft::detail
