#pragma once
// PayloadBuffer: the bytes of a message being assembled. Unlike std::string it grows
// without zero-filling what it adds (the decoder writes every added byte at once, by
// unmasking into it), which spares a memset of every payload.
//
// Owns its storage. Views from view() stay valid until the next grow(), clear_and_trim()
// or destruction. Not thread-safe (one connection's loop thread).

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace weft::ws::detail {

class PayloadBuffer {
 public:
  // Appends n bytes and returns where they start: the caller must write all n.
  char* grow(size_t n) {
    if (capacity_ - size_ < n) reserve(size_ + n);
    char* at = data_.get() + size_;
    size_ += n;
    return at;
  }
  // Empties the buffer; gives the storage back if it is larger than keep bytes (a burst of
  // large messages should not leave its memory behind for good).
  void clear_and_trim(size_t keep) {
    size_ = 0;
    if (capacity_ > keep) {
      data_.reset();
      capacity_ = 0;
    }
  }
  void clear() { size_ = 0; }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  void reserve(size_t need) {
    const size_t capacity = std::max({need, capacity_ * 2, kMinCapacity});
    std::unique_ptr<char[]> bigger(new char[capacity]);  // Uninitialized on purpose.
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  static constexpr size_t kMinCapacity = 128;

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace weft::ws::detail
