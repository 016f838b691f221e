#pragma once
// Address: an IPv4, IPv6 or Unix-domain socket address, parsed from the URL forms weft
// uses everywhere:
//
//   tcp://127.0.0.1:7000   tcp://[::1]:7000   tcp://localhost:0   tcp://:7000 (any address)
//   unix:///run/app.sock   unix://@name (Linux abstract namespace)
//   udp://127.0.0.1:7001   udp://[::1]:7001   unixgram:///run/app.sock   (datagram sockets)
//
// A value type; safe to copy between threads.

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace weft {

namespace detail {
struct AddressWriter;
}

class Address {
 public:
  Address() = default;

  // Parses a URL as above. Host names are resolved with getaddrinfo (set-up time only).
  // Throws std::invalid_argument with a message naming the URL if it is malformed or
  // cannot be resolved.
  static Address parse(std::string_view url);
  static Address from_sockaddr(const sockaddr* addr, socklen_t length, bool datagram = false);

  bool valid() const { return length_ != 0; }
  int family() const { return storage_.base.sa_family; }
  bool is_unix() const { return family() == AF_UNIX; }
  // True for udp:// and unixgram:// (a datagram socket's address).
  bool is_datagram() const { return datagram_; }
  const sockaddr* sockaddr_ptr() const { return &storage_.base; }
  socklen_t length() const { return length_; }

  // Port in host order (0 for Unix addresses).
  uint16_t port() const;
  // The numeric host ("127.0.0.1", "::1") or the Unix path.
  std::string host() const;
  // The URL form, which parse() accepts back.
  std::string to_string() const;

  // A hash of the host part only, for source-address load balancing.
  uint64_t host_hash() const;

 private:
  friend struct detail::AddressWriter;

  union Storage {
    // The largest member comes first: initializing a union zeroes only its first member
    // (clang leaves the other bytes as they were), and a Unix path must end in a zero.
    sockaddr_un un;
    sockaddr base;
    sockaddr_in v4;
    sockaddr_in6 v6;
  } storage_{};
  socklen_t length_ = 0;
  bool datagram_ = false;

  static Address parse_inet(std::string_view url, std::string_view rest);
};

}  // namespace weft
