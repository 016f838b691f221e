#pragma once
// IoObject is what the event loop dispatches to: anything registered with the poller (a
// connection, a listener, the loop's own wake-up fd) and anything that wants the loop's
// flush and finalize phases. It is machinery for the layers above; applications do not
// implement it.

#include <cstdint>

namespace weft::detail {

// Readiness bits, the same for every poller backend. Their values are epoll's, so the
// epoll backend hands events through without translating them; others translate.
enum IoEvent : uint32_t {
  kReadable = 0x001,    // EPOLLIN
  kWritable = 0x004,    // EPOLLOUT
  kError = 0x008,       // EPOLLERR
  kHangup = 0x010,      // The peer closed both directions (EPOLLHUP).
  kReadHangup = 0x2000  // The peer closed its writing side (EPOLLRDHUP).
};

class IoObject {
 public:
  // Called in the dispatch phase with the ready bits. Loop thread only.
  virtual void on_io(uint32_t events) = 0;
  // Called in the flush phase if the object asked with EventLoop::mark_dirty().
  virtual void on_flush() {}
  // Called in the finalize phase if the object asked with EventLoop::defer_finalize().
  // The object may delete itself here: nothing touches it afterwards.
  virtual void on_finalize() {}

 protected:
  ~IoObject() = default;
};

}  // namespace weft::detail
