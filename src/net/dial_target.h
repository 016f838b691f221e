#pragma once
// DialTarget: a dial's URL taken apart without resolving it. A numeric host or a Unix
// path gives the address at once; a host name waits for the resolver.

#include <cstdint>
#include <string>
#include <string_view>

#include "weft/core/address.h"

namespace weft::detail {

struct DialTarget {
  std::string host;  // As written (without brackets); the Unix path for unix://.
  uint16_t port = 0;
  Address address;  // Valid for numeric hosts and Unix paths; invalid for names.
  bool needs_resolving() const { return !address.valid(); }
};

// Throws std::invalid_argument naming the URL and what is wrong with it.
DialTarget parse_dial_target(std::string_view url);
// The same for udp:// and unixgram:// (the address is a datagram one).
DialTarget parse_datagram_target(std::string_view url);

}  // namespace weft::detail
