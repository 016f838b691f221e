#pragma once
// SendTracker: the done callbacks of ConnHandle::send, each waiting for the connection's
// sent-byte counter to reach the end of its bytes. Allocated only for connections that
// use done callbacks, so others pay nothing.

#include <cstdint>
#include <deque>
#include <system_error>
#include <utility>

#include "weft/net/conn_handle.h"

namespace weft::detail {

class SendTracker {
 public:
  void add(uint64_t end_offset, ConnHandle::Done done) { pending_.emplace_back(end_offset, std::move(done)); }

  // Completes every callback whose bytes have all been sent.
  void complete_up_to(uint64_t sent) {
    while (!pending_.empty() && pending_.front().first <= sent) {
      ConnHandle::Done done = std::move(pending_.front().second);
      pending_.pop_front();
      done({});
    }
  }

  // Fails every remaining callback.
  void fail_all(std::error_code error) {
    while (!pending_.empty()) {
      ConnHandle::Done done = std::move(pending_.front().second);
      pending_.pop_front();
      done(error);
    }
  }

  bool empty() const { return pending_.empty(); }

 private:
  std::deque<std::pair<uint64_t, ConnHandle::Done>> pending_;
};

}  // namespace weft::detail
