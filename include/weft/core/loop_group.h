#pragma once
// LoopGroup: N event loops, each running on its own thread ("weft-io-0", ...).
// start() and stop() are for the owning thread; loop(i) is safe from any thread once
// start() returned, but the loop's own methods keep their thread rules.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "weft/core/event_loop.h"

namespace weft {

class LoopGroup {
 public:
  LoopGroup(size_t count, const LoopOptions& options, std::string name = "weft-io");
  ~LoopGroup();
  LoopGroup(const LoopGroup&) = delete;
  LoopGroup& operator=(const LoopGroup&) = delete;

  void start();
  // Quits every loop and joins its thread. Idempotent.
  void stop();

  size_t size() const { return loops_.size(); }
  EventLoop& loop(size_t i) { return *loops_[i]; }

 private:
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
  std::string name_;
};

}  // namespace weft
