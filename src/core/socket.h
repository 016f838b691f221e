#pragma once
// Thin wrappers over the socket calls weft needs. They return error codes and never
// throw; callers add context to the message.

#include <system_error>

#include "weft/core/address.h"

namespace weft::detail {

struct ListenOptions {
  int backlog = 1024;
  bool reuse_port = false;
};

// Creates a non-blocking, close-on-exec listening socket bound to address. A stale Unix
// socket file (one nobody listens on) is replaced; a live one is reported as in use.
int listen_socket(const Address& address, const ListenOptions& options, std::error_code& ec);
Address local_address(int fd);
Address peer_address(int fd);

void set_nodelay(int fd, bool on);
void set_keep_alive(int fd, bool on);
void set_buffer_sizes(int fd, int receive, int send);
std::error_code socket_error(int fd);

}  // namespace weft::detail
