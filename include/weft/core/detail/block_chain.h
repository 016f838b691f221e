#pragma once
// BlockChain: the chain of pooled blocks behind Buffer, without the pool pointer, for
// owners that know their pool and must stay small (a connection's kept input). Every call
// that may take or return a block is given the pool; the chain must be cleared (with its
// pool) before it is destroyed. Regions, as in Buffer:
//
//   head                                   tail
//   [ consumed | readable ] -> [ readable ] -> [ readable | writable ]
//
// Views from front(), segments() and for_each_segment() stay valid until the chain is
// next modified. One thread: the pool's.

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "weft/core/block_pool.h"

struct iovec;

namespace weft::detail {

class BlockChain {
 public:
  BlockChain() = default;
  BlockChain(BlockChain&& other) noexcept : head_(other.head_), tail_(other.tail_), size_(other.size_) {
    other.head_ = other.tail_ = nullptr;
    other.size_ = 0;
  }
  BlockChain& operator=(BlockChain&& other) noexcept {
    std::swap(head_, other.head_);
    std::swap(tail_, other.tail_);
    std::swap(size_, other.size_);
    return *this;
  }
  BlockChain(const BlockChain&) = delete;
  BlockChain& operator=(const BlockChain&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t block_count() const;

  void append(BlockPool& pool, std::string_view bytes);
  // Free space at the end of the tail block (possibly empty).
  std::span<char> tail_space() {
    if (tail_ == nullptr) return {};
    return {tail_->data() + tail_->end, tail_->writable()};
  }
  // Makes sure the tail block has at least one free byte and returns its free space.
  std::span<char> prepare(BlockPool& pool);
  // Marks n bytes written into the span last returned by tail_space() or prepare().
  void commit(size_t n) {
    if (n == 0) return;
    tail_->end += static_cast<uint32_t>(n);
    size_ += n;
  }

  std::string_view front() const {
    if (head_ == nullptr) return {};
    return {head_->data() + head_->begin, head_->readable()};
  }
  void consume(BlockPool& pool, size_t n);
  void clear(BlockPool& pool);

  size_t copy_to(size_t offset, size_t n, char* out) const;
  void segments(std::vector<std::string_view>& out) const;
  int fill_iovec(struct iovec* iov, int max) const;
  template <class F>
  void for_each_segment(F&& f) const {
    for (const Block* b = head_; b != nullptr; b = b->next) {
      if (b->readable() > 0 && !f(std::string_view(b->data() + b->begin, b->readable()))) return;
    }
  }

 private:
  Block* head_ = nullptr;
  Block* tail_ = nullptr;
  size_t size_ = 0;
};

}  // namespace weft::detail
