#include "key_table.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace weft::kv {
namespace {

std::string key(int i) {
  return "key:" + std::to_string(i);
}

class Table {
 public:
  explicit Table(uint64_t seed = 42) : table(seed) {}
  ~Table() {
    table.clear([](Record* r) { Record::free(r); });
  }
  void add(const std::string& k) { table.insert(Record::make(k, Type::string, "v"), table.hash(k)); }
  bool has(const std::string& k) const { return table.find(k, table.hash(k)) != KeyTable::npos; }
  bool remove(const std::string& k) {
    const size_t slot = table.find(k, table.hash(k));
    if (slot == KeyTable::npos) return false;
    Record::free(table.erase(slot));
    return true;
  }
  KeyTable table;
};

TEST(KeyTable, InsertFindEraseThroughGrowthAndShrinking) {
  Table t;
  constexpr int kKeys = 20000;
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_FALSE(t.has(key(i)));
    t.add(key(i));
  }
  EXPECT_EQ(t.table.size(), static_cast<size_t>(kKeys));
  EXPECT_GE(t.table.capacity() * 7, t.table.size() * 8);  // Never more than 7/8 full.
  for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(t.has(key(i))) << i;
  for (int i = 0; i < kKeys; i += 2) ASSERT_TRUE(t.remove(key(i)));
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(t.has(key(i)), i % 2 == 1) << i;
  for (int i = 1; i < kKeys; i += 2) ASSERT_TRUE(t.remove(key(i)));
  EXPECT_EQ(t.table.size(), 0u);
  EXPECT_LE(t.table.capacity(), 64u);  // Shrunk back.
}

// Every key present for the whole scan is returned at least once, even when the table
// grows and shrinks between the steps.
TEST(KeyTable, ScanReturnsEveryStayingKeyAcrossResizes) {
  Table t(7);
  for (int i = 0; i < 3000; ++i) t.add(key(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  std::mt19937 rng(1);
  do {
    cursor = t.table.scan(cursor, 50, [&](const Record* r) { seen.insert(std::string(r->key())); });
    // Churn: keys >= 3000 come and go, pushing the table through resizes.
    if (step % 3 == 0) {
      for (int i = 0; i < 2000; ++i) t.add(key(100000 + step * 10000 + i));
    } else if (step % 3 == 2) {
      for (int i = 0; i < 2000; ++i) t.remove(key(100000 + (step - 2) * 10000 + i));
    }
    ++step;
  } while (cursor != 0);
  for (int i = 0; i < 3000; ++i) EXPECT_TRUE(seen.count(key(i))) << key(i);
  EXPECT_GT(step, 10);
}

TEST(KeyTable, SampleFindsRecords) {
  Table t;
  EXPECT_EQ(t.table.sample(12345), KeyTable::npos);
  t.add("only");
  for (uint64_t r = 0; r < 100; ++r) {
    const size_t slot = t.table.sample(r * 0x9e3779b97f4a7c15ull);
    ASSERT_NE(slot, KeyTable::npos);
    EXPECT_EQ(t.table.at(slot)->key(), "only");
  }
}

TEST(Record, LayoutsAndRewrites) {
  Record* r = Record::make("k", Type::string, "value");
  EXPECT_EQ(r->key(), "k");
  EXPECT_EQ(r->value(), "value");
  EXPECT_FALSE(r->has_expiry());
  r->set_lru(0xabcdef);
  r = Record::with_expiry(r, 12345);
  EXPECT_EQ(r->expire_at(), 12345);
  EXPECT_EQ(r->lru(), 0xabcdefu);
  EXPECT_EQ(r->key(), "k");
  EXPECT_EQ(r->value(), "value");
  r = Record::with_value(r, "other", 999);
  EXPECT_EQ(r->value(), "other");
  EXPECT_EQ(r->expire_at(), 999);
  const std::string big(70000, 'b');
  r = Record::with_value(r, big, Record::kNoExpiry);  // Wide lengths.
  EXPECT_EQ(r->value(), big);
  EXPECT_EQ(r->key(), "k");
  EXPECT_FALSE(r->has_expiry());
  r = Record::with_value(r, "s", 5);  // Back to small, in the same allocation.
  EXPECT_EQ(r->value(), "s");
  EXPECT_EQ(r->key(), "k");
  EXPECT_EQ(r->expire_at(), 5);
  r = Record::renamed(r, "renamed-key");
  EXPECT_EQ(r->key(), "renamed-key");
  EXPECT_EQ(r->value(), "s");
  EXPECT_EQ(r->expire_at(), 5);
  Record::free(r);
}

}  // namespace
}  // namespace weft::kv
