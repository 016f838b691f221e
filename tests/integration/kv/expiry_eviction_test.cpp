// Time-driven removal of keys in weft-kv: active expiry (keys with a TTL disappear without
// being read, as in redis-server, which runs the same test) and --maxmemory (allkeys-lru
// keeps the data within the limit and evicts the least recently used keys first;
// noeviction refuses writes with Redis's OOM error and accepts them again once memory is
// freed), with one loop and with two.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
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

// A numeric field of INFO ("used_memory"); -1 when absent.
long long info_field(redisContext* c, const std::string& field) {
  Reply r = run(c, {"INFO", "all"});
  if (!r || r->type != REDIS_REPLY_STRING) return -1;
  const std::string text(r->str, r->len);
  const size_t at = text.find("\r\n" + field + ":");
  if (at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + field.size() + 3, nullptr, 10);
}

// Sends `commands` as one pipeline; returns how many replies were errors, and the last
// error's text.
struct PipelineResult {
  int errors = 0;
  std::string last_error;
  bool ok = true;
};
PipelineResult pipeline(redisContext* c, const std::vector<std::vector<std::string>>& commands) {
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    redisAppendCommandArgv(c, static_cast<int>(args.size()), argv.data(), lengths.data());
  }
  PipelineResult result;
  for (size_t i = 0; i < commands.size(); ++i) {
    Reply r = next_reply(c);
    if (!r) {
      result.ok = false;
      return result;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      ++result.errors;
      result.last_error.assign(r->str, r->len);
    }
  }
  return result;
}

struct Target {
  const char* name;
  size_t loops;  // 0: redis-server.
};

class ActiveExpiry : public ::testing::TestWithParam<Target> {};

TEST_P(ActiveExpiry, KeysWithATtlGoWithoutBeingRead) {
  const Target target = GetParam();
  std::unique_ptr<ExternalServer> server = target.loops == 0 ? start_redis() : start_weft_kv(target.loops);
  if (server == nullptr) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_TRUE(server->ready());
  Context c = connect_unix(server->socket_path());
  ASSERT_TRUE(c);
  constexpr int kExpiring = 2000;
  constexpr int kKept = 10;
  std::vector<std::vector<std::string>> writes;
  for (int i = 0; i < kExpiring; ++i) writes.push_back({"SET", name("gone:", i), "v", "PX", "100"});
  for (int i = 0; i < kKept; ++i) writes.push_back({"SET", name("kept:", i), "v"});
  const PipelineResult w = pipeline(c.get(), writes);
  ASSERT_TRUE(w.ok);
  ASSERT_EQ(w.errors, 0) << w.last_error;
  // DBSIZE counts expired keys until something removes them; only the active cycle (ten
  // times a second) can here. Polled, since nothing announces it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  long long size = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply r = run(c.get(), {"DBSIZE"});
    ASSERT_TRUE(r);
    size = r->integer;
    if (size == kKept) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(size, kKept) << target.name;
  EXPECT_EQ(info_field(c.get(), "expired_keys"), kExpiring);
  Reply keyspace = run(c.get(), {"INFO", "keyspace"});
  ASSERT_TRUE(keyspace);
  EXPECT_NE(std::string(keyspace->str, keyspace->len).find("db0:keys=10,expires=0,"), std::string::npos)
      << keyspace->str;
}

INSTANTIATE_TEST_SUITE_P(Servers, ActiveExpiry,
                         ::testing::Values(Target{"weft_kv_1_loop", 1}, Target{"weft_kv_2_loops", 2},
                                           Target{"redis_server", 0}),
                         [](const auto& p) { return std::string(p.param.name); });

class Eviction : public ::testing::TestWithParam<size_t> {};

