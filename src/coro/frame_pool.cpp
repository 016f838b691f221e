#include "weft/coro/frame_pool.h"

#include <new>

#include "weft/coro/detail/pooled_frame.h"

#if defined(__SANITIZE_ADDRESS__) || defined(WEFT_SANITIZED)
#include <sanitizer/asan_interface.h>
#define WEFT_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define WEFT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define WEFT_POISON(p, n) ((void)(p), (void)(n))
#define WEFT_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace weft {
namespace {

constexpr size_t kSmallStep = 32;
constexpr size_t kSmallLimit = 1024;
constexpr size_t kLargeStep = 256;
constexpr size_t kLargeLimit = 4096;
constexpr size_t kClassCount = kSmallLimit / kSmallStep + (kLargeLimit - kSmallLimit) / kLargeStep;

struct FreeFrame {
  FreeFrame* next;
};

// Trivially destructible, so it stays usable while the thread's destructors run; the
// Cleanup object below empties it once at thread exit.
struct Pool {
  FreeFrame* free[kClassCount];
  FramePoolStats stats;
  bool cleanup_armed;
  bool exiting;
};

thread_local Pool t_pool{};

size_t class_bytes(size_t c);

struct Cleanup {
  bool armed = false;
  ~Cleanup() {
    Pool& p = t_pool;
    p.exiting = true;
    for (size_t c = 0; c < kClassCount; ++c) {
      while (FreeFrame* f = p.free[c]) {
        WEFT_UNPOISON(f, class_bytes(c));
        p.free[c] = f->next;
        ::operator delete(f);
      }
    }
    p.stats.bytes_cached = 0;
  }
};

thread_local Cleanup t_cleanup;

// Size class index, or kClassCount for frames that bypass the pool.
size_t class_of(size_t size) {
  if (size <= kSmallLimit) return size == 0 ? 0 : (size - 1) / kSmallStep;
  if (size <= kLargeLimit) return kSmallLimit / kSmallStep + (size - kSmallLimit - 1) / kLargeStep;
  return kClassCount;
}

size_t class_bytes(size_t c) {
  if (c < kSmallLimit / kSmallStep) return (c + 1) * kSmallStep;
  return kSmallLimit + (c - kSmallLimit / kSmallStep + 1) * kLargeStep;
}

}  // namespace

FramePoolStats frame_pool_stats() {
  return t_pool.stats;
}

size_t frame_class_size(size_t size) {
  size_t c = class_of(size);
  return c == kClassCount ? size : class_bytes(c);
}

namespace detail {

void* frame_allocate(size_t size) {
  Pool& p = t_pool;
  size_t c = class_of(size);
  ++p.stats.allocations;
  if (c == kClassCount) {
    ++p.stats.heap_allocations;
    p.stats.bytes_in_use += static_cast<int64_t>(size);
    return ::operator new(size);
  }
  size_t bytes = class_bytes(c);
  p.stats.bytes_in_use += static_cast<int64_t>(bytes);
  if (FreeFrame* f = p.free[c]) {
    WEFT_UNPOISON(f, bytes);
    p.free[c] = f->next;
    p.stats.bytes_cached -= bytes;
    return f;
  }
  ++p.stats.heap_allocations;
  return ::operator new(bytes);
}

void frame_free(void* frame, size_t size) noexcept {
  Pool& p = t_pool;
  size_t c = class_of(size);
  ++p.stats.frees;
  size_t bytes = c == kClassCount ? size : class_bytes(c);
  p.stats.bytes_in_use -= static_cast<int64_t>(bytes);
  if (c == kClassCount || p.exiting || p.stats.bytes_cached + bytes > kMaxCachedBytes) {
    ::operator delete(frame);
    return;
  }
  if (!p.cleanup_armed) {
    t_cleanup.armed = true;  // Constructs it, so the free lists are emptied at thread exit.
    p.cleanup_armed = true;
  }
  auto* f = static_cast<FreeFrame*>(frame);
  f->next = p.free[c];
  p.free[c] = f;
  p.stats.bytes_cached += bytes;
  // Under AddressSanitizer a cached frame stays poisoned, so a resumed dead coroutine is
  // still caught even though its memory was not returned to malloc.
  WEFT_POISON(static_cast<char*>(frame) + sizeof(FreeFrame), bytes - sizeof(FreeFrame));
}

}  // namespace detail
}  // namespace weft
