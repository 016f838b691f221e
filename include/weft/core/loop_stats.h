#pragma once
// LoopStats: what one EventLoop counts about itself. The loop's thread writes every cell
// (see stat_cell.h); any thread may read them while the loop runs, and gets values at
// most one iteration stale. They live as long as the loop.
//
// Busy time runs from the moment the poller returns to the end of the iteration, so
// busy_ns / wall time is the loop's busy fraction; the rest it spent waiting.

#include "weft/core/histogram.h"
#include "weft/core/stat_cell.h"

namespace weft {

struct LoopStats {
  StatCell iterations;      // Iterations run (one poller wait each).
  StatCell events;          // Readiness events dispatched.
  StatCell busy_ns;         // Time spent in iterations, not waiting.
  StatCell tasks_run;       // Tasks posted to the loop (and run by it).
  StatCell timers_pending;  // Gauge: timers armed, as of the last iteration.
  StatCell blocks_in_use;   // Gauge: buffer blocks held by connections and buffers.
  StatCell blocks_pooled;   // Gauge: free blocks kept for reuse.
  StatCell block_size;      // Bytes per block.
  Histogram iteration_ns;   // Duration of each iteration (poller wait excluded).
};

}  // namespace weft
