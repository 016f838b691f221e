#pragma once
// The consumer application's own header: its include/ directory sits beside weft's.

#include <string_view>

namespace app {

// Starts a weft echo server on a free loopback port, sends `message` with a plain
// blocking socket and waits (at most 5 s) for it to come back. True if it did, byte for
// byte.
bool echo_round_trip(std::string_view message);

}  // namespace app
