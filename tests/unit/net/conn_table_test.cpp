// ConnTable: slots are reused, and a slot's generation changes each time it is taken or
// retired, so a stale (slot, generation) pair never finds the slot's next connection.
// Connections are stored in place, so the tests compare storage addresses without
// constructing connections.

#include "net/conn_table.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "weft/core/event_loop.h"

namespace weft::detail {
namespace {

TEST(ConnTable, ReserveFindRetireRelease) {
  EventLoop loop;
  ConnTable table(loop);
  EXPECT_EQ(&table.loop(), &loop);
  uint32_t s1 = 0, g1 = 0, s2 = 0, g2 = 0;
  void* p1 = table.reserve(s1, g1);
  void* p2 = table.reserve(s2, g2);
  EXPECT_NE(s1, s2);
  EXPECT_NE(p1, p2);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(static_cast<void*>(table.find(s1, g1)), p1);
  EXPECT_EQ(static_cast<void*>(table.find(s2, g2)), p2);
  EXPECT_EQ(table.generation(s1), g1);
  EXPECT_EQ(table.find(s1, g1 + 2), nullptr);
  EXPECT_EQ(table.find(99, g1), nullptr);

  table.retire(s1);
  EXPECT_EQ(table.find(s1, g1), nullptr) << "a retired slot still answers to its generation";
  EXPECT_EQ(table.size(), 2u) << "a retired connection counts until it is released";
  table.release(s1);
  EXPECT_EQ(table.size(), 1u);
}

TEST(ConnTable, ReusedSlotGetsANewGenerationAndTheSameStorage) {
  EventLoop loop;
  ConnTable table(loop);
  uint32_t s1 = 0, g1 = 0;
  void* p1 = table.reserve(s1, g1);
  table.retire(s1);
  table.release(s1);
  uint32_t s2 = 0, g2 = 0;
  void* p2 = table.reserve(s2, g2);
  EXPECT_EQ(s2, s1) << "free slots are reused";
  EXPECT_EQ(p2, p1);
  EXPECT_NE(g2, g1);
  EXPECT_EQ(table.find(s1, g1), nullptr) << "a stale handle reached the slot's next connection";
  EXPECT_EQ(static_cast<void*>(table.find(s2, g2)), p2);
}

TEST(ConnTable, StorageStaysPutAsTheTableGrows) {
  EventLoop loop;
  ConnTable table(loop);
  std::vector<std::pair<uint32_t, uint32_t>> ids;
  std::vector<void*> storage;
  for (int i = 0; i < 1000; ++i) {
    uint32_t s = 0, g = 0;
    storage.push_back(table.reserve(s, g));
    ids.emplace_back(s, g);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(static_cast<void*>(table.find(ids[i].first, ids[i].second)), storage[i]) << i;
  }
}

TEST(ConnTable, ForEachVisitsEveryLiveConnection) {
  EventLoop loop;
  ConnTable table(loop);
  std::vector<uint32_t> slots;
  std::vector<void*> storage;
  for (int i = 0; i < 10; ++i) {
    uint32_t s = 0, g = 0;
    storage.push_back(table.reserve(s, g));
    slots.push_back(s);
  }
  table.retire(slots[3]);
  table.release(slots[3]);
  table.retire(slots[7]);
  std::set<void*> seen;
  table.for_each([&](Conn* c) { seen.insert(c); });
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen.count(storage[3]), 0u);
  EXPECT_EQ(seen.count(storage[7]), 0u) << "a retired connection is not visited";
  EXPECT_EQ(table.size(), 9u);
}

}  // namespace
}  // namespace weft::detail
