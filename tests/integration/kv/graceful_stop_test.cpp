// weft-kv stopped by SIGTERM in the middle of a pipeline: every reply it sends is whole and
// in order (a prefix of the replies the pipeline asks for, none lost from the middle, even
// those still coming from another loop), the connection then ends cleanly, and the
// process exits with status 0.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <memory>
#include <string>

#include "external_server.h"
#include "hiredis_client.h"

namespace weft::test {
namespace {

class GracefulStop : public ::testing::TestWithParam<size_t> {};

TEST_P(GracefulStop, RepliesSentAreWholeAndInOrderThenTheConnectionEnds) {
  std::unique_ptr<ExternalServer> server = start_weft_kv(GetParam());
  ASSERT_TRUE(server->ready());
  Context c = connect_unix(server->socket_path());
  ASSERT_TRUE(c);
  constexpr int kCommands = 20000;
  // INCR of one counter numbers the replies; MGET of two keys spans both loops with two.
  for (int i = 0; i < kCommands; ++i) {
    if (i % 2 == 0) {
      redisAppendCommand(c.get(), "INCR counter");
    } else {
      redisAppendCommand(c.get(), "MGET a:%d b:%d", i, i);
    }
  }
  int done = 0;
  while (done == 0) ASSERT_EQ(redisBufferWrite(c.get(), &done), REDIS_OK);
  ASSERT_EQ(kill(server->pid(), SIGTERM), 0);
  int replies = 0;
  for (;; ++replies) {
    Reply r = next_reply(c.get());
    if (!r) break;
    if (replies % 2 == 0) {
      ASSERT_EQ(r->type, REDIS_REPLY_INTEGER) << replies;
      ASSERT_EQ(r->integer, replies / 2 + 1);
    } else {
      ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << replies;
      ASSERT_EQ(r->elements, 2u);
    }
  }
  EXPECT_EQ(c->err, REDIS_ERR_EOF) << c->errstr << " after " << replies << " replies";
  EXPECT_LE(replies, kCommands);
  const std::optional<int> status = server->stop();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

INSTANTIATE_TEST_SUITE_P(Loops, GracefulStop, ::testing::Values(1, 2),
                         [](const auto& p) { return std::to_string(p.param) + "_loops"; });

}  // namespace
}  // namespace weft::test
