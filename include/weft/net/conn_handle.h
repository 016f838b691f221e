#pragma once
// ConnHandle reaches a connection from any thread. It names the connection by (loop, slot,
// generation), so a handle outliving its connection is harmless: its operations then
// report Errc::closed. Handles are small values; copy them freely. They must not outlive
// the Server whose connection they name.
//
// Every operation is queued to the connection's loop. A done callback runs exactly once,
// on that loop's thread (or on the calling thread if the server has already stopped).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "weft/core/shared_bytes.h"

namespace weft {

class Conn;
class EventLoop;
namespace detail {
class ConnTable;
}

class ConnHandle {
 public:
  using Done = std::function<void(std::error_code)>;

  ConnHandle() = default;

  // Queues bytes for sending. The bytes of one call are never interleaved with another's.
  // done (optional) gets success once every byte has been handed to the kernel, or
  // Errc::closed / Errc::shutdown if the connection closed first.
  // Past the connection's max_outbound the connection closes and done gets
  // Errc::outbound_overflow.
  void send(std::string bytes, Done done = {}) const;
  // The same for shared bytes: the connection queues a reference, not a copy.
  void send(SharedBytes bytes, Done done = {}) const;
  // Closes the connection after its queued output is flushed.
  void close() const;
  // Closes the connection at once with a reset, dropping its queued output.
  void abort() const;
  // Runs fn with the connection on its loop thread. done (optional) gets success after fn
  // ran, or Errc::closed (and fn is not run) if the connection is gone.
  void post(std::function<void(Conn&)> fn, Done done = {}) const;

  bool empty() const { return table_ == nullptr; }
  EventLoop* loop() const;
  friend bool operator==(const ConnHandle&, const ConnHandle&) = default;

 private:
  friend class Conn;
  ConnHandle(detail::ConnTable* table, uint32_t slot, uint32_t generation)
      : table_(table), slot_(slot), generation_(generation) {}
  template <class Bytes>
  void send_bytes(Bytes bytes, Done done) const;

  detail::ConnTable* table_ = nullptr;
  uint32_t slot_ = 0;
  uint32_t generation_ = 0;
};

}  // namespace weft
