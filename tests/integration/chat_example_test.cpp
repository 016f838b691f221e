// examples/chat and examples/chat_coro, the programs: several loopback clients name
// themselves, and each line reaches every other client (never its sender), also after a
// client has left; SIGTERM stops the program cleanly.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
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
using test::Outcome;

class ChatExample : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    path_ = test::temp_socket_path("chat");
    program_ = GetParam();
    child_ = std::make_unique<test::ChildProcess>([this](int) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      std::string address = "unix://" + path_;
      char* argv[] = {program_.data(), address.data(), nullptr};
      ::execv(program_.c_str(), argv);
      return 127;
    });
  }
  void TearDown() override {
    child_.reset();
    ::unlink(path_.c_str());
  }

  // Connects once the program listens (bounded), names the client and waits for welcome.
  LoopbackClient join(const std::string& name) {
    Address address = Address::parse("unix://" + path_);
    for (TimePoint deadline = Clock::now() + test::kWait; Clock::now() < deadline;) {
      LoopbackClient client(address, {}, 1s);
      if (client.connected()) {
        EXPECT_TRUE(client.send_all(cat(name, "\n")).ok());
        EXPECT_EQ(read_line(client), cat("welcome ", name, "\n"));
        return client;
      }
      std::this_thread::sleep_for(10ms);  // Polling for the program to start listening.
    }
    ADD_FAILURE() << program_ << " did not start listening on " << path_;
    return {};
  }

  // Joins pieces with append (GCC 12 reports a false -Wrestrict for chained operator+).
  template <class... Parts>
  static std::string cat(const Parts&... parts) {
    std::string out;
    (out.append(parts), ...);
    return out;
  }

  static std::string read_line(LoopbackClient& c) {
    std::string line;
    char ch = 0;
    while (line.empty() || line.back() != '\n') {
      if (!c.read_exact(&ch, 1).ok()) return cat(line, "<closed>");
      line += ch;
    }
    return line;
  }

  std::string path_;
  std::string program_;
  std::unique_ptr<test::ChildProcess> child_;
};

TEST_P(ChatExample, EveryLineReachesEveryOtherClient) {
  std::vector<LoopbackClient> c;
  for (const char* name : {"ann", "bob", "cyd", "dee"}) c.push_back(join(name));
  ASSERT_TRUE(c[0].send_all("hi all\n").ok());
  for (size_t i : {1, 2, 3}) EXPECT_EQ(read_line(c[i]), "ann: hi all\n");
  // Two lines in one segment, with CRLF: two messages.
  ASSERT_TRUE(c[1].send_all("one\r\ntwo\n").ok());
  for (size_t i : {0, 2, 3}) {
    EXPECT_EQ(read_line(c[i]), "bob: one\n");
    EXPECT_EQ(read_line(c[i]), "bob: two\n");
  }
  // ann's next line is bob's: she never got her own back.
  c[3].close();
  ASSERT_TRUE(c[2].send_all("dee left\n").ok());
  for (size_t i : {0, 1}) EXPECT_EQ(read_line(c[i]), "cyd: dee left\n");
  // A stop: every client sees the end of the stream, and the program exits 0.
  ASSERT_TRUE(child_->signal(SIGTERM));
  for (size_t i : {0, 1, 2}) EXPECT_EQ(c[i].wait_closed().outcome, Outcome::eof);
  auto status = child_->wait_exit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

TEST_P(ChatExample, ManyClientsManyLines) {
  constexpr size_t kClients = 8;
  constexpr size_t kLines = 50;
  std::vector<LoopbackClient> c;
  for (size_t i = 0; i < kClients; ++i) c.push_back(join(cat("u", std::to_string(i))));
  // Client 0 sends many lines; each other client gets all of them, in order.
  std::string burst;
  for (size_t n = 0; n < kLines; ++n) burst += cat("line ", std::to_string(n), "\n");
  ASSERT_TRUE(c[0].send_all(burst).ok());
  for (size_t i = 1; i < kClients; ++i) {
    for (size_t n = 0; n < kLines; ++n) ASSERT_EQ(read_line(c[i]), cat("u0: line ", std::to_string(n), "\n"));
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, ChatExample, ::testing::Values(WEFT_EXAMPLE_CHAT, WEFT_EXAMPLE_CHAT_CORO),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           std::string path = p.param;
                           return path.substr(path.rfind('/') + 1);  // example_chat, example_chat_coro
                         });

}  // namespace
}  // namespace weft
