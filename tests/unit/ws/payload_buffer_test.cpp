// PayloadBuffer: grows without losing what it holds, hands out room for exactly the bytes
// asked for, and gives large storage back when told to.

#include "ws/payload_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace weft::ws::detail {
namespace {

TEST(PayloadBuffer, KeepsItsBytesAcrossGrowth) {
  PayloadBuffer b;
  std::string want;
  for (size_t n = 1; n <= 5000; n = n * 3 + 1) {  // Pieces of 1, 4, 13 ... 3280 bytes.
    const std::string piece(n, static_cast<char>('a' + n % 26));
    std::memcpy(b.grow(n), piece.data(), n);
    want += piece;
    ASSERT_EQ(b.view(), want);
    EXPECT_GE(b.capacity(), b.size());
  }
}

TEST(PayloadBuffer, ClearKeepsStorageAndTrimGivesLargeStorageBack) {
  PayloadBuffer b;
  std::memset(b.grow(1000), 'x', 1000);
  const size_t capacity = b.capacity();
  b.clear();
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), capacity);
  b.clear_and_trim(capacity);  // Not above the bound: kept.
  EXPECT_EQ(b.capacity(), capacity);
  std::memset(b.grow(3), 'y', 3);
  EXPECT_EQ(b.view(), "yyy");
  b.clear_and_trim(capacity - 1);  // Above it: given back.
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_TRUE(b.view().empty());
  std::memcpy(b.grow(2), "ok", 2);
  EXPECT_EQ(b.view(), "ok");
}

}  // namespace
}  // namespace weft::ws::detail
