#pragma once
// List: a Redis list as a ring buffer of Strs (16 bytes an element, short ones inline), so
// both ends push and pop in O(1) and any index is O(1) (Redis's quicklist walks nodes for
// LINDEX and LRANGE's start). Capacity doubles as it fills and halves when a quarter full;
// steady pushes and pops allocate nothing. Loop thread of the owning shard only.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "small_string.h"

namespace weft::kv {

class List {
 public:
  List() = default;
  ~List();
  List(const List&) = delete;
  List& operator=(const List&) = delete;

  size_t size() const { return size_; }
  // Bytes: the ring and the elements' heap parts.
  size_t footprint() const { return sizeof(List) + capacity_ * sizeof(Str) + heap_bytes_; }

  void push_front(std::string_view s);
  void push_back(std::string_view s);
  // The element at index i (0 <= i < size()).
  std::string_view at(size_t i) const { return ring_[(head_ + i) & (capacity_ - 1)].view(); }
  void set(size_t i, std::string_view s);
  // Removes `n` elements from the front or the back.
  void pop_front(size_t n = 1);
  void pop_back(size_t n = 1);
  // Removes elements equal to `s`: up to `limit` of them (0: all), from the front when
  // from_back is false. Returns how many.
  size_t remove(std::string_view s, size_t limit, bool from_back);

 private:
  Str& slot(size_t i) { return ring_[(head_ + i) & (capacity_ - 1)]; }
  void grow();
  void resize(size_t capacity);
  void maybe_shrink();

  Str* ring_ = nullptr;
  size_t capacity_ = 0;  // A power of two, or 0.
  size_t head_ = 0;
  size_t size_ = 0;
  size_t heap_bytes_ = 0;
};

}  // namespace weft::kv
