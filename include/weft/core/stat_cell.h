#pragma once
// StatCell: a counter or gauge with one writer and any number of readers.
//
// The writer (a loop's own thread) updates it with a relaxed load and store, which compile
// to plain moves: no locked instruction on the hot path. Readers on any thread see a value
// at most a little stale (relaxed loads), never a torn one. Two threads must never write
// the same cell; a cell written from several threads uses add_shared().

#include <atomic>
#include <cstdint>

namespace weft {

class StatCell {
 public:
  // Writer thread only.
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  void set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  // Any thread, for cells written from several threads (a locked add).
  void add_shared(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  // Any thread.
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

}  // namespace weft
