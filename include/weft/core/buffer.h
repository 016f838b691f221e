#pragma once
// Buffer is a chain of blocks from a BlockPool:
//
//   head                                   tail
//   [ consumed | readable ] -> [ readable ] -> [ readable | writable ]
//              ^begin     ^end                            ^end     ^capacity
//
// Bytes are appended at the tail and consumed from the head. A block is returned to the
// pool as soon as all its bytes are consumed, so an empty Buffer holds no memory. Views
// returned by front() or segments() stay valid until the buffer is next modified.
// A Buffer belongs to the thread that owns its pool.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/block_pool.h"

struct iovec;

namespace weft {

class Buffer {
 public:
  explicit Buffer(BlockPool& pool) : pool_(&pool) {}
  ~Buffer() { clear(); }
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t block_count() const;

  void append(std::string_view bytes);
  void append(const void* data, size_t n) { append(std::string_view(static_cast<const char*>(data), n)); }

  // Free space at the end of the tail block (possibly empty), for reading into directly.
  std::span<char> tail_space();
  // Makes sure the tail block has at least one free byte and returns its free space.
  std::span<char> prepare();
  // Marks n bytes written into the span last returned by tail_space() or prepare().
  void commit(size_t n);

  // The first contiguous run of readable bytes.
  std::string_view front() const;
  void consume(size_t n);
  void clear();

  size_t copy_to(size_t offset, size_t n, char* out) const;
  // Appends one view per block to out (out is not cleared).
  void segments(std::vector<std::string_view>& out) const;
  // Calls f(std::string_view) for each block's readable bytes, front first, until f
  // returns false.
  template <class F>
  void for_each_segment(F&& f) const {
    for (const Block* b = head_; b != nullptr; b = b->next) {
      if (b->readable() > 0 && !f(std::string_view(b->data() + b->begin, b->readable()))) return;
    }
  }
  // Fills up to max iovecs with the readable bytes, front first; returns the count.
  int fill_iovec(struct iovec* iov, int max) const;

  std::string to_string() const;
  BlockPool& pool() const { return *pool_; }

 private:
  BlockPool* pool_;
  Block* head_ = nullptr;
  Block* tail_ = nullptr;
  size_t size_ = 0;
};

}  // namespace weft
