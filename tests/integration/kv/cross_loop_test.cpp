// weft-kv with two loops: keys owned by both, connections on both (accepted round-robin),
// and the commands that must gather or move data between them: reads and writes through a
// connection on the other loop, MGET/MSET/DEL/EXISTS, MSETNX, RENAME, SINTER/SUNION/SDIFF,
// KEYS/SCAN/DBSIZE/FLUSHALL, CLIENT LIST, and PUBLISH to subscribers on both loops.
// Sixty-four keys spread over two loops leave none of them empty (the chance is 2^-63).

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "external_server.h"
#include "hiredis_client.h"

namespace weft::test {
namespace {

// prefix + i (GCC 12 warns, wrongly, about "literal" + std::string).
std::string name(const char* prefix, int i) {
  std::string k = prefix;
  k += std::to_string(i);
  return k;
}
std::string key(int i) {
  return name("key:", i);
}

class CrossLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = start_weft_kv(2);
    ASSERT_TRUE(server_->ready());
    a_ = connect();
    b_ = connect();
    ASSERT_TRUE(a_ && b_);
  }

  Context connect() { return connect_unix(server_->socket_path()); }

  static std::vector<std::string> strings(const redisReply* r) {
    std::vector<std::string> out;
    for (size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str, r->element[i]->len);
    return out;
  }

  std::unique_ptr<ExternalServer> server_;
  Context a_;
  Context b_;
};

TEST_F(CrossLoop, ConnectionsOnBothLoopsSeeTheSameKeys) {
  // The two connections are on different loops (round-robin); CLIENT LIST sees both.
  const long long id_a = run(a_.get(), {"CLIENT", "ID"})->integer;
  const long long id_b = run(b_.get(), {"CLIENT", "ID"})->integer;
  Reply list = run(a_.get(), {"CLIENT", "LIST"});
  ASSERT_TRUE(list);
  const std::string text(list->str, list->len);
  EXPECT_NE(text.find("id=" + std::to_string(id_a) + " "), std::string::npos) << text;
  EXPECT_NE(text.find("id=" + std::to_string(id_b) + " "), std::string::npos) << text;
  for (int i = 0; i < 64; ++i) ASSERT_STREQ(run(a_.get(), {"SET", key(i), std::to_string(i)})->str, "OK");
  for (int i = 0; i < 64; ++i) {
    Reply r = run(b_.get(), {"GET", key(i)});
    ASSERT_EQ(std::string(r->str, r->len), std::to_string(i));
  }
  EXPECT_EQ(run(b_.get(), {"DBSIZE"})->integer, 64);
}

TEST_F(CrossLoop, MultiKeyCommandsGatherFromBothLoops) {
  std::vector<std::string> mset = {"MSET"};
  std::vector<std::string> mget = {"MGET"};
  for (int i = 0; i < 64; ++i) {
    mset.push_back(key(i));
    mset.push_back(std::to_string(i * 10));
    mget.push_back(key(i));
    if (i % 8 == 0) mget.push_back(name("missing:", i));
  }
  ASSERT_STREQ(run(a_.get(), mset)->str, "OK");
  Reply values = run(b_.get(), mget);
  ASSERT_EQ(values->elements, mget.size() - 1);
  size_t at = 0;
  for (int i = 0; i < 64; ++i) {
    ASSERT_EQ(std::string(values->element[at]->str, values->element[at]->len), std::to_string(i * 10));
    ++at;
    if (i % 8 == 0) {
      ASSERT_EQ(values->element[at++]->type, REDIS_REPLY_NIL);
    }
  }
  std::vector<std::string> exists = {"EXISTS", key(1), key(1), "nope", key(63)};
  EXPECT_EQ(run(a_.get(), exists)->integer, 3);
  std::vector<std::string> del = {"DEL"};
  for (int i = 0; i < 32; ++i) del.push_back(key(i));
  del.push_back("nope");
  EXPECT_EQ(run(a_.get(), del)->integer, 32);
  EXPECT_EQ(run(b_.get(), {"DBSIZE"})->integer, 32);

  Reply keys = run(a_.get(), {"KEYS", "key:*"});
  std::set<std::string> got;
  for (const std::string& k : strings(keys.get())) got.insert(k);
  EXPECT_EQ(got.size(), 32u);
  // A full SCAN visits both loops and returns every key.
  std::set<std::string> scanned;
  std::string cursor = "0";
  int steps = 0;
  do {
    Reply r = run(b_.get(), {"SCAN", cursor, "COUNT", "5"});
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (const std::string& k : strings(r->element[1])) scanned.insert(k);
    ++steps;
  } while (cursor != "0" && steps < 1000);
  EXPECT_EQ(scanned, got);

  // MSETNX: nothing is set when one key exists, everything otherwise.
  std::vector<std::string> msetnx = {"MSETNX"};
  for (int i = 100; i < 140; ++i) {
    msetnx.push_back(key(i));
    msetnx.push_back("x");
  }
  EXPECT_EQ(run(a_.get(), msetnx)->integer, 1);
  msetnx.push_back(key(40));  // Exists.
  msetnx.push_back("y");
  EXPECT_EQ(run(b_.get(), msetnx)->integer, 0);
  EXPECT_EQ(run(b_.get(), {"DBSIZE"})->integer, 72);
  EXPECT_STREQ(run(a_.get(), {"FLUSHALL"})->str, "OK");
  EXPECT_EQ(run(b_.get(), {"DBSIZE"})->integer, 0);
}

