#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "codec.h"
#include "histogram.h"
#include "options.h"
#include "stats.h"
#include "weft/core/address.h"
#include "worker.h"

namespace weft_load {

// The worker threads of one run. Connection i goes to worker i % threads and
// --rate is shared in proportion to each worker's connections.
class Pool {
 public:
  Pool(const Options& opt, const weft::Address& ep, const Codec& codec, unsigned conns, std::uint64_t start,
       std::uint64_t window_begin, std::uint64_t window_end, std::atomic<bool>& stop);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() { join(); }

  // Sets `stop` and waits for every worker.
  void join();

  // Sum of one of Worker's live_* counters; callable while the workers run.
  std::uint64_t sum(std::atomic<std::uint64_t> Worker::*field) const;

  // Only after join().
  Counters counters() const;
  Histogram histogram() const;

 private:
  std::atomic<bool>& stop_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace weft_load
