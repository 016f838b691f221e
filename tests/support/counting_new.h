#pragma once
// Replaces the global operator new and delete with versions that count: how many
// allocations happen (anywhere in the process) while counting is on, and how many heap
// bytes are live. Include it in exactly one file of a test executable.

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace weft::test {

inline std::atomic<bool> g_counting{false};
inline std::atomic<size_t> g_allocations{0};
inline std::atomic<int64_t> g_live_bytes{0};

namespace counting_new {

inline void* allocate(std::size_t n, std::size_t align) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = align <= alignof(std::max_align_t) ? std::malloc(n == 0 ? 1 : n)
                                               : std::aligned_alloc(align, (n + align - 1) / align * align);
  if (p != nullptr) {
    g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  return p;
}

// Out of line, so the compiler does not see operator new's malloc meeting free() and
// warn about a mismatch that is none.
[[gnu::noinline]] inline void release(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}

inline void* allocate_or_throw(std::size_t n, std::size_t align) {
  if (void* p = allocate(n, align)) return p;
  throw std::bad_alloc();
}

}  // namespace counting_new
}  // namespace weft::test

void* operator new(std::size_t n) {
  return weft::test::counting_new::allocate_or_throw(n, 0);
}
void* operator new[](std::size_t n) {
  return weft::test::counting_new::allocate_or_throw(n, 0);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return weft::test::counting_new::allocate(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return weft::test::counting_new::allocate(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return weft::test::counting_new::allocate_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return weft::test::counting_new::allocate_or_throw(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
  weft::test::counting_new::release(p);
}
void operator delete[](void* p) noexcept {
  weft::test::counting_new::release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  weft::test::counting_new::release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  weft::test::counting_new::release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  weft::test::counting_new::release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  weft::test::counting_new::release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  weft::test::counting_new::release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  weft::test::counting_new::release(p);
}
