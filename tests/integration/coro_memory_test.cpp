// What the coroutine API costs: no heap allocation per message in a steady echo, and the
// memory an idle connection with a pending read holds. This file replaces the global
// operator new/delete to count allocations (per thread) and live heap bytes (process).

#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "weft/coro/coro.h"
#include "weft/net/conn.h"

namespace {
thread_local uint64_t t_allocations = 0;
std::atomic<int64_t> g_live_bytes{0};
}  // namespace

void* operator new(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  ++t_allocations;
  g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  operator delete(p);
}

namespace weft::test {
namespace {

Task<> echo_views(Stream s) {
  for (;;) {
    auto data = co_await s.read_some();
    if (!data || co_await s.write(*data)) co_return;
  }
}

void round_trips(LoopbackClient& client, int n) {
  std::string msg(64, 'm');
  std::string back;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(client.send_all(msg).ok());
    back.clear();
    ASSERT_TRUE(client.read_exact(back, msg.size()).ok());
  }
}

TEST(CoroMemory, ASteadyEchoAllocatesNothingPerMessage) {
  CoroFixture fixture(echo_views, coro_options(1));
  EventLoop& loop = fixture.server().server().loop(0);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  round_trips(client, 200);  // Warm up pools and buffers.
  auto before = call_on_loop(loop, [] { return t_allocations; });
  round_trips(client, 10000);
  auto after = call_on_loop(loop, [] { return t_allocations; });
  ASSERT_TRUE(before && after);
  // The barrier tasks themselves may allocate a little; 10,000 messages must not.
  EXPECT_LT(*after - *before, 20u) << "allocations on the loop thread for 10,000 echoed messages";
  std::printf("[ info ] loop-thread allocations for 10,000 echoed messages: %llu\n",
              static_cast<unsigned long long>(*after - *before));
}

TEST(CoroMemory, AnIdleConnectionWithAPendingReadIsSmall) {
  constexpr size_t kConnections = 1000;
  CoroFixture fixture(echo_views, coro_options(1));
  EventLoop& loop = fixture.server().server().loop(0);
  std::vector<LoopbackClient> clients;
  clients.reserve(kConnections);
  ASSERT_TRUE(sync_with_loop(loop));
  auto frames_before = call_on_loop(loop, [] { return frame_pool_stats(); });
  int64_t heap_before = g_live_bytes.load();
  for (size_t i = 0; i < kConnections; ++i) {
    clients.emplace_back(fixture.address());
    ASSERT_TRUE(clients.back().connected());
  }
  for (int i = 0; i < 1000 && fixture.server().coroutine_count() < kConnections; ++i) {
    ASSERT_TRUE(sync_with_loop(loop));
  }
  ASSERT_EQ(fixture.server().coroutine_count(), kConnections);
  ASSERT_TRUE(sync_with_loop(loop));
  int64_t heap_after = g_live_bytes.load();
  auto frames_after = call_on_loop(loop, [] { return frame_pool_stats(); });
  ASSERT_TRUE(frames_before && frames_after);

  double heap_per_conn = static_cast<double>(heap_after - heap_before) / kConnections;
  double frames_per_conn = static_cast<double>(frames_after->bytes_in_use - frames_before->bytes_in_use) / kConnections;
  std::printf(
      "[ info ] per idle connection: %.0f bytes of heap in all (Conn object %zu bytes); "
      "of which coroutine frames and stream state %.0f bytes\n",
      heap_per_conn, sizeof(Conn), frames_per_conn);
  RecordProperty("heap_bytes_per_idle_connection", static_cast<int>(heap_per_conn));
  RecordProperty("frame_bytes_per_idle_connection", static_cast<int>(frames_per_conn));
  EXPECT_LE(heap_per_conn, 1536.0);
  EXPECT_LE(frames_per_conn, 640.0);  // Stream state 64 + root frame 160 + this echo 320 (g++ 12 -O3).
}

}  // namespace
}  // namespace weft::test
