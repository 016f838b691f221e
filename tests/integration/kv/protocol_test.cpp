// weft-kv on the wire: protocol errors answered in Redis's words and followed by a close,
// pipelined and inline requests, QUIT, authentication, and values larger than a read.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "external_server.h"
#include "loopback_client.h"

namespace weft::test {
namespace {

using namespace std::string_literals;

// Joins its parts (GCC 12 warns, wrongly, about "literal" + std::string).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

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

class KvProtocol : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    server_ = start_weft_kv(GetParam());
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->ready());
  }
  LoopbackClient connect() { return LoopbackClient(server_->address()); }

  // Sends input (whole, or one byte per send) and returns everything until the server
  // closes; fails if it does not close.
  std::string until_closed(const std::string& input, bool bytewise) {
    LoopbackClient c = connect();
    EXPECT_TRUE(c.connected());
    if (bytewise) {
      for (char ch : input) {
        if (!c.send_all(std::string_view(&ch, 1)).ok()) break;  // Closed part way: fine.
      }
    } else {
      EXPECT_TRUE(c.send_all(input).ok());
    }
    std::string out;
    const IoResult r = c.read_to_eof(out);
    EXPECT_EQ(r.outcome, Outcome::eof) << "the server did not close: " << r.describe();
    return out;
  }

  std::unique_ptr<ExternalServer> server_;
};