TEST_F(CrossLoop, RenameMovesKeysBetweenLoops) {
  for (int i = 0; i < 64; ++i) {
    ASSERT_STREQ(run(a_.get(), {"SET", key(i), std::to_string(i), "EX", "1000"})->str, "OK");
    ASSERT_EQ(run(a_.get(), {"RPUSH", name("list:", i), "a", "b"})->integer, 2);
  }
  for (int i = 0; i < 64; ++i) {
    ASSERT_STREQ(run(b_.get(), {"RENAME", key(i), name("renamed:", i)})->str, "OK");
    ASSERT_STREQ(run(a_.get(), {"RENAME", name("list:", i), name("moved:", i)})->str, "OK");
  }
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(run(a_.get(), {"EXISTS", key(i), name("list:", i)})->integer, 0);
    Reply v = run(a_.get(), {"GET", name("renamed:", i)});
    EXPECT_EQ(std::string(v->str, v->len), std::to_string(i));
    EXPECT_GT(run(b_.get(), {"TTL", name("renamed:", i)})->integer, 990);
    EXPECT_EQ(strings(run(b_.get(), {"LRANGE", name("moved:", i), "0", "-1"}).get()),
              (std::vector<std::string>{"a", "b"}));
  }
  EXPECT_STREQ(run(a_.get(), {"RENAME", "nothing", "x"})->str, "ERR no such key");
  // RENAMENX onto existing keys leaves both where they were.
  for (int i = 0; i < 63; ++i) {
    EXPECT_EQ(run(b_.get(), {"RENAMENX", name("renamed:", i), name("renamed:", i + 1)})->integer, 0);
  }
  EXPECT_EQ(run(a_.get(), {"DBSIZE"})->integer, 128);
  EXPECT_EQ(run(a_.get(), {"RENAMENX", "renamed:0", "fresh"})->integer, 1);
  EXPECT_EQ(run(a_.get(), {"EXISTS", "renamed:0", "fresh"})->integer, 1);
}

TEST_F(CrossLoop, SetAlgebraAcrossLoops) {
  for (int i = 0; i < 16; ++i) {
    const std::string s = name("set:", i);
    ASSERT_EQ(run(a_.get(), {"SADD", s, "common", name("only", i)})->integer, 2);
  }
  std::vector<std::string> inter = {"SINTER"}, uni = {"SUNION"}, diff = {"SDIFF"};
  for (int i = 0; i < 16; ++i) {
    inter.push_back(name("set:", i));
    uni.push_back(name("set:", i));
    diff.push_back(name("set:", i));
  }
  EXPECT_EQ(strings(run(b_.get(), inter).get()), std::vector<std::string>{"common"});
  EXPECT_EQ(run(b_.get(), uni)->elements, 17u);
  EXPECT_EQ(strings(run(b_.get(), diff).get()), std::vector<std::string>{"only0"});
  inter.push_back("missing");
  EXPECT_EQ(run(a_.get(), inter)->elements, 0u);
  ASSERT_STREQ(run(a_.get(), {"SET", "plain", "v"})->str, "OK");
  inter.back() = "plain";
  EXPECT_STREQ(run(a_.get(), inter)->str, "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(CrossLoop, PublishReachesSubscribersOnBothLoops) {
  Context c = connect();
  ASSERT_TRUE(c);
  // a and b listen (on different loops); c publishes.
  Reply sa = run(a_.get(), {"SUBSCRIBE", "news"});
  ASSERT_EQ(sa->elements, 3u);
  Reply sb = run(b_.get(), {"PSUBSCRIBE", "n*"});
  ASSERT_EQ(sb->elements, 3u);
  EXPECT_EQ(run(c.get(), {"PUBLISH", "news", "hello"})->integer, 2);
  EXPECT_EQ(run(c.get(), {"PUBLISH", "nothing-here", "x"})->integer, 1);
  EXPECT_EQ(run(c.get(), {"PUBLISH", "other", "x"})->integer, 0);
  void* raw = nullptr;
  ASSERT_EQ(redisGetReply(a_.get(), &raw), REDIS_OK);
  Reply m(static_cast<redisReply*>(raw));
  EXPECT_EQ(strings(m.get()), (std::vector<std::string>{"message", "news", "hello"}));
  for (const char* channel : {"news", "nothing-here"}) {
    ASSERT_EQ(redisGetReply(b_.get(), &raw), REDIS_OK);
    Reply p(static_cast<redisReply*>(raw));
    EXPECT_EQ(strings(p.get()),
              (std::vector<std::string>{"pmessage", "n*", channel, channel == std::string("news") ? "hello" : "x"}));
  }
  // A subscriber that leaves is no longer counted.
  a_.reset();
  // The server sees the close a moment later: publish until it does (bounded).
  long long receivers = 2;
  for (int tries = 0; tries < 100000 && receivers != 1; ++tries) {
    receivers = run(c.get(), {"PUBLISH", "news", "again"})->integer;
  }
  EXPECT_EQ(receivers, 1);
}

}  // namespace
}  // namespace weft::test
