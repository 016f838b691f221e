// Pub/sub on the wire: Redis's replies for (P)SUBSCRIBE and (P)UNSUBSCRIBE, the commands
// a RESP2 subscriber may send, messages as RESP3 pushes, and a subscriber that never reads
// disconnected by the output limit instead of filling the server's memory.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "external_server.h"
#include "loopback_client.h"

namespace weft::test {
namespace {

std::string command(const std::vector<std::string>& args) {
  std::string out = "*";
  out += std::to_string(args.size());
  out += "\r\n";
  for (const std::string& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

std::string exchange(LoopbackClient& c, const std::string& input, size_t reply_size) {
  EXPECT_TRUE(c.send_all(input).ok());
  std::string got;
  EXPECT_TRUE(c.read_exact(got, reply_size).ok()) << "got " << got.size() << " bytes: " << got;
  return got;
}

class KvPubSub : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    server_ = start_weft_kv(GetParam(), {"--client-output-limit", "1mb"});
    ASSERT_TRUE(server_->ready());
  }
  std::unique_ptr<ExternalServer> server_;
};

TEST_P(KvPubSub, SubscribeRepliesAndTheSubscribedContext) {
  LoopbackClient sub(server_->address());
  // Checked against redis-server 7.0.
  std::string expected =
      "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
      "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
      "*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:3\r\n"
      "*2\r\n$4\r\npong\r\n$0\r\n\r\n"
      "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n"
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
      "context\r\n"
      "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n"
      "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n"
      "*3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:0\r\n"
      "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
      "$5\r\nafter\r\n";
  EXPECT_EQ(exchange(sub,
                     command({"SUBSCRIBE", "a", "b"}) + command({"PSUBSCRIBE", "c*"}) + command({"PING"}) +
                         command({"PING", "hi"}) + command({"GET", "k"}) + command({"UNSUBSCRIBE"}) +
                         command({"PUNSUBSCRIBE"}) + command({"UNSUBSCRIBE"}) + command({"ECHO", "after"}),
                     expected.size()),
            expected);
}

TEST_P(KvPubSub, MessagesInRespTwoAndAsRespThreePushes) {
  LoopbackClient sub2(server_->address());
  LoopbackClient sub3(server_->address());
  LoopbackClient pub(server_->address());
  const std::string s2 = "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$2\r\nc?\r\n:2\r\n";
  EXPECT_EQ(exchange(sub2, command({"SUBSCRIBE", "ch"}) + command({"PSUBSCRIBE", "c?"}), s2.size()), s2);
  ASSERT_TRUE(sub3.send_all(command({"HELLO", "3"})).ok());
  // HELLO's map ends with the modules entry.
  std::string all;
  while (all.find("$7\r\nmodules\r\n*0\r\n") == std::string::npos) {
    char ch;
    ASSERT_TRUE(sub3.read_exact(&ch, 1).ok());
    all += ch;
  }
  const std::string s3 = ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n";
  EXPECT_EQ(exchange(sub3, command({"SUBSCRIBE", "ch"}), s3.size()), s3);
  EXPECT_EQ(exchange(pub, command({"PUBLISH", "ch", "hi"}), 4), ":3\r\n");
  const std::string m2 =
      "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n*4\r\n$8\r\npmessage\r\n$2\r\nc?\r\n$2\r\nch\r\n$2\r\nhi\r\n";
  std::string got;
  ASSERT_TRUE(sub2.read_exact(got, m2.size()).ok());
  EXPECT_EQ(got, m2);
  const std::string m3 = ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n";
  ASSERT_TRUE(sub3.read_exact(got, m3.size()).ok());
  EXPECT_EQ(got, m3);
  // In RESP3 a subscriber may run any command.
  EXPECT_EQ(exchange(sub3, command({"GET", "k"}), 3), "_\r\n");
}

TEST_P(KvPubSub, ASubscriberThatNeverReadsIsDisconnected) {
  ClientOptions small;
  small.receive_buffer = 4096;
  LoopbackClient sub(server_->address(), small);
  const std::string ok = "*3\r\n$9\r\nsubscribe\r\n$4\r\nbulk\r\n:1\r\n";
  EXPECT_EQ(exchange(sub, command({"SUBSCRIBE", "bulk"}), ok.size()), ok);
  LoopbackClient pub(server_->address());
  const std::string message(64 * 1024, 'm');
  // The subscriber reads nothing; its unsent messages pass 1 MiB after a few dozen, plus
  // what the socket buffers hold. Then it is closed and no longer receives.
  int delivered = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string r = exchange(pub, command({"PUBLISH", "bulk", message}), 4);
    if (r == ":0\r\n") break;
    ASSERT_EQ(r, ":1\r\n");
    ++delivered;
  }
  EXPECT_GT(delivered, 8);
  EXPECT_LT(delivered, 2000) << "the subscriber was never disconnected";
  // The subscriber sees what was sent before the limit, then the end.
  std::string rest;
  const IoResult end = sub.read_to_eof(rest);
  EXPECT_NE(end.outcome, Outcome::timeout);
  EXPECT_GT(rest.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Loops, KvPubSub, ::testing::Values(1, 2),
                         [](const auto& param_info) { return std::to_string(param_info.param) + "_loops"; });

}  // namespace
}  // namespace weft::test
