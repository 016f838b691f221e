#pragma once
// Slab<T>: values in reusable slots, each value named for ever by (slot, generation).
// A slot's generation is odd while the slot is in use and even while it is free; it
// moves on at every reserve and every release, so a name held after its value was
// released never matches again (until the 32-bit generation wraps, after two billion
// reuses of the slot). Free slots are reused last-in first-out, which keeps the live
// values dense and warm in cache.
//
//   uint32_t generation;
//   uint32_t slot = slab.reserve(generation);   // slab[slot] is a default T
//   slab[slot] = value;
//   T* t = slab.find(slot, generation);         // null once released
//   slab.release(slot);                         // resets slab[slot]
//
// Values live in one vector: reserve() may move them, so keep names, not pointers,
// across a reserve. Not thread-safe: one owner thread.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace weft::detail {

template <class T>
class Slab {
 public:
  // A free slot (a new one if none is free), now in use, holding T{}.
  uint32_t reserve(uint32_t& generation) {
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

  // The value of a slot in use.
  T& operator[](uint32_t slot) { return slots_[slot].value; }
  const T& operator[](uint32_t slot) const { return slots_[slot].value; }
  uint32_t generation(uint32_t slot) const { return slots_[slot].generation; }

  // Frees a slot in use; its value is reset at once, releasing what it held (with its
  // reset() if T has one, which may be cheaper than assigning T{}).
  void release(uint32_t slot) {
    Slot& s = slots_[slot];
    if constexpr (requires(T & t) { t.reset(); }) {
      s.value.reset();
    } else {
      s.value = T{};
    }
    ++s.generation;
    free_.push_back(slot);
    --size_;
  }

  // The value named (slot, generation), or null if that name is not (or no longer) in use.
  T* find(uint32_t slot, uint32_t generation) {
    if (slot >= slots_.size() || (generation & 1) == 0) return nullptr;
    Slot& s = slots_[slot];
    return s.generation == generation ? &s.value : nullptr;
  }
  const T* find(uint32_t slot, uint32_t generation) const { return const_cast<Slab*>(this)->find(slot, generation); }

  // Calls f(slot, value) for every slot in use, in slot order. f must not reserve.
  template <class F>
  void for_each(F&& f) {
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      if (in_use(slots_[i].generation)) f(i, slots_[i].value);
    }
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Slot {
    T value{};
    uint32_t generation = 0;
  };
  static bool in_use(uint32_t generation) { return (generation & 1) != 0; }

  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t size_ = 0;
};

}  // namespace weft::detail
