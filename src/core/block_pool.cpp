#include "weft/core/block_pool.h"

#include <new>
#include <stdexcept>

namespace weft {

BlockPool::BlockPool(size_t block_size, size_t max_free)
    : block_size_(block_size), max_free_(max_free) {
  if (block_size == 0 || block_size > UINT32_MAX / 2) {
    throw std::invalid_argument("BlockPool: block size must be between 1 and 2 GiB");
  }
}

BlockPool::~BlockPool() {
  while (free_ != nullptr) {
    Block* next = free_->next;
    ::operator delete(free_);
    free_ = next;
  }
}

Block* BlockPool::acquire() {
  Block* block = free_;
  if (block != nullptr) {
    free_ = block->next;
    --free_count_;
  } else {
    block = static_cast<Block*>(::operator new(sizeof(Block) + block_size_));
  }
  block->next = nullptr;
  block->begin = 0;
  block->end = 0;
  block->capacity = static_cast<uint32_t>(block_size_);
  ++in_use_;
  return block;
}

void BlockPool::release(Block* block) {
  --in_use_;
  if (free_count_ >= max_free_) {
    ::operator delete(block);
    freed_bytes_ += block_size_;
    return;
  }
  block->next = free_;
  free_ = block;
  ++free_count_;
}

}  // namespace weft
