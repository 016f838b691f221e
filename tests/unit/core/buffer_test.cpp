#include "weft/core/buffer.h"

#include <gtest/gtest.h>
#include <sys/uio.h>

#include <string>

namespace weft {
namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

TEST(BlockPool, ReusesReleasedBlocksUpToItsBound) {
  BlockPool pool(64, 2);
  Block* a = pool.acquire();
  Block* b = pool.acquire();
  Block* c = pool.acquire();
  EXPECT_EQ(pool.blocks_in_use(), 3u);
  pool.release(a);
  pool.release(b);
  pool.release(c);  // Over the bound of two: freed.
  EXPECT_EQ(pool.free_blocks(), 2u);
  Block* d = pool.acquire();
  EXPECT_TRUE(d == a || d == b);
  EXPECT_EQ(d->readable(), 0u);
  EXPECT_EQ(d->capacity, 64u);
  pool.release(d);
}

TEST(BlockPool, RejectsZeroBlockSize) { EXPECT_THROW(BlockPool(0), std::invalid_argument); }

TEST(Buffer, AppendSpansBlocksAndReadsBackInOrder) {
  BlockPool pool(16);
  Buffer buf(pool);
  std::string data = pattern(100);
  buf.append(data);
  EXPECT_EQ(buf.size(), 100u);
  EXPECT_EQ(buf.block_count(), 7u);  // ceil(100 / 16)
  EXPECT_EQ(buf.to_string(), data);
  EXPECT_EQ(buf.front(), data.substr(0, 16));
}

TEST(Buffer, ConsumeReleasesBlocksAndEmptyBufferHoldsNone) {
  BlockPool pool(16);
  Buffer buf(pool);
  buf.append(pattern(40));
  buf.consume(20);
  EXPECT_EQ(buf.size(), 20u);
  EXPECT_EQ(buf.to_string(), pattern(40).substr(20));
  EXPECT_EQ(pool.blocks_in_use(), 2u);
  buf.consume(20);
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(pool.blocks_in_use(), 0u);
  buf.consume(5);  // Consuming from an empty buffer is harmless.
  EXPECT_TRUE(buf.empty());
}

TEST(Buffer, CopyToHandlesEveryOffset) {
  BlockPool pool(8);
  Buffer buf(pool);
  std::string data = pattern(50);
  buf.append(data);
  for (size_t off = 0; off <= 50; ++off) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{9}, size_t{50}}) {
      std::string out(n, '\0');
      size_t got = buf.copy_to(off, n, out.data());
      size_t want = std::min(n, 50 - off);
      ASSERT_EQ(got, want) << off << " " << n;
      EXPECT_EQ(out.substr(0, got), data.substr(off, want));
    }
  }
}

TEST(Buffer, PrepareAndCommitReadIntoTail) {
  BlockPool pool(16);
  Buffer buf(pool);
  buf.append("abc");
  std::span<char> tail = buf.tail_space();
  ASSERT_EQ(tail.size(), 13u);
  tail[0] = 'd';
  buf.commit(1);
  EXPECT_EQ(buf.to_string(), "abcd");
  Buffer empty(pool);
  EXPECT_TRUE(empty.tail_space().empty());
  std::span<char> fresh = empty.prepare();
  EXPECT_EQ(fresh.size(), 16u);
}

TEST(Buffer, IovecAndSegmentsCoverTheBytes) {
  BlockPool pool(10);
  Buffer buf(pool);
  std::string data = pattern(35);
  buf.append(data);
  buf.consume(3);
  iovec iov[8];
  int n = buf.fill_iovec(iov, 8);
  ASSERT_EQ(n, 4);
  std::string joined;
  for (int i = 0; i < n; ++i) joined.append(static_cast<char*>(iov[i].iov_base), iov[i].iov_len);
  EXPECT_EQ(joined, data.substr(3));
  EXPECT_EQ(buf.fill_iovec(iov, 2), 2);
  std::vector<std::string_view> segs;
  buf.segments(segs);
  EXPECT_EQ(segs.size(), 4u);
  EXPECT_EQ(segs[0], data.substr(3, 7));
}

TEST(Buffer, MoveTransfersBlocks) {
  BlockPool pool(16);
  Buffer a(pool);
  a.append(pattern(40));
  Buffer b(std::move(a));
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(b.size(), 40u);
  Buffer c(pool);
  c.append("x");
  c = std::move(b);
  EXPECT_EQ(c.to_string(), pattern(40));
  EXPECT_EQ(pool.blocks_in_use(), 3u);
}

}  // namespace
}  // namespace weft
