// notify_service_manager speaks sd_notify's protocol: one datagram to the Unix socket named
// by NOTIFY_SOCKET, a path or (with a leading '@') an abstract name.

#include "weft/process/socket_activation.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace weft {
namespace {

// A datagram socket bound to `name` (abstract when it starts with '@').
int bind_datagram(const std::string& name) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, name.data(), name.size());
  if (name[0] == '@') sa.sun_path[0] = '\0';
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), len), 0) << std::strerror(errno);
  return fd;
}

std::string receive(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 5000) != 1) return "(nothing)";
  char buf[256];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n < 0 ? "(error)" : std::string(buf, static_cast<size_t>(n));
}

TEST(NotifyServiceManager, SendsOneDatagramToAnAbstractSocket) {
  std::string name = "@weft-notify-test-" + std::to_string(::getpid());
  int fd = bind_datagram(name);
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  EXPECT_TRUE(notify_service_manager("READY=1\nMAINPID=42"));
  EXPECT_EQ(receive(fd), "READY=1\nMAINPID=42");
  ::unsetenv("NOTIFY_SOCKET");
  ::close(fd);
}

TEST(NotifyServiceManager, SendsToASocketPath) {
  std::string path = "/tmp/weft-notify-test-" + std::to_string(::getpid());
  ::unlink(path.c_str());
  int fd = bind_datagram(path);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(notify_service_manager("STOPPING=1"));
  EXPECT_EQ(receive(fd), "STOPPING=1");
  ::unsetenv("NOTIFY_SOCKET");
  ::close(fd);
  ::unlink(path.c_str());
}

TEST(NotifyServiceManager, ReportsFalseWithoutASocket) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(notify_service_manager("READY=1"));
  ::setenv("NOTIFY_SOCKET", "/nonexistent/weft/notify", 1);
  EXPECT_FALSE(notify_service_manager("READY=1"));
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(TakeInheritedSockets, IgnoresVariablesMeantForAnotherProcess) {
  ::setenv("LISTEN_FDS", "1", 1);
  ::setenv("LISTEN_PID", std::to_string(::getpid() + 1).c_str(), 1);
  EXPECT_TRUE(take_inherited_sockets().empty());
  EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr) << "the variables are removed";
  EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr);
}

}  // namespace
}  // namespace weft
