#pragma once
// Loopback ports for tests that need one with nothing on it.

#include <cstdint>
#include <string>

#include "weft/core/address.h"

namespace weft::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bound, then closed): for a program
// the test starts, or for a dial that must be refused.
uint16_t unused_tcp_port();
// "tcp://127.0.0.1:<unused_tcp_port()>": a dial there is refused.
std::string refused_url();
// A UDP port on 127.0.0.1 that was free a moment ago, and the same as an address
// (udp://127.0.0.1:port): a datagram sent there draws an ICMP port unreachable.
uint16_t unused_udp_port();
Address unused_udp_address();

}  // namespace weft::test
