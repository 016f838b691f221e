#include "store.h"

#include <gtest/gtest.h>

#include <string>

namespace weft::kv {
namespace {

std::string name(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

TEST(Store, LazyExpiryAndTheExpiryIndex) {
  Store s(1);
  s.set_now(1000000);
  s.set_string("a", s.hash("a"), Store::npos, "1", 1000500);
  s.set_string("b", s.hash("b"), Store::npos, "2", Record::kNoExpiry);
  s.set_string("c", s.hash("c"), Store::npos, "3", 2000000);
  EXPECT_EQ(s.expiring(), 2u);
  // Overwriting keeps, drops or changes the expiry as asked.
  s.set_string("c", s.hash("c"), s.find("c"), "33", Store::kKeepExpiry);
  EXPECT_EQ(s.at(s.find("c"))->expire_at(), 2000000);
  s.set_string("c", s.hash("c"), s.find("c"), "333", Record::kNoExpiry);
  EXPECT_EQ(s.expiring(), 1u);
  s.set_now(1000499);
  EXPECT_NE(s.find("a"), Store::npos);
  s.set_now(1000500);
  EXPECT_EQ(s.find("a"), Store::npos);  // Deleted on the way.
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.expiring(), 0u);
  EXPECT_EQ(s.expired_keys(), 1u);
}

TEST(Store, ActiveExpiryRemovesExpiredKeysWithoutLookups) {
  Store s(2);
  s.set_now(0);
  for (int i = 0; i < 5000; ++i) {
    const std::string k = name("k", i);
    s.set_string(k, s.hash(k), Store::npos, "v", i < 4000 ? 100 : 1000000);
  }
  s.set_now(200);
  size_t removed = 0;
  for (int cycle = 0; cycle < 1000 && s.size() > 1000; ++cycle) removed += s.expire_cycle(25000);
  EXPECT_EQ(s.size(), 1000u);
  EXPECT_EQ(removed, 4000u);
  EXPECT_EQ(s.expiring(), 1000u);
}

TEST(Store, EvictionPrefersTheLeastRecentlyUsed) {
  Store s(3);
  s.set_now(0);
  for (int i = 0; i < 100; ++i) {
    const std::string k = name("old", i);
    s.set_string(k, s.hash(k), Store::npos, "v", Record::kNoExpiry);
  }
  s.set_now(100 * 1000);  // 100 s later: these are newer.
  for (int i = 0; i < 100; ++i) {
    const std::string k = name("new", i);
    s.set_string(k, s.hash(k), Store::npos, "v", Record::kNoExpiry);
  }
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(s.evict_one(16));
  int old_left = 0;
  for (int i = 0; i < 100; ++i) old_left += s.find(name("old", i)) != Store::npos ? 1 : 0;
  int new_left = 0;
  for (int i = 0; i < 100; ++i) new_left += s.find(name("new", i)) != Store::npos ? 1 : 0;
  EXPECT_EQ(old_left + new_left, 140);
  EXPECT_LE(old_left, 45);  // Nearly every eviction took an old key.
  EXPECT_EQ(new_left, 100);
}

TEST(Store, MemoryFollowsTheData) {
  Store s(4);
  const size_t empty = s.memory();
  for (int i = 0; i < 1000; ++i) {
    const std::string k = name("k", i);
    s.set_string(k, s.hash(k), Store::npos, std::string(100, 'x'), Record::kNoExpiry);
  }
  const size_t full = s.memory();
  EXPECT_GT(full, empty + 1000 * 100);
  EXPECT_LT(full, empty + 1000 * 200);
  s.clear();
  EXPECT_LE(s.memory(), empty);
}

}  // namespace
}  // namespace weft::kv
