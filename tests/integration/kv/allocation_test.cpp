// weft-kv's steady state allocates nothing per command: after a warm-up, thousands of
// pipelined commands of every family on the same keys (strings, a list that keeps one
// element, a hash, a set and a sorted set that keep one member) make no call to operator new
// anywhere in the process. The server runs in-process (KvServer on a weft::Server) and
// this file replaces the global operator new/delete with counting versions.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "loopback_client.h"
#include "server.h"
#include "server_fixture.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};

void* counted_alloc(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}

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

namespace weft::test {
namespace {

std::string command(std::initializer_list<std::string_view> args) {
  std::string out = "*";
  out += std::to_string(args.size());
  out += "\r\n";
  for (std::string_view a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

TEST(KvAllocations, SteadyStateCommandsAllocateNothing) {
  kv::Options options;
  kv::KvServer handler(options);
  ServerOptions so;
  so.loops = 1;
  ServerFixture fixture(handler, so);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());

  // One batch: 64 commands in one write, the same keys and value sizes every time.
  std::string batch;
  std::string replies;
  for (int i = 0; i < 8; ++i) {
    batch += command({"SET", "key:a", "value-0123456789"});
    batch += command({"GET", "key:a"});
    batch += command({"INCR", "counter"});
    batch += command({"DECR", "counter"});
    batch += command({"MGET", "key:a", "missing"});
    batch += command({"MSET", "key:b", "1", "key:c", "2"});
    batch += command({"EXISTS", "key:a", "key:b"});
    batch += command({"PING"});
    replies +=
        "+OK\r\n$16\r\nvalue-0123456789\r\n:1\r\n:0\r\n*2\r\n$16\r\nvalue-0123456789\r\n$-1\r\n+OK\r\n:2\r\n+PONG\r\n";
  }
  auto run = [&](int rounds) {
    static char in[65536];
    for (int r = 0; r < rounds; ++r) {
      if (!client.send_all(batch).ok()) return false;
      if (!client.read_exact(in, replies.size()).ok()) return false;
      if (std::string_view(in, replies.size()) != replies) return false;
    }
    return true;
  };
  ASSERT_TRUE(run(500)) << "warm-up failed";

  // The counter sees allocations made on the loop thread.
  OnceValue<bool> allocated;
  g_allocations.store(0);
  g_counting.store(true);
  fixture.server().loop(0).post([&allocated] {
    for (int i = 0; i < 3; ++i) delete new int(i);
    allocated.set(true);
  });
  ASSERT_TRUE(allocated.wait());
  g_counting.store(false);
  ASSERT_GE(g_allocations.load(), 3u) << "allocations on the loop thread are not counted";

  g_allocations.store(0);
  g_counting.store(true);
  const bool ok = run(200);
  g_counting.store(false);
  const size_t allocations = g_allocations.load();
  ASSERT_TRUE(ok) << "measured rounds failed";
  EXPECT_EQ(allocations, 0u) << allocations << " allocations in " << 200 * 8 * 18 << " commands";
}

}  // namespace
}  // namespace weft::test
