#include "address.h"

#include <netdb.h>
#include <sys/un.h>

#include <cstring>
#include <string_view>

namespace weft_load {

namespace {

std::optional<Endpoint> parse_unix(std::string_view path, std::string& error) {
  Endpoint ep;
  auto* un = reinterpret_cast<sockaddr_un*>(&ep.addr);
  un->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(un->sun_path)) {
    error = "unix socket path is empty or too long";
    return std::nullopt;
  }
  std::memcpy(un->sun_path, path.data(), path.size());
  if (path[0] == '@') un->sun_path[0] = '\0';  // abstract namespace
  ep.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '@' ? 0 : 1));
  ep.family = AF_UNIX;
  return ep;
}

std::optional<Endpoint> parse_tcp(std::string_view rest, std::string& error) {
  std::string host;
  std::string_view port;
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      error = "expected tcp://[v6-address]:port";
      return std::nullopt;
    }
    host = std::string(rest.substr(1, close - 1));
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
      error = "expected tcp://host:port";
      return std::nullopt;
    }
    host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
  }
  if (host.empty() || port.empty()) {
    error = "missing host or port";
    return std::nullopt;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port_str(port);
  if (int rc = getaddrinfo(host.c_str(), port_str.c_str(), &hints, &res); rc != 0) {
    error = std::string("cannot resolve ") + host + ":" + port_str + ": " + gai_strerror(rc);
    return std::nullopt;
  }
  Endpoint ep;
  std::memcpy(&ep.addr, res->ai_addr, res->ai_addrlen);
  ep.len = res->ai_addrlen;
  ep.family = res->ai_family;
  freeaddrinfo(res);
  return ep;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(const std::string& uri, std::string& error) {
  std::string_view s = uri;
  if (s.starts_with("tcp://")) return parse_tcp(s.substr(6), error);
  if (s.starts_with("unix://")) return parse_unix(s.substr(7), error);
  error = "address must start with tcp:// or unix://";
  return std::nullopt;
}

}  // namespace weft_load
