// ConnTable: slots are reused, and a slot's generation changes each time, so a stale
// (slot, generation) pair never finds the slot's next connection.

#include "net/conn_table.h"

#include <gtest/gtest.h>

#include <set>

#include "weft/core/event_loop.h"

namespace weft::detail {
namespace {

Conn* fake(uintptr_t n) {
  return reinterpret_cast<Conn*>(n * 64);
}

TEST(ConnTable, ReserveFillFindRelease) {
  EventLoop loop;
  ConnTable table(loop);
  EXPECT_EQ(&table.loop(), &loop);
  uint32_t g1 = 0, g2 = 0;
  uint32_t s1 = table.reserve(g1);
  uint32_t s2 = table.reserve(g2);
  EXPECT_NE(s1, s2);
  table.fill(s1, fake(1));
  table.fill(s2, fake(2));
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.find(s1, g1), fake(1));
  EXPECT_EQ(table.find(s2, g2), fake(2));
  EXPECT_EQ(table.find(s1, g1 + 1), nullptr);
  EXPECT_EQ(table.find(99, g1), nullptr);

  table.release(s1);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(s1, g1), nullptr) << "a released slot still answers to its old generation";
}

TEST(ConnTable, ReusedSlotGetsANewGeneration) {
  EventLoop loop;
  ConnTable table(loop);
  uint32_t g1 = 0;
  uint32_t s1 = table.reserve(g1);
  table.fill(s1, fake(1));
  table.release(s1);
  uint32_t g2 = 0;
  uint32_t s2 = table.reserve(g2);
  EXPECT_EQ(s2, s1) << "free slots are reused";
  EXPECT_NE(g2, g1);
  table.fill(s2, fake(2));
  EXPECT_EQ(table.find(s1, g1), nullptr) << "a stale handle reached the slot's next connection";
  EXPECT_EQ(table.find(s2, g2), fake(2));
}

TEST(ConnTable, ForEachVisitsEveryLiveConnection) {
  EventLoop loop;
  ConnTable table(loop);
  std::vector<uint32_t> slots;
  for (uintptr_t i = 1; i <= 10; ++i) {
    uint32_t g;
    uint32_t s = table.reserve(g);
    table.fill(s, fake(i));
    slots.push_back(s);
  }
  table.release(slots[3]);
  table.release(slots[7]);
  std::set<Conn*> seen;
  table.for_each([&](Conn* c) { seen.insert(c); });
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen.count(fake(4)), 0u);
  EXPECT_EQ(seen.count(fake(8)), 0u);
  EXPECT_EQ(table.size(), 8u);
}

}  // namespace
}  // namespace weft::detail
