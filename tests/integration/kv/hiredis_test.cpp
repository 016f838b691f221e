// weft-kv through hiredis, Redis's own C client: pipelines of 10,000 commands whose
// replies come back in order, with keys owned by one loop and by two.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "external_server.h"
#include "hiredis_client.h"

namespace weft::test {
namespace {

class Hiredis : public ::testing::TestWithParam<size_t> {};

TEST_P(Hiredis, PipelineOfTenThousandCommands) {
  std::unique_ptr<ExternalServer> server = start_weft_kv(GetParam());
  ASSERT_TRUE(server->ready());
  Context c = connect_unix(server->socket_path());
  ASSERT_TRUE(c);

  constexpr int kCommands = 10000;
  // Four kinds in turn on 500 keys: SET, INCR on a counter, GET of the value just set,
  // and MGET of that key with its neighbour (keys on different loops when there are two).
  for (int i = 0; i < kCommands; ++i) {
    const std::string key = "key:" + std::to_string(i / 4 % 500);
    const std::string counter = "counter:" + std::to_string(i % 7);
    switch (i % 4) {
      case 0: redisAppendCommand(c.get(), "SET %s %d", key.c_str(), i); break;
      case 1: redisAppendCommand(c.get(), "INCR %s", counter.c_str()); break;
      case 2: redisAppendCommand(c.get(), "GET %s", key.c_str()); break;
      default: redisAppendCommand(c.get(), "MGET %s key:%d", key.c_str(), (i / 4 + 1) % 500); break;
    }
  }
  int counters[7] = {};
  int checked = 0;
  for (int i = 0; i < kCommands; ++i) {
    Reply r = next_reply(c.get());
    ASSERT_TRUE(r) << "reply " << i << ": " << c->errstr;
    const int written = i - i % 4;  // The SET of this group of four.
    switch (i % 4) {
      case 0:
        ASSERT_EQ(r->type, REDIS_REPLY_STATUS) << i;
        ASSERT_STREQ(r->str, "OK");
        break;
      case 1:
        ASSERT_EQ(r->type, REDIS_REPLY_INTEGER) << i;
        ASSERT_EQ(r->integer, ++counters[i % 7]) << i;
        break;
      case 2:
        ASSERT_EQ(r->type, REDIS_REPLY_STRING) << i;
        ASSERT_EQ(std::string(r->str, r->len), std::to_string(written)) << i;
        break;
      default:
        ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << i;
        ASSERT_EQ(r->elements, 2u);
        ASSERT_EQ(std::string(r->element[0]->str, r->element[0]->len), std::to_string(written)) << i;
        // The neighbour was set in an earlier round (or not yet, in the first).
        if (i / 4 + 1 < 500) {
          ASSERT_EQ(r->element[1]->type, REDIS_REPLY_NIL) << i;
        } else {
          ASSERT_EQ(r->element[1]->type, REDIS_REPLY_STRING) << i;
        }
        break;
    }
    ++checked;
  }
  EXPECT_EQ(checked, kCommands);
  Reply size(static_cast<redisReply*>(redisCommand(c.get(), "DBSIZE")));
  ASSERT_TRUE(size);
  EXPECT_EQ(size->integer, 507);
}

INSTANTIATE_TEST_SUITE_P(Loops, Hiredis, ::testing::Values(1, 2),
                         [](const auto& param_info) { return std::to_string(param_info.param) + "_loops"; });

}  // namespace
}  // namespace weft::test
