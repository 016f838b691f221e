#include "ports.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace weft::test {

namespace {

uint16_t unused_port(int type) {
  int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

uint16_t unused_tcp_port() {
  return unused_port(SOCK_STREAM);
}
uint16_t unused_udp_port() {
  return unused_port(SOCK_DGRAM);
}

std::string refused_url() {
  return "tcp://127.0.0.1:" + std::to_string(unused_tcp_port());
}

Address unused_udp_address() {
  return Address::parse("udp://127.0.0.1:" + std::to_string(unused_udp_port()));
}

}  // namespace weft::test
