#include "ports.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace weft::test {

uint16_t unused_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string refused_url() {
  return "tcp://127.0.0.1:" + std::to_string(unused_tcp_port());
}

}  // namespace weft::test
