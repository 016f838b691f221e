#include "core/socket.h"

#include <netinet/tcp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace weft::detail {
namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

// True if something accepts connections at the Unix path.
bool unix_path_alive(const Address& address) {
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return true;
  bool alive = ::connect(probe, address.sockaddr_ptr(), address.length()) == 0 || errno != ECONNREFUSED;
  ::close(probe);
  return alive;
}

}  // namespace

int listen_socket(const Address& address, const ListenOptions& options, std::error_code& ec) {
  int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ec = last_error();
    return -1;
  }
  int one = 1;
  if (!address.is_unix()) {
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (options.reuse_port) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (address.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  bool bound = ::bind(fd, address.sockaddr_ptr(), address.length()) == 0;
  int bind_error = bound ? 0 : errno;
  if (bind_error == EADDRINUSE && address.is_unix() && address.host()[0] != '@' && !unix_path_alive(address)) {
    // A socket file nobody listens on is left from an earlier run: replace it.
    ::unlink(address.host().c_str());
    bound = ::bind(fd, address.sockaddr_ptr(), address.length()) == 0;
    bind_error = bound ? 0 : errno;
  }
  if (!bound) {
    ec = {bind_error, std::system_category()};
    ::close(fd);
    return -1;
  }
  if (::listen(fd, options.backlog) < 0) {
    ec = last_error();
    ::close(fd);
    return -1;
  }
  ec.clear();
  return fd;
}

Address local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

Address peer_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

void set_nodelay(int fd, bool on) {
  int v = on ? 1 : 0;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
}

void set_keep_alive(int fd, bool on) {
  int v = on ? 1 : 0;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v);
}

void set_buffer_sizes(int fd, int receive, int send) {
  if (receive > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive, sizeof receive);
  if (send > 0) ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send, sizeof send);
}

std::error_code socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return last_error();
  return {err, std::system_category()};
}

}  // namespace weft::detail
