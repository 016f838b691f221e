// Socket activation as systemd does it: the test opens the listening socket, passes it as
// descriptor 3 with LISTEN_FDS, LISTEN_PID (the child's own pid) and LISTEN_FDNAMES, and
// listens on NOTIFY_SOCKET. weft-echo serves the passed socket, alone or under a master,
// and reports READY=1 (and the master STOPPING=1).

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "core/socket.h"
#include "loopback_client.h"
#include "program.h"

namespace weft::test {
namespace {

const std::string kEcho = WEFT_ECHO_PATH;

class Activation : public ::testing::Test {
 protected:
  void SetUp() override {
    std::error_code ec;
    listen_fd_ = detail::listen_socket(Address::parse("tcp://127.0.0.1:0"), {}, ec);
    ASSERT_GE(listen_fd_, 0) << ec.message();
    address_ = detail::local_address(listen_fd_);
    notify_name_ = "@weft-activation-test-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
    notify_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, notify_name_.data(), notify_name_.size());
    sa.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + notify_name_.size());
    ASSERT_EQ(::bind(notify_fd_, reinterpret_cast<sockaddr*>(&sa), len), 0) << std::strerror(errno);
  }
  void TearDown() override {
    ::close(listen_fd_);
    ::close(notify_fd_);
  }
  std::vector<std::string> env() const {
    return {"LISTEN_FDS=1", "LISTEN_FDNAMES=echo", "NOTIFY_SOCKET=" + notify_name_};
  }
  // The next message on the notification socket.
  std::string notification() {
    pollfd p{notify_fd_, POLLIN, 0};
    if (::poll(&p, 1, 10'000) != 1) return "(nothing within 10 s)";
    char buf[256];
    ssize_t n = ::recv(notify_fd_, buf, sizeof buf, 0);
    return n < 0 ? "(error)" : std::string(buf, static_cast<size_t>(n));
  }
  void expect_echo(uint64_t seed) {
    LoopbackClient client(address_);
    ASSERT_TRUE(client.connected()) << client.connect_error();
    EXPECT_TRUE(client.echo_pattern(seed, 16 * 1024).ok());
  }

  int listen_fd_ = -1;
  Address address_;
  std::string notify_name_;
  int notify_fd_ = -1;
};

TEST_F(Activation, AStandaloneServerServesThePassedSocket) {
  // --addr names a port nobody may bind: the passed socket is used instead.
  Program echo(kEcho, {"--loops", "1", "--addr", "tcp://192.0.2.1:1"}, env(), {listen_fd_}, true);
  EXPECT_EQ(notification(), "READY=1") << echo.output();
  auto line = echo.wait_line("listening on");
  ASSERT_TRUE(line) << echo.output();
  EXPECT_NE(line->find(address_.to_string()), std::string::npos) << *line;
  expect_echo(1);
  echo.signal(SIGTERM);
  auto status = echo.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << echo.output();
}

TEST_F(Activation, AMasterHandsThePassedSocketToItsWorkers) {
  Program master(kEcho, {"--workers", "2", "--loops", "1", "--addr", "tcp://192.0.2.1:1", "--quiet"}, env(),
                 {listen_fd_}, true);
  auto line = master.wait_line("generation 1 listening on");
  ASSERT_TRUE(line) << master.output();
  EXPECT_NE(line->find(address_.to_string() + " with 2 workers (inherited sockets)"), std::string::npos) << *line;
  EXPECT_EQ(notification(), "READY=1\nMAINPID=" + std::to_string(master.pid())) << master.output();
  for (uint64_t i = 0; i < 4; ++i) expect_echo(i);
  master.signal(SIGTERM);
  EXPECT_EQ(notification(), "STOPPING=1");
  auto status = master.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << master.output();
  // The socket belongs to the service manager (here, the test): it still listens.
  LoopbackClient queued(address_);
  EXPECT_TRUE(queued.connected()) << queued.connect_error();
}

TEST_F(Activation, VariablesForAnotherProcessAreIgnored) {
  Program echo(kEcho, {"--loops", "1", "--addr", "tcp://127.0.0.1:0"}, {"LISTEN_FDS=1", "LISTEN_PID=1"}, {listen_fd_},
               false);
  auto line = echo.wait_line("listening on");
  ASSERT_TRUE(line) << echo.output();
  EXPECT_EQ(line->find(address_.to_string()), std::string::npos) << "bound its own address: " << *line;
}

}  // namespace
}  // namespace weft::test
