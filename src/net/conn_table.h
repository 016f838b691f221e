#pragma once
// ConnTable: the connections of one server on one loop, stored in place in a slab of
// slots (chunks of kChunk slots, allocated as the table grows, never moved), so that a
// connection costs its object and eight bytes, with no allocator header. A slot's
// generation changes each time the slot is taken or freed (odd while a connection lives
// in it), so (slot, generation) names one connection for ever, and a handle to a closed
// connection finds nothing. Loop thread only, except loop(), which handles use to post.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "weft/net/conn.h"

namespace weft::detail {

class ConnTable {
 public:
  explicit ConnTable(EventLoop& loop) : loop_(&loop) {}
  ~ConnTable() = default;  // Every connection is gone before its loop context.
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  EventLoop& loop() const { return *loop_; }

  // Takes a free slot; returns its storage for a Conn to be constructed in, with the
  // slot's number and new generation.
  void* reserve(uint32_t& slot, uint32_t& generation);
  // The slot's connection is closing: handles stop finding it at once, though it still
  // lives in the slot until release().
  void retire(uint32_t slot) { ++at(slot).generation; }
  // Frees a retired slot whose Conn has been destroyed.
  void release(uint32_t slot);
  Conn* find(uint32_t slot, uint32_t generation) const {
    if (slot >= count_) return nullptr;
    const Slot& s = at(slot);
    return s.generation == generation && (generation & 1) ? conn_in(s) : nullptr;
  }
  uint32_t generation(uint32_t slot) const { return at(slot).generation; }
  // Connections in the table, retired ones included until released.
  size_t size() const { return size_; }
  template <class F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i < count_; ++i) {
      const Slot& s = at(i);
      if (s.generation & 1) f(conn_in(s));
    }
  }

 private:
  static constexpr uint32_t kChunkBits = 8;
  static constexpr uint32_t kChunk = 1u << kChunkBits;
  struct Slot {
    alignas(Conn) unsigned char storage[sizeof(Conn)];
    uint32_t generation = 0;  // Odd while occupied.
    uint32_t next_free = 0;
  };
  // An idle connection costs its slot and nothing else: keep it within 200 bytes.
  static_assert(sizeof(Slot) <= 200, "an idle connection must cost at most 200 bytes");
  static Conn* conn_in(const Slot& s) {
    return std::launder(reinterpret_cast<Conn*>(const_cast<unsigned char*>(s.storage)));
  }
  Slot& at(uint32_t slot) { return chunks_[slot >> kChunkBits][slot & (kChunk - 1)]; }
  const Slot& at(uint32_t slot) const { return chunks_[slot >> kChunkBits][slot & (kChunk - 1)]; }

  EventLoop* loop_;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  uint32_t count_ = 0;  // Slots ever used.
  uint32_t free_ = UINT32_MAX;  // Head of the free list.
  size_t size_ = 0;
};

inline void* ConnTable::reserve(uint32_t& slot, uint32_t& generation) {
  if (free_ != UINT32_MAX) {
    slot = free_;
    free_ = at(slot).next_free;
  } else {
    if ((count_ & (kChunk - 1)) == 0) chunks_.push_back(std::unique_ptr<Slot[]>(new Slot[kChunk]));
    slot = count_++;
  }
  Slot& s = at(slot);
  generation = ++s.generation;
  ++size_;
  return s.storage;
}

inline void ConnTable::release(uint32_t slot) {
  Slot& s = at(slot);
  s.next_free = free_;
  free_ = slot;
  --size_;
}

}  // namespace weft::detail
