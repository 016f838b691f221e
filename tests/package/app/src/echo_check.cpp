#include "app/echo_check.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "weft/version.h"
#include "weft/weft.h"

namespace app {
namespace {

class Echo final : public weft::Handler {
 public:
  void on_traffic(weft::Conn& conn) override { conn.write(conn.read()); }
};

// Sends message to address and reads the same number of bytes back, or fewer on a timeout.
std::string exchange(const weft::Address& address, std::string_view message) {
  std::string reply;
  int fd = ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return reply;
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, address.sockaddr_ptr(), address.length()) == 0 &&
      ::send(fd, message.data(), message.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(message.size())) {
    char buffer[256];
    while (reply.size() < message.size()) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      reply.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return reply;
}

}  // namespace

bool echo_round_trip(std::string_view message) {
  Echo echo;
  weft::Server server(echo, {.loops = 1});
  server.listen("tcp://127.0.0.1:0");
  server.start();
  std::string reply = exchange(server.address(), message);
  server.stop();
  server.wait();
  bool ok = reply == message;
  std::printf("weft %s: echo round trip on %s %s\n", WEFT_VERSION_STRING, server.address().to_string().c_str(),
              ok ? "ok" : "FAILED");
  return ok;
}

}  // namespace app
