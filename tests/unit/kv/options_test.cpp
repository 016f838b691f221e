#include "options.h"

#include <gtest/gtest.h>

namespace weft::kv {
namespace {

TEST(Options, MemorySizesInRedisUnits) {
  EXPECT_EQ(parse_memory("0"), 0u);
  EXPECT_EQ(parse_memory("4096"), 4096u);
  EXPECT_EQ(parse_memory("1k"), 1000u);
  EXPECT_EQ(parse_memory("1kb"), 1024u);
  EXPECT_EQ(parse_memory("100mb"), 100u * 1024 * 1024);
  EXPECT_EQ(parse_memory("2GB"), 2ull * 1024 * 1024 * 1024);
  EXPECT_EQ(parse_memory("3m"), 3000000u);
  for (const char* bad : {"", "mb", "10xb", "-1", "1.5mb", "99999999999999999999"})
    EXPECT_FALSE(parse_memory(bad)) << bad;
}

TEST(Options, Policies) {
  EXPECT_EQ(parse_policy("noeviction"), EvictionPolicy::noeviction);
  EXPECT_EQ(parse_policy("ALLKEYS-LRU"), EvictionPolicy::allkeys_lru);
  EXPECT_FALSE(parse_policy("volatile-lru"));
}

}  // namespace
}  // namespace weft::kv
