#include "weft/core/address.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace weft {
namespace {

[[noreturn]] void bad(std::string_view url, const std::string& why) {
  throw std::invalid_argument("invalid address \"" + std::string(url) + "\": " + why);
}

}  // namespace

Address Address::parse(std::string_view url) {
  Address a;
  constexpr std::string_view kTcp = "tcp://";
  constexpr std::string_view kUdp = "udp://";
  constexpr std::string_view kUnix = "unix://";
  constexpr std::string_view kUnixgram = "unixgram://";

  bool unix_stream = url.starts_with(kUnix);
  if (unix_stream || url.starts_with(kUnixgram)) {
    std::string_view path = url.substr(unix_stream ? kUnix.size() : kUnixgram.size());
    a.datagram_ = !unix_stream;
    if (path.empty()) bad(url, "empty Unix socket path");
    if (path.size() >= sizeof(a.storage_.un.sun_path)) bad(url, "Unix socket path too long");
    a.storage_.un.sun_family = AF_UNIX;
    std::memcpy(a.storage_.un.sun_path, path.data(), path.size());
    a.length_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
    if (path[0] == '@') {
      a.storage_.un.sun_path[0] = '\0';  // Linux abstract namespace.
    } else {
      a.length_ += 1;  // Include the terminating NUL for filesystem paths.
    }
    return a;
  }

  std::string_view rest = url;
  bool datagram = false;
  if (rest.starts_with(kTcp)) {
    rest.remove_prefix(kTcp.size());
  } else if (rest.starts_with(kUdp)) {
    rest.remove_prefix(kUdp.size());
    datagram = true;
  } else if (rest.find("://") != std::string_view::npos) {
    bad(url, "unknown scheme (use tcp://, udp://, unix:// or unixgram://)");
  }
  a = parse_inet(url, rest);
  a.datagram_ = datagram;
  return a;
}

Address Address::parse_inet(std::string_view url, std::string_view rest) {
  Address a;

  std::string_view host;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) bad(url, "missing ']' after IPv6 host");
    host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (!rest.starts_with(':')) bad(url, "missing ':port' after IPv6 host");
    port_text = rest.substr(1);
  } else {
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) bad(url, "missing ':port'");
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) bad(url, "IPv6 hosts must be in brackets, like [::1]");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    bad(url, "port must be a number from 0 to 65535");
  }

  if (host.empty() || host == "*") host = "0.0.0.0";
  std::string host_str(host);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (::inet_pton(AF_INET, host_str.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&a.storage_.v4, &v4, sizeof v4);
    a.length_ = sizeof v4;
    return a;
  }
  if (::inet_pton(AF_INET6, host_str.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&a.storage_.v6, &v6, sizeof v6);
    a.length_ = sizeof v6;
    return a;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = ::getaddrinfo(host_str.c_str(), nullptr, &hints, &result);
  if (rc != 0 || result == nullptr) bad(url, std::string("cannot resolve host: ") + ::gai_strerror(rc));
  a = from_sockaddr(result->ai_addr, result->ai_addrlen);
  ::freeaddrinfo(result);
  if (a.family() == AF_INET) a.storage_.v4.sin_port = htons(static_cast<uint16_t>(port));
  if (a.family() == AF_INET6) a.storage_.v6.sin6_port = htons(static_cast<uint16_t>(port));
  return a;
}

Address Address::from_sockaddr(const sockaddr* addr, socklen_t length, bool datagram) {
  Address a;
  a.datagram_ = datagram;
  if (addr == nullptr || length == 0 || length > sizeof(a.storage_)) return a;
  std::memcpy(&a.storage_, addr, length);
  a.length_ = length;
  return a;
}

uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(storage_.v4.sin_port);
  if (family() == AF_INET6) return ntohs(storage_.v6.sin6_port);
  return 0;
}

std::string Address::host() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    ::inet_ntop(AF_INET, &storage_.v4.sin_addr, text, sizeof text);
    return text;
  }
  if (family() == AF_INET6) {
    ::inet_ntop(AF_INET6, &storage_.v6.sin6_addr, text, sizeof text);
    return text;
  }
  if (family() == AF_UNIX) {
    size_t n = length_ > offsetof(sockaddr_un, sun_path) ? length_ - offsetof(sockaddr_un, sun_path) : 0;
    if (n == 0) return {};
    if (storage_.un.sun_path[0] == '\0') {
      std::string name(n, '@');
      name.replace(1, n - 1, storage_.un.sun_path + 1, n - 1);
      return name;
    }
    return std::string(storage_.un.sun_path, strnlen(storage_.un.sun_path, n));
  }
  return {};
}

std::string Address::to_string() const {
  if (!valid()) return "(none)";
  std::string out = is_unix() ? (datagram_ ? "unixgram://" : "unix://") : (datagram_ ? "udp://" : "tcp://");
  bool v6 = family() == AF_INET6;
  if (v6) out += '[';
  out += host();
  if (is_unix()) return out;
  out += v6 ? "]:" : ":";
  out += std::to_string(port());
  return out;
}

uint64_t Address::host_hash() const {
  const unsigned char* p = nullptr;
  size_t n = 0;
  if (family() == AF_INET) {
    p = reinterpret_cast<const unsigned char*>(&storage_.v4.sin_addr);
    n = sizeof storage_.v4.sin_addr;
  } else if (family() == AF_INET6) {
    p = reinterpret_cast<const unsigned char*>(&storage_.v6.sin6_addr);
    n = sizeof storage_.v6.sin6_addr;
  } else {
    p = reinterpret_cast<const unsigned char*>(&storage_);
    n = length_;
  }
  uint64_t h = 1469598103934665603ull;  // FNV-1a.
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace weft
