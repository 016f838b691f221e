#pragma once
// MemoryGovernor: a server-wide cap on the bytes its connections hold in buffers
// (ServerOptions::max_buffered). Each I/O loop raises an alarm when its buffers pass half
// its share of the cap; the governor then watches the total from the main loop. Above the
// cap, every loop stops reading and closes its biggest holders (CloseReason::overflow)
// until it is back within its share; below three quarters of the cap reading resumes, and
// below a quarter the governor goes quiet again. An idle server costs it nothing.
//
// Threads: alarms arrive from the I/O loops; everything else runs on the main loop, and
// reaches the I/O loops by posting.

#include <cstddef>
#include <vector>

#include "weft/core/event_loop.h"

namespace weft::detail {

class LoopContext;

class MemoryGovernor {
 public:
  MemoryGovernor(EventLoop& main_loop, std::vector<LoopContext*> loops, size_t cap);
  MemoryGovernor(const MemoryGovernor&) = delete;
  MemoryGovernor& operator=(const MemoryGovernor&) = delete;

  // Arms every loop's alarm; before the loops run.
  void start();
  size_t total() const;

 private:
  void arm(LoopContext& loop);
  void activate();
  void check();

  EventLoop& main_;
  std::vector<LoopContext*> loops_;
  size_t cap_;
  size_t share_;
  bool active_ = false;    // Main loop only.
  bool shedding_ = false;  // Main loop only.
  TimerId timer_;
};

}  // namespace weft::detail
