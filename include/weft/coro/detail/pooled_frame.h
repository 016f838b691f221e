#pragma once
// PooledFrame: coroutine promises derive from it to take their frames from the calling
// thread's frame pool (see weft/coro/frame_pool.h for the size classes and the cap).
// Machinery; applications do not use it.

#include <cstddef>

namespace weft::detail {

// Free frames a thread keeps at most, in bytes.
inline constexpr size_t kMaxCachedBytes = 8 * 1024 * 1024;

void* frame_allocate(size_t size);
void frame_free(void* frame, size_t size) noexcept;

struct PooledFrame {
  static void* operator new(size_t size) { return frame_allocate(size); }
  static void operator delete(void* frame, size_t size) noexcept { frame_free(frame, size); }
};

}  // namespace weft::detail
