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
#include "weft/core/detail/block_chain.h"

struct iovec;

namespace weft {

class Buffer {
 public:
  explicit Buffer(BlockPool& pool) : pool_(&pool) {}
  ~Buffer() { clear(); }
  Buffer(Buffer&& other) noexcept : pool_(other.pool_), chain_(std::move(other.chain_)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      clear();
      pool_ = other.pool_;
      chain_ = std::move(other.chain_);
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  size_t size() const { return chain_.size(); }
  bool empty() const { return chain_.empty(); }
  size_t block_count() const { return chain_.block_count(); }

  void append(std::string_view bytes) { chain_.append(*pool_, bytes); }
  void append(const void* data, size_t n) { append(std::string_view(static_cast<const char*>(data), n)); }

  // Free space at the end of the tail block (possibly empty), for reading into directly.
  std::span<char> tail_space() { return chain_.tail_space(); }
  // Makes sure the tail block has at least one free byte and returns its free space.
  std::span<char> prepare() { return chain_.prepare(*pool_); }
  // Marks n bytes written into the span last returned by tail_space() or prepare().
  void commit(size_t n) { chain_.commit(n); }

  // The first contiguous run of readable bytes.
  std::string_view front() const { return chain_.front(); }
  void consume(size_t n) { chain_.consume(*pool_, n); }
  void clear() { chain_.clear(*pool_); }

  size_t copy_to(size_t offset, size_t n, char* out) const { return chain_.copy_to(offset, n, out); }
  // Appends one view per block to out (out is not cleared).
  void segments(std::vector<std::string_view>& out) const { chain_.segments(out); }
  // Calls f(std::string_view) for each block's readable bytes, front first, until f
  // returns false.
  template <class F>
  void for_each_segment(F&& f) const {
    chain_.for_each_segment(std::forward<F>(f));
  }
  // Fills up to max iovecs with the readable bytes, front first; returns the count.
  int fill_iovec(struct iovec* iov, int max) const { return chain_.fill_iovec(iov, max); }

  std::string to_string() const;
  BlockPool& pool() const { return *pool_; }

 private:
  BlockPool* pool_;
  detail::BlockChain chain_;
};

}  // namespace weft
