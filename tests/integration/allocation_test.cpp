// Steady-state allocations on the echo path: after a warm-up, thousands of small echo
// round trips allocate nothing anywhere in the process (engine threads included). This
// file replaces the global operator new/delete with counting versions.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};

void* counted_alloc(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}

void* counted_aligned_alloc(std::size_t n, std::align_val_t align) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  std::size_t a = static_cast<std::size_t>(align);
  return std::aligned_alloc(a, (n + a - 1) / a * a);
}

// Out of line, so the compiler does not see operator new's malloc meeting free() and
// warn about a mismatch that is none.
[[gnu::noinline]] void counted_free(void* p) noexcept {
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n);
}
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = counted_aligned_alloc(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = counted_aligned_alloc(n, a)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  counted_free(p);
}
void operator delete[](void* p) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  counted_free(p);
}

namespace weft::test {
namespace {

// Runs n round trips of 64 bytes with preallocated buffers; returns false on any failure.
bool round_trips(LoopbackClient& client, size_t n, char (&out)[64], char (&in)[64]) {
  for (size_t i = 0; i < n; ++i) {
    out[0] = static_cast<char>(i);
    if (!client.send_all(std::string_view(out, sizeof out)).ok()) return false;
    if (!client.read_exact(in, sizeof in).ok()) return false;
    if (in[0] != out[0] || in[63] != out[63]) return false;
  }
  return true;
}

class SteadyStateAllocations : public ::testing::TestWithParam<bool> {};

TEST_P(SteadyStateAllocations, EchoRoundTripsAllocateNothing) {
  RecordingHandler handler;
  ServerOptions o;
  o.loops = 1;
  o.loop.edge_triggered = GetParam();
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  char out[64];
  char in[64];
  for (size_t i = 0; i < sizeof out; ++i) out[i] = static_cast<char>('a' + i % 26);

  ASSERT_TRUE(round_trips(client, 5000, out, in)) << "warm-up failed";

  // The counter sees allocations made on the loop thread.
  EventLoop& loop = fixture.server().loop(0);
  OnceValue<bool> go, allocated;
  g_allocations.store(0);
  g_counting.store(true);
  loop.post([&go, &allocated] {
    go.wait();
    for (int i = 0; i < 3; ++i) delete new int(i);
    allocated.set(true);
  });
  size_t before = g_allocations.load();  // Posting the task may allocate too.
  go.set(true);
  ASSERT_TRUE(allocated.wait());
  g_counting.store(false);
  ASSERT_GE(g_allocations.load(), before + 3) << "allocations on the loop thread are not counted";

  constexpr size_t kRoundTrips = 10000;
  g_allocations.store(0);
  g_counting.store(true);
  bool ok = round_trips(client, kRoundTrips, out, in);
  g_counting.store(false);
  size_t allocations = g_allocations.load();

  ASSERT_TRUE(ok) << "measured round trips failed";
  EXPECT_EQ(allocations, 0u) << allocations << " allocations in " << kRoundTrips << " echo round trips";
  RecordProperty("allocations", static_cast<int>(allocations));
}

INSTANTIATE_TEST_SUITE_P(Modes, SteadyStateAllocations, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

}  // namespace
}  // namespace weft::test