TEST_P(KvProtocol, ProtocolErrorsAreAnsweredThenTheConnectionCloses) {
  struct Case {
    std::string input;
    std::string reply;
  };
  const Case cases[] = {
      {"*1\r\n:5\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
      {"*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n"},
      {"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"set a \"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
      {"*1\r\n$4\r\nPINGx", "-ERR Protocol error: expected CRLF after bulk string\r\n"},
      {cat("GET ", std::string(70000, 'k')), "-ERR Protocol error: too big inline request\r\n"},
      {cat("*", std::string(70000, '1')), "-ERR Protocol error: too big mbulk count string\r\n"},
      // Requests before the bad one are answered first, in order.
      {command({"PING"}) + "PING\r\n*x\r\n" + command({"PING"}),
       "+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input.substr(0, 40));
    EXPECT_EQ(until_closed(c.input, false), c.reply);
    // Byte by byte only where the error comes with the last byte: bytes sent after the
    // server closed would make the kernel answer them with a reset.
    if (c.input.size() < 100 && c.reply.find("PONG") == std::string::npos) {
      EXPECT_EQ(until_closed(c.input, true), c.reply);
    }
  }
}

TEST_P(KvProtocol, QuitRepliesThenCloses) {
  EXPECT_EQ(until_closed(command({"SET", "q", "1"}) + command({"QUIT"}) + command({"GET", "q"}), false),
            "+OK\r\n+OK\r\n");
  EXPECT_EQ(until_closed("QUIT\r\n", true), "+OK\r\n");
}

TEST_P(KvProtocol, AnHttpRequestIsDroppedSilently) {
  EXPECT_EQ(until_closed("POST / HTTP/1.1\r\nHost: x\r\n\r\n", false), "");
}

TEST_P(KvProtocol, PipelinedRequestsAreAnsweredInOrder) {
  LoopbackClient c = connect();
  std::string input;
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    const std::string key = cat("key:", std::to_string(i / 4 % 37));
    switch (i % 4) {
      case 0:
        input += command({"SET", key, std::to_string(i)});
        expected += "+OK\r\n";
        break;
      case 1:
        input += command({"GET", key});
        expected += cat("$", std::to_string(std::to_string(i - 1).size()), "\r\n", std::to_string(i - 1), "\r\n");
        break;
      case 2:
        input += cat("ECHO ", std::to_string(i), "\r\n");  // Inline, between multibulks.
        expected += cat("$", std::to_string(std::to_string(i).size()), "\r\n", std::to_string(i), "\r\n");
        break;
      default: input += command({"DEL", key}); expected += ":1\r\n";
    }
  }
  BackgroundSend send(c, input);
  std::string got;
  EXPECT_TRUE(c.read_exact(got, expected.size()).ok());
  EXPECT_TRUE(send.wait().ok());
  const auto diff = std::mismatch(got.begin(), got.end(), expected.begin(), expected.end());
  EXPECT_TRUE(got == expected) << "replies differ from byte " << (diff.first - got.begin()) << ": "
                               << got.substr(static_cast<size_t>(diff.first - got.begin()), 40);
}

TEST_P(KvProtocol, ValuesLargerThanAReadAndEmptyOnes) {
  LoopbackClient c = connect();
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  const std::string input = command({"SET", "big", big}) + command({"GET", "big"}) + command({"SET", "e", ""}) +
                            command({"GET", "e"}) + command({"STRLEN", "big"});
  const std::string expected = cat("+OK\r\n$", std::to_string(big.size()), "\r\n", big,
                                   "\r\n+OK\r\n$0\r\n\r\n:", std::to_string(big.size()), "\r\n");
  BackgroundSend send(c, input);
  std::string got;
  EXPECT_TRUE(c.read_exact(got, expected.size()).ok());
  EXPECT_TRUE(send.wait().ok());
  EXPECT_TRUE(got == expected) << "the reply differs (" << got.size() << " bytes)";
}

TEST_P(KvProtocol, Resp3AfterHello) {
  LoopbackClient c = connect();
  const std::string input =
      command({"HELLO", "3"}) + command({"GET", "missing"}) + command({"HELLO", "2"}) + command({"GET", "missing"});
  ASSERT_TRUE(c.send_all(input).ok());
  std::string got;
  // HELLO's map, then a RESP3 null, HELLO's reply in RESP2 (an array), and a RESP2 null.
  const std::string null3 = "_\r\n";
  const std::string null2 = "$-1\r\n";
  const size_t hello3 =
      std::string(
          "%7\r\n$6\r\nserver\r\n$7\r\nweft-kv\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:")
          .size();
  ASSERT_TRUE(c.read_exact(got, hello3).ok());
  EXPECT_EQ(got.substr(0, 4), "%7\r\n");
  std::string rest;
  // The id's digits, then the rest of the map.
  const std::string tail =
      "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
  std::string all;
  while (all.find(tail) == std::string::npos) {
    char ch;
    if (!c.read_exact(&ch, 1).ok()) break;
    all += ch;
  }
  ASSERT_NE(all.find(tail), std::string::npos);
  ASSERT_TRUE(c.read_exact(rest, null3.size()).ok());
  EXPECT_EQ(rest, null3);
  std::string hello2_head;
  ASSERT_TRUE(c.read_exact(hello2_head, 5).ok());
  EXPECT_EQ(hello2_head, "*14\r\n");
}

INSTANTIATE_TEST_SUITE_P(Loops, KvProtocol, ::testing::Values(1, 2),
                         [](const auto& param_info) { return std::to_string(param_info.param) + "_loops"; });

TEST(KvAuth, CommandsWaitForAuthAndUnauthenticatedLimitsApply) {
  std::unique_ptr<ExternalServer> server = start_weft_kv(1, {"--requirepass", "s3cret"});
  ASSERT_TRUE(server->ready());
  {
    LoopbackClient c(server->address());
    ASSERT_TRUE(c.send_all(command({"GET", "k"}) + command({"AUTH", "wrong"}) + command({"PING"}) +
                           command({"NOSUCH"}) + command({"AUTH", "s3cret"}) + command({"SET", "k", "v"}) +
                           command({"GET", "k"}))
                    .ok());
    const std::string expected =
        "-NOAUTH Authentication required.\r\n"
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        "-NOAUTH Authentication required.\r\n"
        "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"
        "+OK\r\n+OK\r\n$1\r\nv\r\n";
    std::string got;
    EXPECT_TRUE(c.read_exact(got, expected.size()).ok());
    EXPECT_EQ(got, expected);
  }
  {
    LoopbackClient c(server->address());
    ASSERT_TRUE(c.send_all("*11\r\n").ok());
    std::string got;
    EXPECT_EQ(c.read_to_eof(got).outcome, Outcome::eof);
    EXPECT_EQ(got, "-ERR Protocol error: unauthenticated multibulk length\r\n");
  }
  {
    LoopbackClient c(server->address());
    ASSERT_TRUE(c.send_all("*2\r\n$3\r\nGET\r\n$16385\r\n").ok());
    std::string got;
    EXPECT_EQ(c.read_to_eof(got).outcome, Outcome::eof);
    EXPECT_EQ(got, "-ERR Protocol error: unauthenticated bulk length\r\n");
  }
  {
    // After AUTH the ordinary limits apply; RESET authenticates no more.
    LoopbackClient c(server->address());
    const std::string big(20000, 'v');
    ASSERT_TRUE(c.send_all(command({"HELLO", "2", "AUTH", "default", "s3cret"}) + command({"SET", "big", big}) +
                           command({"RESET"}) + command({"GET", "big"}))
                    .ok());
    std::string hello;
    ASSERT_TRUE(c.read_exact(hello, 5).ok());
    EXPECT_EQ(hello, "*14\r\n");
    std::string all;
    const std::string tail = "+OK\r\n+RESET\r\n-NOAUTH Authentication required.\r\n";
    while (all.size() < tail.size() || all.compare(all.size() - tail.size(), tail.size(), tail) != 0) {
      char ch;
      if (!c.read_exact(&ch, 1).ok()) break;
      all += ch;
    }
    EXPECT_EQ(all.substr(all.size() - std::min(all.size(), tail.size())), tail);
  }
}

}  // namespace
}  // namespace weft::test
