#pragma once
// The poller seam: a handful of functions each backend implements in its own file. Only
// files in src/poller/ include the kernel's polling headers. Interest and ready bits are
// detail::IoEvent values; the object pointer comes back with each event.

#include <cstdint>
#include <memory>
#include <system_error>

#include "weft/core/detail/io_object.h"

namespace weft::detail {

struct PollEvent {
  IoObject* object;
  uint32_t events;
};

class Poller {
 public:
  virtual ~Poller() = default;
  virtual const char* name() const = 0;
  virtual std::error_code add(int fd, uint32_t interest, IoObject* object) = 0;
  virtual std::error_code modify(int fd, uint32_t interest, IoObject* object) = 0;
  virtual void remove(int fd) = 0;
  // Waits up to timeout_ms (-1: no limit) and returns the number of events stored in out
  // (0 when a signal interrupted the wait), or -errno if waiting failed.
  virtual int wait(PollEvent* out, int max, int timeout_ms) = 0;
};

// One factory per backend; the loop picks among them (EventLoop's PollerKind).
std::unique_ptr<Poller> make_epoll_poller(bool edge_triggered);

}  // namespace weft::detail
