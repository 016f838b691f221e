#pragma once
// MultiEchoClient: many concurrent connections driven by one thread with epoll. Each
// connection sends its own pattern and checks that exactly the same bytes come back (by
// length and checksum). Connections are opened all at once, before any traffic, so they
// are all open on the server at the same time.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sync.h"
#include "weft/core/address.h"
#include "weft/core/time.h"

namespace weft::test {

struct MultiEchoOptions {
  size_t connections = 100;
  size_t min_bytes = 1;     // Connection i sends a size in [min_bytes, max_bytes] ...
  size_t max_bytes = 4096;  // ... derived from i, so sizes differ.
  uint64_t seed = 1;        // Connection i uses the pattern seed + i.
  Duration timeout = kWait;
  // Called once every connection is established, before any byte is sent.
  std::function<void()> on_all_connected;
};

struct MultiEchoReport {
  size_t connected = 0;  // Connections that were established.
  size_t all_open = 0;   // Connections open at the moment traffic started.
  size_t completed = 0;  // Connections whose echo came back intact.
  uint64_t bytes_echoed = 0;
  std::vector<std::string> failures;  // One line per failed connection (first 20).
  size_t failure_count = 0;
};

MultiEchoReport run_multi_echo(const Address& server, const MultiEchoOptions& options);

}  // namespace weft::test
