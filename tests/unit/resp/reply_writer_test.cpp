#include "weft/resp/reply_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "weft/core/block_pool.h"
#include "weft/core/buffer.h"

namespace weft::resp {
namespace {

using namespace std::string_literals;

// Runs `write` into a string and into Buffers of several block sizes (so the writer's
// direct fill meets block ends everywhere); all must agree. Returns the bytes.
std::string encode(Protocol protocol, const std::function<void(ReplyWriter&)>& write) {
  std::string s;
  {
    ReplyWriter w(s, protocol);
    write(w);
  }
  for (size_t block : {1u, 3u, 7u, 64u, 16384u}) {
    BlockPool pool(block);
    Buffer b(pool);
    b.append("prefix");
    {
      ReplyWriter w(b, protocol);
      write(w);
      w.commit();
      write(w);
    }
    EXPECT_EQ(b.to_string(), "prefix" + s + s) << "block size " << block;
  }
  return s;
}

std::string resp2(const std::function<void(ReplyWriter&)>& write) {
  return encode(Protocol::resp2, write);
}
std::string resp3(const std::function<void(ReplyWriter&)>& write) {
  return encode(Protocol::resp3, write);
}

TEST(ReplyWriter, SimpleTypes) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.ok(); }), "+OK\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.status("PONG"); }), "+PONG\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("ERR unknown command"); }), "-ERR unknown command\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.integer(0); }), ":0\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.integer(-42); }), ":-42\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.integer(std::numeric_limits<int64_t>::min()); }), ":-9223372036854775808\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.integer(std::numeric_limits<int64_t>::max()); }), ":9223372036854775807\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.bulk("hello"); }), "$5\r\nhello\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.bulk(""); }), "$0\r\n\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.bulk("a\r\n\0b"s); }), "$5\r\na\r\n\0b\r\n"s);
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.bulk(int64_t{-17}); }), "$3\r\n-17\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.raw(":1\r\n"); }), ":1\r\n");
}

TEST(ReplyWriter, BulkLengthsAroundTheShortForm) {
  // Short strings (under 100 bytes) are written in one pass when the block has room, others
  // piece by piece: every length gives the same bytes either way.
  for (size_t n : {0u, 1u, 9u, 10u, 11u, 99u, 100u, 101u, 1000u}) {
    const std::string value(n, 'v');
    EXPECT_EQ(resp2([&](ReplyWriter& w) { w.bulk(value); }), "$" + std::to_string(n) + "\r\n" + value + "\r\n");
  }
}

TEST(ReplyWriter, ErrorsStayOnOneLine) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("ERR bad\r\nthing\n"); }), "-ERR bad  thing \r\n");
}

TEST(ReplyWriter, AggregatesAndNullsByProtocol) {
  auto all = [](ReplyWriter& w) {
    w.array(2);
    w.null();
    w.null_array();
    w.map(1);
    w.set(3);
    w.push(2);
    w.boolean(true);
    w.boolean(false);
  };
  EXPECT_EQ(resp2(all), "*2\r\n$-1\r\n*-1\r\n*2\r\n*3\r\n*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(resp3(all), "*2\r\n_\r\n_\r\n%1\r\n~3\r\n>2\r\n#t\r\n#f\r\n");
}

TEST(ReplyWriter, DoublesAsRedis7FormatsThem) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(1.5); }), "$3\r\n1.5\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(0.1); }), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(INFINITY); }), "$3\r\ninf\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(-INFINITY); }), "$4\r\n-inf\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(3); }), ",3\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(-INFINITY); }), ",-inf\r\n");
}

TEST(ReplyWriter, Verbatim) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.verbatim("# Server\r\n"); }), "$10\r\n# Server\r\n\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.verbatim("# Server\r\n"); }), "=14\r\ntxt:# Server\r\n\r\n");
}

TEST(ReplyWriter, LargeBulkAcrossBlocks) {
  std::string big(100000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(resp2([&](ReplyWriter& w) { w.bulk(big); }), "$100000\r\n" + big + "\r\n");
}

TEST(ReplyWriter, ARequestIsAnArrayOfBulkStrings) {
  EXPECT_EQ(resp2([](ReplyWriter& w) {
              w.array(2);
              w.bulk("GET");
              w.bulk("k");
            }),
            "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
}

TEST(ReplyWriter, SmallRepliesAreVisibleAfterCommit) {
  BlockPool pool(64);
  Buffer b(pool);
  ReplyWriter w(b, Protocol::resp2);
  w.ok();
  EXPECT_EQ(b.size(), 0u);
  w.commit();
  EXPECT_EQ(b.to_string(), "+OK\r\n");
  w.commit();
  EXPECT_EQ(b.size(), 5u);
  w.integer(7);
  w.set_protocol(Protocol::resp3);
  w.null();
  w.commit();
  EXPECT_EQ(b.to_string(), "+OK\r\n:7\r\n_\r\n");
}

}  // namespace
}  // namespace weft::resp
