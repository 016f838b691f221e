#include "weft/core/detail/block_chain.h"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>

namespace weft::detail {

size_t BlockChain::block_count() const {
  size_t n = 0;
  for (Block* b = head_; b != nullptr; b = b->next) ++n;
  return n;
}

void BlockChain::append(BlockPool& pool, std::string_view bytes) {
  // The common cases: the bytes fit in the tail block, or in one fresh block.
  if (tail_ == nullptr && !bytes.empty() && bytes.size() <= pool.block_size()) {
    head_ = tail_ = pool.acquire();
  }
  if (tail_ != nullptr && bytes.size() <= tail_->writable()) {
    std::memcpy(tail_->data() + tail_->end, bytes.data(), bytes.size());
    tail_->end += static_cast<uint32_t>(bytes.size());
    size_ += bytes.size();
    return;
  }
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    std::span<char> space = prepare(pool);
    size_t take = std::min(left, space.size());
    std::memcpy(space.data(), p, take);
    commit(take);
    p += take;
    left -= take;
  }
}

std::span<char> BlockChain::prepare(BlockPool& pool) {
  if (tail_ == nullptr || tail_->writable() == 0) {
    Block* block = pool.acquire();
    if (tail_ == nullptr) {
      head_ = tail_ = block;
    } else {
      tail_->next = block;
      tail_ = block;
    }
  }
  return tail_space();
}

void BlockChain::consume(BlockPool& pool, size_t n) {
  if (n >= size_) {
    clear(pool);
    return;
  }
  size_ -= n;
  while (n > 0) {
    size_t take = std::min(n, head_->readable());
    head_->begin += static_cast<uint32_t>(take);
    n -= take;
    if (head_->readable() == 0 && (head_ != tail_ || size_ == 0)) {
      Block* next = head_->next;
      pool.release(head_);
      head_ = next;
      if (head_ == nullptr) tail_ = nullptr;
    }
  }
}

void BlockChain::clear(BlockPool& pool) {
  while (head_ != nullptr) {
    Block* next = head_->next;
    pool.release(head_);
    head_ = next;
  }
  tail_ = nullptr;
  size_ = 0;
}

size_t BlockChain::copy_to(size_t offset, size_t n, char* out) const {
  size_t copied = 0;
  for (Block* b = head_; b != nullptr && copied < n; b = b->next) {
    size_t len = b->readable();
    if (offset >= len) {
      offset -= len;
      continue;
    }
    size_t take = std::min(len - offset, n - copied);
    std::memcpy(out + copied, b->data() + b->begin + offset, take);
    copied += take;
    offset = 0;
  }
  return copied;
}

void BlockChain::segments(std::vector<std::string_view>& out) const {
  for (Block* b = head_; b != nullptr; b = b->next) {
    if (b->readable() > 0) out.emplace_back(b->data() + b->begin, b->readable());
  }
}

int BlockChain::fill_iovec(struct iovec* iov, int max) const {
  int n = 0;
  for (Block* b = head_; b != nullptr && n < max; b = b->next) {
    if (b->readable() == 0) continue;
    iov[n].iov_base = b->data() + b->begin;
    iov[n].iov_len = b->readable();
    ++n;
  }
  return n;
}

}  // namespace weft::detail
