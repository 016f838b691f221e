// The frame pool: size classes, reuse, bounded cache, and frees from another thread.

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "weft/coro/detail/pooled_frame.h"
#include "weft/coro/frame_pool.h"

namespace weft {
namespace {

TEST(FramePool, SizeClasses) {
  EXPECT_EQ(frame_class_size(1), 32u);
  EXPECT_EQ(frame_class_size(32), 32u);
  EXPECT_EQ(frame_class_size(33), 64u);
  EXPECT_EQ(frame_class_size(1000), 1024u);
  EXPECT_EQ(frame_class_size(1025), 1280u);
  EXPECT_EQ(frame_class_size(4096), 4096u);
  EXPECT_EQ(frame_class_size(5000), 5000u);  // Straight from the heap.
}

TEST(FramePool, ReusesFramesOfTheSameClass) {
  void* a = detail::frame_allocate(200);
  detail::frame_free(a, 200);
  FramePoolStats before = frame_pool_stats();
  void* b = detail::frame_allocate(220);  // Same 224-byte class.
  EXPECT_EQ(a, b);
  FramePoolStats after = frame_pool_stats();
  EXPECT_EQ(after.heap_allocations, before.heap_allocations);
  EXPECT_EQ(after.bytes_in_use - before.bytes_in_use, 224);
  detail::frame_free(b, 220);
  EXPECT_EQ(frame_pool_stats().bytes_in_use, before.bytes_in_use);
}

TEST(FramePool, LargeFramesBypassTheCache) {
  FramePoolStats before = frame_pool_stats();
  void* big = detail::frame_allocate(64 * 1024);
  detail::frame_free(big, 64 * 1024);
  FramePoolStats after = frame_pool_stats();
  EXPECT_EQ(after.heap_allocations - before.heap_allocations, 1u);
  EXPECT_EQ(after.bytes_cached, before.bytes_cached);
}

TEST(FramePool, TheCacheIsBounded) {
  std::vector<void*> frames;
  for (size_t i = 0; i < detail::kMaxCachedBytes / 1024 + 100; ++i) frames.push_back(detail::frame_allocate(1024));
  for (void* f : frames) detail::frame_free(f, 1024);
  EXPECT_LE(frame_pool_stats().bytes_cached, detail::kMaxCachedBytes);
}

TEST(FramePool, AFrameMayBeFreedOnAnotherThread) {
  void* f = detail::frame_allocate(100);
  FramePoolStats other{};
  std::thread t([&] {
    detail::frame_free(f, 100);
    other = frame_pool_stats();
    void* again = detail::frame_allocate(100);  // Served from this thread's list.
    EXPECT_EQ(again, f);
    detail::frame_free(again, 100);
  });
  t.join();
  EXPECT_EQ(other.frees, 1u);
  EXPECT_EQ(other.bytes_cached, 128u);
}

}  // namespace
}  // namespace weft
