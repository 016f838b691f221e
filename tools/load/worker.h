#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <queue>
#include <utility>
#include <vector>

#include "codec.h"
#include "connection.h"
#include "histogram.h"
#include "options.h"
#include "stats.h"
#include "weft/core/address.h"

namespace weft_load {

// What one worker thread drives, decided by the main thread.
struct WorkerPlan {
  std::vector<std::uint32_t> conn_ids;
  double rate = 0;                 // this worker's share of --rate (requests/s), 0 = closed loop
  std::uint64_t start = 0;         // connect from here; fixed-rate schedule origin
  std::uint64_t window_begin = 0;  // echoes received in [window_begin, window_end) are recorded
  std::uint64_t window_end = 0;    // no sends after this; the worker returns (load mode)
};

// One epoll loop owning a share of the connections. In load mode it returns at
// plan.window_end; in idle mode (and on `stop`) when `stop` becomes true.
class Worker {
 public:
  Worker(const Options& opt, const weft::Address& ep, const Codec& codec, WorkerPlan plan,
         const std::atomic<bool>& stop);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  void run();

  const Histogram& histogram() const noexcept { return hist_; }
  const Counters& counters() const noexcept { return counters_; }

  // Published for the main thread while running (progress, idle readiness).
  std::atomic<std::uint64_t> live_msgs{0};
  std::atomic<std::uint64_t> live_bytes{0};
  std::atomic<std::uint64_t> live_errors{0};
  std::atomic<std::uint64_t> live_open{0};
  std::atomic<std::uint64_t> live_settled{0};  // idle mode: connects that succeeded or gave up

 private:
  using Due = std::pair<std::uint64_t, Connection*>;  // (time, connection)

  void start_due_connects(std::uint64_t now);
  void expire_connects(std::uint64_t now);
  void expire_responses(std::uint64_t now);
  void issue_rate_sends(std::uint64_t now);
  void handle(Connection& c, std::uint32_t events);
  void established(Connection& c, std::uint64_t now);
  void fail(Connection& c, bool connect_error);
  std::uint64_t next_wakeup(std::uint64_t now) const;
  void publish() noexcept;

  const Options& opt_;
  const weft::Address& ep_;
  const Codec& codec_;
  WorkerPlan plan_;
  const std::atomic<bool>& stop_;

  int epfd_ = -1;
  std::deque<Connection> conns_;  // deque: stable addresses, epoll holds pointers
  std::priority_queue<Due, std::vector<Due>, std::greater<>> connect_queue_;
  unsigned connecting_ = 0;
  std::uint64_t open_ = 0;
  std::uint64_t settled_ = 0;
  std::uint64_t last_timeout_scan_ = 0;
  std::uint64_t last_stall_scan_ = 0;

  double rate_interval_ns_ = 0;
  std::uint64_t rate_next_ = 0;  // index of the next scheduled send

  Histogram hist_;
  Counters counters_;
  std::vector<char> scratch_;
};

}  // namespace weft_load