TEST_P(Eviction, AllkeysLruStaysWithinTheLimitAndKeepsRecentKeys) {
  constexpr long long kMax = 4 * 1024 * 1024;
  std::unique_ptr<ExternalServer> server =
      start_weft_kv(GetParam(), {"--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"});
  ASSERT_TRUE(server->ready());
  Context c = connect_unix(server->socket_path());
  ASSERT_TRUE(c);
  const std::string value(1000, 'v');
  std::vector<std::vector<std::string>> cold, hot, touch, fresh;
  for (int i = 0; i < 3000; ++i) cold.push_back({"SET", name("cold:", i), value});
  for (int i = 0; i < 300; ++i) hot.push_back({"SET", name("hot:", i), value});
  for (int i = 0; i < 300; ++i) touch.push_back({"GET", name("hot:", i)});
  for (int i = 0; i < 1500; ++i) fresh.push_back({"SET", name("new:", i), value});
  PipelineResult r = pipeline(c.get(), cold);
  ASSERT_TRUE(r.ok && r.errors == 0) << r.last_error;
  ASSERT_TRUE(pipeline(c.get(), hot).ok);
  // The LRU clock counts seconds, as Redis's does: let one pass so the cold keys are older.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(pipeline(c.get(), touch).ok);
  r = pipeline(c.get(), fresh);
  ASSERT_TRUE(r.ok && r.errors == 0) << r.last_error;

  // Eviction runs before each write, as in Redis, so the last write of each loop may
  // overshoot by its own size.
  EXPECT_LE(info_field(c.get(), "used_memory"), kMax + static_cast<long long>(GetParam()) * 2048);
  EXPECT_GT(info_field(c.get(), "evicted_keys"), 0);
  Reply size = run(c.get(), {"DBSIZE"});
  EXPECT_LT(size->integer, 4800);
  EXPECT_GT(size->integer, 3000);  // Evicted as needed, not wholesale.
  int hot_kept = 0, new_kept = 0;
  for (int i = 0; i < 300; ++i) hot_kept += static_cast<int>(run(c.get(), {"EXISTS", name("hot:", i)})->integer);
  for (int i = 0; i < 1500; ++i) new_kept += static_cast<int>(run(c.get(), {"EXISTS", name("new:", i)})->integer);
  // Sampling five keys per eviction almost always finds a cold one while a fifth of the
  // keys are cold; a few recent keys may still go, as in Redis.
  EXPECT_GE(hot_kept, 270);
  EXPECT_GE(new_kept, 1350);
}

TEST_P(Eviction, NoevictionRefusesWritesWithOomUntilMemoryIsFreed) {
  std::unique_ptr<ExternalServer> server =
      start_weft_kv(GetParam(), {"--maxmemory", "1mb", "--maxmemory-policy", "noeviction"});
  ASSERT_TRUE(server->ready());
  Context c = connect_unix(server->socket_path());
  ASSERT_TRUE(c);
  const std::string value(1000, 'v');
  // One at a time: with two loops the other loop's usage is published after each batch.
  int stored = 0;
  std::string error;
  for (int i = 0; i < 5000 && error.empty(); ++i) {
    Reply r = run(c.get(), {"SET", name("k:", i), value});
    ASSERT_TRUE(r);
    if (r->type == REDIS_REPLY_ERROR) {
      error.assign(r->str, r->len);
    } else {
      ++stored;
    }
  }
  EXPECT_EQ(error, "OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_GT(stored, 500);
  EXPECT_LT(stored, 1100);
  // Reads, deletes and writes that cannot grow (denyoom is per command, as in Redis) still run.
  Reply got = run(c.get(), {"GET", "k:0"});
  ASSERT_EQ(got->type, REDIS_REPLY_STRING);
  EXPECT_EQ(got->len, value.size());
  EXPECT_EQ(run(c.get(), {"RPUSH", "list", "a"})->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(run(c.get(), {"DEL", "k:0"})->integer, 1);
  EXPECT_EQ(run(c.get(), {"FLUSHALL"})->type, REDIS_REPLY_STATUS);
  Reply after = run(c.get(), {"SET", "k:0", value});
  ASSERT_EQ(after->type, REDIS_REPLY_STATUS) << after->str;
}

INSTANTIATE_TEST_SUITE_P(Loops, Eviction, ::testing::Values(1, 2),
                         [](const auto& p) { return std::to_string(p.param) + "_loops"; });

}  // namespace
}  // namespace weft::test
