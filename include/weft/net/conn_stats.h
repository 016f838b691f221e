#pragma once
// ConnStats: what one server counts about its connections on one I/O loop. That loop's
// thread writes every cell (see core/stat_cell.h); any thread may read them while the
// server lives (Server::conn_stats). Open connections are accepted - closed.

#include <array>
#include <cstddef>

#include "weft/core/stat_cell.h"
#include "weft/net/handler.h"

namespace weft {

// CloseReason's values, in order: the last one plus one.
inline constexpr size_t kCloseReasonCount = static_cast<size_t>(CloseReason::deadline) + 1;

struct ConnStats {
  StatCell accepted;                               // Connections opened (a Client's: dials started).
  StatCell registration_failures;                  // Accepted sockets the poller refused (closed unseen).
  std::array<StatCell, kCloseReasonCount> closed;  // Indexed by CloseReason.
  StatCell bytes_in;                               // Bytes read from sockets.
  StatCell bytes_out;                              // Bytes written to sockets.
  StatCell reads;                                  // Read calls that returned bytes or end of file.
  StatCell writes;                                 // Output flushes (one or more write calls each).
  StatCell high_water;                             // Times a connection's output rose above the high mark.
  StatCell shed;                                   // Connections closed by the server-wide buffer cap.

  uint64_t closed_total() const {
    uint64_t n = 0;
    for (const StatCell& c : closed) n += c.get();
    return n;
  }
};

}  // namespace weft
