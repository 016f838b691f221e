#pragma once
// BlockPool hands out fixed-size memory blocks for Buffer chains. One pool per event loop;
// it is not thread-safe and must only be used by the thread that owns it. Released blocks
// go to a bounded free list, so a loop in steady state allocates nothing per message.

#include <cstddef>
#include <cstdint>

namespace weft {

// One link of a buffer chain. The readable bytes are data()[begin, end); the bytes after
// end up to capacity are free space that reads and appends fill.
struct Block {
  Block* next = nullptr;
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t capacity = 0;

  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  size_t readable() const { return end - begin; }
  size_t writable() const { return capacity - end; }
};

class BlockPool {
 public:
  static constexpr size_t kDefaultBlockSize = 16 * 1024;  // Bytes of data per block.
  static constexpr size_t kDefaultMaxFree = 256;

  explicit BlockPool(size_t block_size = kDefaultBlockSize, size_t max_free = kDefaultMaxFree);
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  // Returns an empty block (begin == end == 0). Never returns null.
  Block* acquire();
  // Returns a block to the pool; it is freed if the free list is full.
  void release(Block* block);

  size_t block_size() const { return block_size_; }
  size_t free_blocks() const { return free_count_; }
  size_t blocks_in_use() const { return in_use_; }
  // Bytes of blocks handed back to the allocator (the free list was full) since the last
  // call to reset_freed(); the owner uses it to return memory to the system after a burst.
  size_t freed_bytes() const { return freed_bytes_; }
  void reset_freed() { freed_bytes_ = 0; }

 private:
  size_t block_size_;
  size_t max_free_;
  Block* free_ = nullptr;
  size_t free_count_ = 0;
  size_t in_use_ = 0;
  size_t freed_bytes_ = 0;
};

}  // namespace weft
