#pragma once
// Loopback ports for tests that need one with nothing on it.

#include <cstdint>
#include <string>

namespace weft::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bound, then closed): for a program
// the test starts, or for a dial that must be refused.
uint16_t unused_tcp_port();
// "tcp://127.0.0.1:<unused_tcp_port()>": a dial there is refused.
std::string refused_url();

}  // namespace weft::test
