#pragma once
// The coroutine frame pool. Every weft coroutine frame (Task, connection and spawned roots)
// is allocated here rather than with a plain `new`: each thread keeps free lists by size
// class, so a loop that starts and ends coroutines in steady state does not call malloc.
//
//   classes: 32-byte steps up to 1 KiB, 256-byte steps up to 4 KiB; larger frames go
//   straight to the heap. A thread caches at most kMaxCachedBytes of free frames.
//
// A frame may be freed on another thread than the one that allocated it (a coroutine
// created on one thread and run on a loop); it then joins that thread's free list. The
// pool is thread-local, so no call here takes a lock. (Promises take their frames from it
// through weft/coro/detail/pooled_frame.h.)

#include <cstddef>
#include <cstdint>

namespace weft {

struct FramePoolStats {
  uint64_t allocations = 0;       // Frames handed out by this thread.
  uint64_t heap_allocations = 0;  // Of those, how many the free lists could not serve.
  uint64_t frees = 0;             // Frames returned on this thread.
  int64_t bytes_in_use = 0;       // Class bytes allocated minus freed on this thread.
  size_t bytes_cached = 0;        // Bytes sitting in this thread's free lists.
};

// The calling thread's counters.
FramePoolStats frame_pool_stats();

// The bytes a frame of `size` bytes really takes (its size class), for memory reports.
size_t frame_class_size(size_t size);

}  // namespace weft
