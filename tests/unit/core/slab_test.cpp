// Slab: names (slot, generation) stay unique across reuse, released values are reset at
// once, and iteration sees exactly the slots in use.

#include "core/slab.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace weft::detail {
namespace {

TEST(Slab, ReserveFillFindRelease) {
  Slab<std::string> slab;
  uint32_t g1, g2;
  uint32_t a = slab.reserve(g1);
  uint32_t b = slab.reserve(g2);
  EXPECT_NE(a, b);
  EXPECT_EQ(slab.size(), 2u);
  EXPECT_EQ(slab[a], "");
  slab[a] = "first";
  slab[b] = "second";
  ASSERT_NE(slab.find(a, g1), nullptr);
  EXPECT_EQ(*slab.find(a, g1), "first");
  EXPECT_EQ(slab.find(a, g2 + 2), nullptr);  // A generation the slot never had.
  slab.release(a);
  EXPECT_EQ(slab.find(a, g1), nullptr);
  EXPECT_EQ(slab.size(), 1u);
  EXPECT_EQ(*slab.find(b, g2), "second");
}

TEST(Slab, AReusedSlotGetsANewGenerationAndAFreshValue) {
  Slab<std::string> slab;
  uint32_t g1, g2;
  uint32_t s1 = slab.reserve(g1);
  slab[s1] = "old";
  slab.release(s1);
  uint32_t s2 = slab.reserve(g2);
  EXPECT_EQ(s1, s2);  // Last released, first reused.
  EXPECT_NE(g1, g2);
  EXPECT_EQ(slab[s2], "");
  EXPECT_EQ(slab.find(s1, g1), nullptr);
  EXPECT_NE(slab.find(s2, g2), nullptr);
}

TEST(Slab, NamesInUseHaveOddGenerationsSoNoneIsZero) {
  Slab<int> slab;
  std::set<uint64_t> names;
  for (int round = 0; round < 50; ++round) {
    uint32_t g;
    uint32_t s = slab.reserve(g);
    EXPECT_EQ(g % 2, 1u);
    EXPECT_TRUE(names.insert((uint64_t{g} << 32) | s).second);
    slab.release(s);
  }
  EXPECT_EQ(slab.find(0, 0), nullptr);  // A default name matches nothing, even a free slot.
}

TEST(Slab, ReleaseDropsWhatTheValueHeld) {
  Slab<std::shared_ptr<int>> slab;
  auto held = std::make_shared<int>(7);
  uint32_t g;
  uint32_t s = slab.reserve(g);
  slab[s] = held;
  EXPECT_EQ(held.use_count(), 2);
  slab.release(s);
  EXPECT_EQ(held.use_count(), 1);
}

TEST(Slab, ForEachVisitsExactlyTheSlotsInUse) {
  Slab<int> slab;
  std::vector<std::pair<uint32_t, uint32_t>> names;
  for (int i = 0; i < 10; ++i) {
    uint32_t g;
    uint32_t s = slab.reserve(g);
    slab[s] = i;
    names.emplace_back(s, g);
  }
  for (int i = 0; i < 10; i += 2) slab.release(names[i].first);
  std::vector<int> seen;
  slab.for_each([&](uint32_t slot, int& value) {
    EXPECT_EQ(slab.find(slot, names[value].second), &value);
    seen.push_back(value);
  });
  EXPECT_EQ(seen, (std::vector<int>{1, 3, 5, 7, 9}));
  EXPECT_EQ(slab.size(), 5u);
  // Releasing from inside the walk is allowed.
  slab.for_each([&](uint32_t slot, int&) { slab.release(slot); });
  EXPECT_TRUE(slab.empty());
}

}  // namespace
}  // namespace weft::detail
