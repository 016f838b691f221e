#pragma once
// SendTracker: the done callbacks of ConnHandle::send, each waiting for the connection's
// sent-byte counter to reach the end of its bytes. Allocated only for connections that
// use done callbacks, so others pay nothing.

#include <cstdint>
#include <deque>
#include <exception>
#include <system_error>
#include <utility>

#include "weft/core/log.h"
#include "weft/net/conn_handle.h"

namespace weft::detail {

class SendTracker {
 public:
  // `unsent` is the connection's output not yet sent, ending with this send's bytes.
  void add(size_t unsent, ConnHandle::Done done) { pending_.emplace_back(sent_ + unsent, std::move(done)); }
  // The connection handed n more bytes to the kernel.
  void sent(size_t n) { sent_ += n; }

  // Completes every callback whose bytes have all been sent.
  void complete() {
    while (!pending_.empty() && pending_.front().first <= sent_) {
      ConnHandle::Done done = std::move(pending_.front().second);
      pending_.pop_front();
      run(done, {});
    }
  }

  // Fails every remaining callback.
  void fail_all(std::error_code error) {
    while (!pending_.empty()) {
      ConnHandle::Done done = std::move(pending_.front().second);
      pending_.pop_front();
      run(done, error);
    }
  }

  bool empty() const { return pending_.empty(); }

 private:
  // Callbacks run in the loop's flush and finalize phases, where nothing else would catch
  // an exception: a throwing callback is logged, like a throwing posted task, and the
  // callbacks after it still run.
  static void run(ConnHandle::Done& done, std::error_code error) {
    try {
      done(error);
    } catch (const std::exception& e) {
      WEFT_LOG(LogLevel::error, "a send's done callback threw: %s", e.what());
    } catch (...) {
      WEFT_LOG(LogLevel::error, "a send's done callback threw a non-standard exception");
    }
  }

  std::deque<std::pair<uint64_t, ConnHandle::Done>> pending_;
  uint64_t sent_ = 0;  // Bytes sent since this tracker was created.
};

}  // namespace weft::detail
