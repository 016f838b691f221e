#include "weft/process/socket_activation.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace weft {
namespace {

// The first descriptor systemd passes (SD_LISTEN_FDS_START in sd-daemon.h).
constexpr int kFirstPassedFd = 3;

long number_from_env(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr) return -1;
  long value = -1;
  auto [end, ec] = std::from_chars(text, text + std::strlen(text), value);
  if (ec != std::errc() || *end != '\0') return -1;
  return value;
}

}  // namespace

std::vector<InheritedSocket> take_inherited_sockets() {
  std::vector<InheritedSocket> sockets;
  long pid = number_from_env("LISTEN_PID");
  long count = number_from_env("LISTEN_FDS");
  const char* names = std::getenv("LISTEN_FDNAMES");
  std::string name_list = names != nullptr ? names : "";
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (pid != static_cast<long>(::getpid()) || count <= 0) return sockets;
  size_t start = 0;
  for (long i = 0; i < count; ++i) {
    InheritedSocket s;
    s.fd = kFirstPassedFd + static_cast<int>(i);
    if (start <= name_list.size()) {
      size_t colon = name_list.find(':', start);
      s.name = name_list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      start = colon == std::string::npos ? name_list.size() + 1 : colon + 1;
    }
    ::fcntl(s.fd, F_SETFD, FD_CLOEXEC);
    sockets.push_back(std::move(s));
  }
  return sockets;
}

bool notify_service_manager(std::string_view state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  size_t length = std::strlen(path);
  if (length >= sizeof sa.sun_path) return false;
  std::memcpy(sa.sun_path, path, length);
  // A leading '@' names an abstract socket, whose address starts with a zero byte.
  if (sa.sun_path[0] == '@') sa.sun_path[0] = '\0';
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  auto address_length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
  ssize_t sent =
      ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sa), address_length);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

}  // namespace weft
