// weft-frame-echo, the program: its replies byte for byte, per codec and flag.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "loopback_client.h"
#include "server_fixture.h"

namespace weft {
namespace {

using namespace std::chrono_literals;
using test::LoopbackClient;

std::string frame(std::string_view payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  std::string out = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)};
  return out.append(payload);
}

std::string error_reply(char code) { return std::string("\xff\xff\xff\xff", 4) + code; }

// Runs weft-frame-echo on a fresh Unix socket with the given flags.
class FrameEchoTool {
 public:
  explicit FrameEchoTool(std::vector<std::string> flags)
      : path_(test::temp_socket_path("frame-echo")),
        args_(make_args(std::move(flags))),
        child_([this](int) {
          int null = ::open("/dev/null", O_WRONLY);
          ::dup2(null, STDOUT_FILENO);
          std::vector<char*> argv;
          for (std::string& a : args_) argv.push_back(a.data());
          argv.push_back(nullptr);
          ::execv(WEFT_FRAME_ECHO_PATH, argv.data());
          return 127;
        }) {}

  ~FrameEchoTool() {
    child_.signal(SIGTERM);
    child_.wait_exit();
    ::unlink(path_.c_str());
  }

  // Connects once the program listens (bounded).
  LoopbackClient connect() {
    Address address = Address::parse("unix://" + path_);
    for (TimePoint deadline = Clock::now() + test::kWait; Clock::now() < deadline;) {
      LoopbackClient client(address, {}, 1s);
      if (client.connected()) return client;
      std::this_thread::sleep_for(10ms);  // Polling for the program to start listening.
    }
    ADD_FAILURE() << "weft-frame-echo did not start listening on " << path_;
    return {};
  }

  // Sends input and reads until the program has answered `expected_size` bytes.
  std::string exchange(std::string_view input, size_t expected_size) {
    LoopbackClient client = connect();
    EXPECT_TRUE(client.send_all(input).ok());
    std::string reply;
    EXPECT_TRUE(client.read_exact(reply, expected_size).ok()) << "got " << reply.size() << " bytes";
    return reply;
  }

 private:
  std::vector<std::string> make_args(std::vector<std::string> flags) {
    std::vector<std::string> args = {"weft-frame-echo", "--addr", "unix://" + path_};
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  }

  std::string path_;
  std::vector<std::string> args_;
  test::ChildProcess child_;
};

TEST(FrameEchoTool, LineCodecAnswersFramesAndTooLongLines) {
  FrameEchoTool tool({"--codec", "line", "--max", "8"});
  std::string expected = frame("hi") + frame("there") + error_reply(1) + frame("ok");
  EXPECT_EQ(tool.exchange("hi\nthere\r\n0123456789abc\nok\n", expected.size()), expected);
}

TEST(FrameEchoTool, DelimiterCodecKeepsTheDelimiterOnRequest) {
  FrameEchoTool tool({"--codec", "delimiter", "--delimiters", "7c,2b2b", "--keep-delimiter"});
  std::string expected = frame("a|") + frame("bc++") + frame("|");
  EXPECT_EQ(tool.exchange("a|bc++|", expected.size()), expected);
}

TEST(FrameEchoTool, FixedCodecCutsEqualFrames) {
  FrameEchoTool tool({"--codec", "fixed", "--size", "3"});
  std::string expected = frame("abc") + frame("def");
  EXPECT_EQ(tool.exchange("abcdefg", expected.size()), expected);
}

TEST(FrameEchoTool, LengthFieldCodecFollowsTheFlags) {
  // Two-byte little-endian length counting the header too (adjust -2), header kept.
  FrameEchoTool tool({"--codec", "length-field", "--length", "2", "--adjust", "-2", "--strip", "0",
                      "--little-endian"});
  std::string input = std::string("\x05\x00", 2) + "abc" + std::string("\x02\x00", 2);
  std::string expected = frame(std::string("\x05\x00", 2) + "abc") + frame(std::string("\x02\x00", 2));
  EXPECT_EQ(tool.exchange(input, expected.size()), expected);
}

TEST(FrameEchoTool, HeaderCodecClosesOnWrongMagic) {
  FrameEchoTool tool({"--codec", "header"});
  LoopbackClient client = tool.connect();
  std::string good = std::string("WEFT\x01\x00\x07\x00\x00\x00\x03", 11) + "abc";
  ASSERT_TRUE(client.send_all(good + "XXXX").ok());
  std::string reply;
  EXPECT_EQ(client.read_to_eof(reply).outcome, test::Outcome::eof);
  EXPECT_EQ(reply, frame("abc") + error_reply(3));
}

}  // namespace
}  // namespace weft
