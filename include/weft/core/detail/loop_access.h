#pragma once
// LoopAccess: the EventLoop machinery the layers above the loop use to take part in its
// iterations: registering descriptors, the flush (dirty) and finalize lists, the shared
// read area, and the buffer alarm. Applications use EventLoop's public members only.
// Everything here is for the loop thread only, like what it forwards to.
//
//   detail::LoopAccess(loop).add_io(fd, kReadable, this)

#include <cstdint>
#include <span>
#include <system_error>
#include <utility>

#include "weft/core/detail/io_object.h"
#include "weft/core/event_loop.h"

namespace weft::detail {

class LoopAccess {
 public:
  explicit LoopAccess(EventLoop& loop) : loop_(loop) {}

  // Report the poller's refusal (ENOMEM, ENOSPC under a flood of connections): the caller
  // closes that one socket and the loop goes on.
  [[nodiscard]] std::error_code add_io(int fd, uint32_t events, IoObject* object) {
    return loop_.add_io(fd, events, object);
  }
  [[nodiscard]] std::error_code modify_io(int fd, uint32_t events, IoObject* object) {
    return loop_.modify_io(fd, events, object);
  }
  void remove_io(int fd) { loop_.remove_io(fd); }
  // on_flush runs in this iteration's flush phase; on_finalize in its finalize phase.
  void mark_dirty(IoObject* object) { loop_.mark_dirty(object); }
  void defer_finalize(IoObject* object) { loop_.defer_finalize(object); }
  // The area every read on this loop lands in first; valid while the loop lives.
  std::span<char> read_scratch() { return loop_.read_scratch(); }
  bool edge_triggered() const { return loop_.edge_triggered(); }
  // Runs fn once, on this loop, at the end of the first iteration that finds more than
  // `bytes` in its buffers.
  void on_buffered_above(size_t bytes, EventLoop::Task fn) { loop_.on_buffered_above(bytes, std::move(fn)); }

 private:
  EventLoop& loop_;
};

}  // namespace weft::detail
