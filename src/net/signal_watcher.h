#pragma once
// SignalWatcher: reads stop signals through a signalfd on the main loop, so the handler
// runs as ordinary loop code instead of in signal context.

#include <functional>
#include <vector>

#include "weft/core/event_loop.h"
#include "weft/core/detail/io_object.h"

namespace weft::detail {

class SignalWatcher final : public IoObject {
 public:
  // Blocks the signals in the calling thread (threads it creates later inherit the mask).
  SignalWatcher(EventLoop& loop, const std::vector<int>& signals, std::function<void(int)> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  void start();
  void on_io(uint32_t events) override;

 private:
  EventLoop& loop_;
  int fd_ = -1;
  std::function<void(int)> on_signal_;
};

}  // namespace weft::detail
