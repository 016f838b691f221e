#pragma once
// ConnTable: the connections of one server on one loop, in a slab indexed by slot. A slot's
// generation changes each time it is reused, so (slot, generation) names one connection
// for ever. Loop thread only, except loop(), which handles use to post to it.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace weft {
class Conn;
class EventLoop;
}  // namespace weft

namespace weft::detail {

class ConnTable {
 public:
  explicit ConnTable(EventLoop& loop) : loop_(&loop) {}

  EventLoop& loop() const { return *loop_; }

  // Reserves a slot; returns it with its generation.
  uint32_t reserve(uint32_t& generation);
  void fill(uint32_t slot, Conn* conn) { slots_[slot].conn = conn; }
  void release(uint32_t slot);
  Conn* find(uint32_t slot, uint32_t generation) const {
    if (slot >= slots_.size()) return nullptr;
    const Slot& s = slots_[slot];
    return s.generation == generation ? s.conn : nullptr;
  }
  size_t size() const { return size_; }
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.conn != nullptr) f(s.conn);
    }
  }

 private:
  struct Slot {
    Conn* conn = nullptr;
    uint32_t generation = 0;
  };
  EventLoop* loop_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t size_ = 0;
};

inline uint32_t ConnTable::reserve(uint32_t& generation) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  generation = ++slots_[slot].generation;
  ++size_;
  return slot;
}

inline void ConnTable::release(uint32_t slot) {
  slots_[slot].conn = nullptr;
  ++slots_[slot].generation;  // Stale handles stop matching at once.
  free_.push_back(slot);
  --size_;
}

}  // namespace weft::detail
