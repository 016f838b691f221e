#pragma once
// weft-echo over datagrams: with --addr udp://host:port or unixgram:///path, every
// datagram goes back to its sender unchanged, on weft::UdpServer (recvmmsg/sendmmsg
// batches, a socket per loop with --reuseport). --admin URL serves the loops' metrics and
// the datagrams echoed per socket (/metrics, /stats, /dashboard).

#include <string>

#include "weft/net/udp.h"

namespace weft::tools {

// Serves the echo on `addr` until one of options.stop_signals, with an admin endpoint at
// admin_url unless it is empty; returns main's exit status (1, with a message naming the
// program, if the address cannot be bound).
int serve_datagram_echo(const std::string& addr, const UdpOptions& options, bool quiet, const std::string& admin_url);

}  // namespace weft::tools
