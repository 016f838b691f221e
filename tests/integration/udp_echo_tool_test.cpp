// weft-udp-echo, the program: every datagram comes back unchanged, with one loop and with
// a socket per loop (--loops 2 --reuseport), from several senders; SIGTERM stops it.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "payload.h"
#include "weft/core/address.h"

namespace weft {
namespace {

using namespace std::chrono_literals;

// A loopback UDP port free right now (bound, noted, released).
uint16_t free_udp_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  Address any = Address::parse("udp://127.0.0.1:0");
  ::bind(fd, any.sockaddr_ptr(), any.length());
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  ::close(fd);
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len).port();
}

// Sends bytes from a fresh socket until the echo comes back (the program may still be
// starting), bounded; returns the echo.
std::optional<std::string> echo_of(const Address& to, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::optional<std::string> result;
  for (int attempt = 0; attempt < 100 && !result; ++attempt) {
    ::sendto(fd, bytes.data(), bytes.size(), 0, to.sockaddr_ptr(), to.length());
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) == 1) {
      std::string buf(70000, '\0');
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n >= 0) result = buf.substr(0, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return result;
}

class UdpEchoTool : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(UdpEchoTool, EchoesFromSeveralSenders) {
  uint16_t port = free_udp_port();
  std::string addr = "udp://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> args = {"weft-udp-echo", "--addr", addr};
  for (const std::string& a : GetParam()) args.push_back(a);
  test::ChildProcess child([&](int) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(WEFT_UDP_ECHO_PATH, argv.data());
    return 127;
  });
  Address to = Address::parse(addr);
  for (size_t size : {size_t{0}, size_t{1}, size_t{1400}, size_t{65507}}) {
    std::string payload = test::make_pattern(size + 1, size);
    EXPECT_EQ(echo_of(to, payload), payload) << size << " bytes";
  }
  std::vector<std::thread> senders;
  std::vector<int> ok(8, 0);
  for (int i = 0; i < 8; ++i) {
    senders.emplace_back([&, i] {
      std::string msg = "sender " + std::to_string(i);
      ok[i] = echo_of(to, msg) == msg;
    });
  }
  for (auto& t : senders) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(ok[i]) << "sender " << i;
  ASSERT_TRUE(child.signal(SIGTERM));
  auto status = child.wait_exit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

INSTANTIATE_TEST_SUITE_P(Flags, UdpEchoTool,
                         ::testing::Values(std::vector<std::string>{},
                                           std::vector<std::string>{"--loops", "2", "--reuseport"}));

}  // namespace
}  // namespace weft
