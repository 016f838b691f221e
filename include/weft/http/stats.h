#pragma once
// RequestStats: what an HTTP server counts about the requests one of its loops answers.
// That loop's thread writes every cell (weft/core/stat_cell.h: no locked instruction);
// any thread may read them while the server lives (Server::stats, CoroServer::stats).
//
// A response is counted by its status class once its last byte is queued, the error
// responses the server writes itself (400, 404, 405, 408, 413, 431, 500, 503) and a
// WebSocket handshake's 101 included. Its latency runs from the loop iteration in which
// the request's head was read to that moment. Counted but not timed: the answers to
// requests whose head never parsed (a malformed request, a head that timed out), and on
// http::CoroServer a 101, which is counted when its WebSocket ends.

#include <array>
#include <cstdint>

#include "weft/core/histogram.h"
#include "weft/core/stat_cell.h"

namespace weft::http {

struct RequestStats {
  std::array<StatCell, 5> responses;  // By status class: [0] 1xx ... [4] 5xx.
  Histogram latency_ns;               // Head read to response complete, in nanoseconds.

  uint64_t total() const {
    uint64_t n = 0;
    for (const StatCell& c : responses) n += c.get();
    return n;
  }
};

}  // namespace weft::http
